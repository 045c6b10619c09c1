"""One search engine for every public document: items, bundles, and whatever an upper app
registers (the hotline's knowledge-base articles) — without the catalogue importing them.

Sources. ``register_source`` names a kind of document, the function that lists its documents
(``Document``: key, kind, title, body, url…) and the stamp that says when they changed. The
catalogue registers ``item`` and ``bundle`` (stamp ``catalog``); an upper app registers its
own kind and calls ``touch(stamp)`` in each service that changes its documents.

The index lives in each process's memory. Before a search the process reads every stamp's
token (one query on a table of a few rows) and rebuilds the index when they differ from the
tokens it was built with: a change made in any process is seen by every other one at its next
search. Tokens are random, so a rolled-back change can never be mistaken for a later one.

How a query is understood (each rule is a function below):
- the search dictionary (``SearchPhrase``) turns people's words into the catalogue's
  (个体户 → 个体工商户, 开饭店 → 开餐馆) and intent words into the words of sub-items (丢了 → 补领);
- Chinese is matched by character pairs, exactly or by their toneless pinyin with the usual
  confusions of southern speech (zh/z, n/l, -ng/-n), so a homophone typo (结昏登记) still finds
  the item; Latin input as a prefix of pinyin, pinyin initials, English words or a code;
- every word must match somewhere (else the documents matching most words are shown, if part
  of the query is in their name); a match in the name weighs most, then keywords, then the body;
- a main item passes its rank down to its sub-items, the one the intent words name first;
- a bundle whose name the query names brings its items right behind it.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
import secrets
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

W_TITLE = 10
W_KEYWORDS = 6
W_BODY = 2
W_TITLE_LATIN = 9
W_BODY_LATIN = 1
FUZZY = 0.8  # a pair matched only by its pinyin counts this much of an exact one
SYNONYM = 0.95  # a word found through the dictionary counts this much of the word itself
INTENT_BOOST = 3.0
LONE = 0.9  # a word matched without the lone character jieba left beside it
EXACT_NAME_BONUS = 2.0
CORROBORATION = 1.0  # a name match whose words the body also speaks of (its forms) gains up to this
CORROBORATION_KEYWORDS = 2.0  # and twice that where its keywords do (an item's result: 结婚证, 营业执照)
MAX_QUERY = 100

_HAN = re.compile(r"[\u3400-\u9fff]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_SPLIT = re.compile(r"[\s,，、;；。.()（）《》“”\"'/?？!！:：]+")

# Words that say nothing about which document is meant.
STOP_WORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "办理", "申请", "怎么", "怎么办", "如何", "在哪", "在哪里", "在哪儿", "哪里",
    "哪儿", "需要", "什么", "我", "我们", "想", "要", "我想", "我要", "想要", "个", "一个", "一下", "吗", "呢", "啊",
    "咋", "咋办", "去", "哪", "能", "能不能", "可以", "怎样", "手续", "流程", "材料", "带", "多久", "多少",
    "多少钱", "要求", "条件", "请问", "你好", "帮", "帮忙", "给", "该", "应该", "找", "谁", "那", "这", "在",
})


# --- Documents and their sources ---------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """One searchable thing. ``key`` is unique across kinds ("item:CODE"); ``ref`` is the
    primary key in its own table (for filters); ``parent`` the key of a main document (a
    sub-item's main item); ``members`` the keys a document groups (a bundle's items, in order)."""

    key: str
    kind: str
    title: str
    url: str
    body: str = ""
    keywords: str = ""
    ref: int = 0
    parent: str = ""
    members: tuple[str, ...] = ()
    order: int = 0
    group_suffix: str = ""  # stripped from the title when judging how much of it a query names


@dataclass(frozen=True)
class Source:
    kind: str
    documents: Callable[[], Iterable[Document]]
    stamp: str
    label: Any = ""  # what the kind is called on a page ("Service", "Life-event bundle"), translatable
    corroborates: bool = False  # its keywords and body are the document's own evidence (``_corroborate``)


_SOURCES: dict[str, Source] = {}
DICTIONARY = "dictionary"


def register_source(kind: str, documents: Callable[[], Iterable[Document]], *, stamp: str, label: Any = "",
                    corroborates: bool = False) -> None:
    """Add a kind of document to the one index. ``stamp`` names the token its owner replaces
    (``touch``) whenever any of these documents change; ``label`` names the kind for people.
    ``corroborates``: the documents' keywords and body are their own evidence (an item's result
    and materials), which ranks a name match that they back up first (``_corroborate``); leave it
    off where they repeat other documents' names (an article's linked items, a bundle's items)."""
    _SOURCES[kind] = Source(kind=kind, documents=documents, stamp=stamp, label=label or kind,
                            corroborates=corroborates)
    _CACHE.clear()


def unregister_source(kind: str) -> None:
    _SOURCES.pop(kind, None)
    _CACHE.clear()


def sources() -> dict[str, Source]:
    return dict(_SOURCES)


def touch(stamp: str) -> None:
    """Say that the documents behind ``stamp`` changed: every process rebuilds its index before
    its next search. Call it inside the transaction of the change."""
    from onetrip.catalog.models import SearchStamp

    token = secrets.token_hex(8)
    if SearchStamp.objects.filter(source=stamp).update(token=token):
        return
    try:
        with transaction.atomic():
            SearchStamp.objects.create(source=stamp, token=token)
    except IntegrityError:  # created meanwhile by another transaction
        SearchStamp.objects.filter(source=stamp).update(token=token)


def current_stamp() -> tuple[tuple[str, str], ...]:
    """The tokens of every stamp the index depends on (one query)."""
    from onetrip.catalog.models import SearchStamp

    names = {s.stamp for s in _SOURCES.values()} | {DICTIONARY}
    found = dict(SearchStamp.objects.filter(source__in=names).values_list("source", "token"))
    return tuple(sorted((n, found.get(n, "")) for n in names))


# --- Text analysis -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba with its dictionary, loaded on first use (it weighs about 100 MB)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, single spaces, at most 100 characters."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())[:MAX_QUERY]


def fuzzy_syllable(syllable: str) -> str:
    """A toneless syllable with the confusions of many speakers folded: zh/ch/sh → z/c/s,
    n → l, and -ng → -n (so 结昏 sounds like 结婚, 婚因 like 婚姻)."""
    s = syllable
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    if s.startswith("n") and s != "ng":
        s = "l" + s[1:]
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


@lru_cache(maxsize=200_000)
def _syllables(run: str) -> tuple[str, ...]:
    """The fuzzy pinyin of each character of a run of Han characters."""
    from pypinyin import lazy_pinyin  # on first use: about 55 MB of phrase tables

    from onetrip.catalog.search import _blanks

    out = lazy_pinyin(run, errors=_blanks)
    if len(out) != len(run):
        out = [(lazy_pinyin(c, errors="ignore") or [""])[0] for c in run]
    return tuple(fuzzy_syllable(s) if s else "" for s in out)


@lru_cache(maxsize=200_000)
def units(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The exact character pairs of a text ("营业") and their fuzzy pinyin ("yin ye")."""
    exact: set[str] = set()
    fuzzy: set[str] = set()
    for run in _HAN_RUN.findall(text):
        syl = _syllables(run)
        for i in range(len(run) - 1):
            exact.add(run[i:i + 2])
            if syl[i] and syl[i + 1]:
                fuzzy.add(f"{syl[i]} {syl[i + 1]}")
    return frozenset(exact), frozenset(fuzzy)


@lru_cache(maxsize=100_000)
def latin_terms(text: str, *, words: bool = True) -> frozenset[str]:
    """Pinyin, pinyin initials and Latin words of a text, matched by prefix."""
    from pypinyin import Style, lazy_pinyin

    out: set[str] = set(_LATIN_WORD.findall(text.lower()))
    pieces = [text]
    if words:
        pieces += [w for w in _jieba().cut_for_search(text) if len(w) > 1 and _HAN.search(w)]
    for piece in pieces:
        han = "".join(_HAN.findall(piece))
        if han:
            out.add("".join(lazy_pinyin(han, errors="ignore"))[:64])
            out.add("".join(lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore"))[:64])
    return frozenset(t for t in out if t)


# --- The index ---------------------------------------------------------------------------------

@dataclass
class Dictionary:
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)  # full pinyin of a people's word → the word

    @property
    def longest(self) -> int:
        return max((len(p) for p in (*self.synonyms, *self.intents)), default=0)


# A posting list: for each weight (ascending), the documents holding the term at that weight as
# their best. Arrays of ints keep 10 000 documents' index in a few MB, and ``dict.fromkeys`` /
# ``dict.update`` over them merge postings at C speed.
Postings = tuple[tuple[int, array], ...]


@dataclass
class Index:
    stamp: tuple[tuple[str, str], ...]
    docs: list[Document]
    by_key: dict[str, int]
    titles: list[str]  # lower-case titles, for the exact-name bonus
    rank: list[int]  # tie-break: shorter titles first, then the catalogue's order
    exact: dict[str, Postings]
    fuzzy: dict[str, Postings]
    chars: dict[str, Postings]
    latin: dict[str, Postings]
    latin_sorted: list[str]
    children: dict[int, list[int]]
    groups: list[int]  # documents with members (bundles)
    dictionary: Dictionary
    action_docs: dict[str, set[int]]  # intent target word → documents whose title holds it
    # Character pairs (exact, and by their fuzzy pinyin) of each document's keywords and body,
    # whatever its name holds: what corroborates a name match (``_corroborate``).
    support_exact: dict[str, Postings] = field(default_factory=dict)
    support_fuzzy: dict[str, Postings] = field(default_factory=dict)
    support_latin: dict[str, Postings] = field(default_factory=dict)  # and their pinyin, for Latin input
    support_latin_sorted: list[str] = field(default_factory=list)
    evidence_docs: int = 0  # how many documents' sources corroborate (the base of their pairs' rarity)


class _Collector:
    """Gathers (term, document, weight) while building, then packs them into ``Postings``."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[int, list[int]]] = {}

    def add(self, terms: Iterable[str], doc: int, weight: int) -> None:
        table = self.terms
        for term in terms:
            by_weight = table.get(term)
            if by_weight is None:
                table[term] = {weight: [doc]}
                continue
            docs = by_weight.get(weight)
            if docs is None:
                by_weight[weight] = [doc]
            elif docs[-1] != doc:
                docs.append(doc)

    def pack(self) -> dict[str, Postings]:
        packed: dict[str, Postings] = {}
        for term, by_weight in self.terms.items():
            if len(by_weight) == 1:
                ((w, docs),) = by_weight.items()
                packed[term] = ((w, array("i", docs)),)
                continue
            seen: set[int] = set()
            lists = []
            for w in sorted(by_weight, reverse=True):
                docs = [d for d in by_weight[w] if d not in seen]
                seen.update(docs)
                if docs:
                    lists.append((w, array("i", docs)))
            packed[term] = tuple(reversed(lists))
        self.terms = {}
        return packed


def build(stamp: tuple[tuple[str, str], ...] = ()) -> Index:
    """Read every source's documents and the dictionary, and index them."""
    from onetrip.catalog.models import SearchPhrase

    docs: list[Document] = []
    evidence: list[bool] = []  # per document: its source ``corroborates``
    for source in _SOURCES.values():
        before = len(docs)
        docs.extend(source.documents())
        evidence.extend([source.corroborates] * (len(docs) - before))
    exact, fuzzy, chars, latin = _Collector(), _Collector(), _Collector(), _Collector()
    support_exact, support_fuzzy, support_latin = _Collector(), _Collector(), _Collector()
    for n, doc in enumerate(docs):
        for text, weight, latin_weight in ((doc.title, W_TITLE, W_TITLE_LATIN),
                                           (doc.keywords, W_KEYWORDS, W_TITLE_LATIN),
                                           (doc.body, W_BODY, W_BODY_LATIN)):
            if not text:
                continue
            parts = [text] if weight > W_BODY else [p for p in _SPLIT.split(text) if p]
            for part in parts:
                pairs, sounds = units(part)
                exact.add(pairs, n, weight)
                fuzzy.add(sounds, n, weight)
                spelled_as = latin_terms(part, words=weight > W_BODY or len(part) <= 12)
                latin.add(spelled_as, n, latin_weight)
                if weight < W_TITLE and evidence[n]:
                    support_exact.add(pairs, n, weight)
                    support_fuzzy.add(sounds, n, weight)
                    support_latin.add(spelled_as, n, weight)
            if weight > W_BODY:
                chars.add(set(_HAN.findall(text)), n, weight)
    by_key = {d.key: n for n, d in enumerate(docs)}
    order = sorted(range(len(docs)), key=lambda k: (len(docs[k].title), docs[k].order, docs[k].key))
    rank = [0] * len(docs)
    for position, k in enumerate(order):
        rank[k] = position
    children: dict[int, list[int]] = {}
    for n, doc in enumerate(docs):
        if doc.parent and doc.parent in by_key:
            children.setdefault(by_key[doc.parent], []).append(n)
    for kids in children.values():
        kids.sort(key=lambda k: (docs[k].order, docs[k].key))
    dictionary = Dictionary()
    for p in SearchPhrase.objects.all():
        targets = tuple(normalize(t) for t in p.target_list)
        phrase = normalize(p.phrase)
        if not phrase or not targets:
            continue
        if p.kind == SearchPhrase.Kind.INTENT:
            dictionary.intents[phrase] = targets
        else:
            dictionary.synonyms[phrase] = targets
            spelled = "".join(_syllables_plain(phrase))
            if len(spelled) > 3:
                dictionary.spelled.setdefault(spelled, phrase)
    titles = [d.title.lower() for d in docs]
    actions = {a for targets in dictionary.intents.values() for a in targets}
    action_docs = {a: {n for n, t in enumerate(titles) if a in t} for a in actions}
    latin_postings = latin.pack()
    return Index(stamp=stamp, docs=docs, by_key=by_key, titles=titles, rank=rank, exact=exact.pack(),
                 fuzzy=fuzzy.pack(), chars=chars.pack(), latin=latin_postings, latin_sorted=sorted(latin_postings),
                 children=children, groups=[n for n, d in enumerate(docs) if d.members], dictionary=dictionary,
                 action_docs=action_docs, support_exact=support_exact.pack(), support_fuzzy=support_fuzzy.pack(),
                 support_latin=(support_latin_postings := support_latin.pack()),
                 support_latin_sorted=sorted(support_latin_postings), evidence_docs=sum(evidence))


def _syllables_plain(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text, errors="ignore")


_CACHE: dict[str, Index] = {}
_LOCK = threading.Lock()


def index() -> Index:
    """This process's index, rebuilt first if any source changed since it was built."""
    stamp = current_stamp()
    cached = _CACHE.get("index")
    if cached is not None and cached.stamp == stamp:
        return cached
    with _LOCK:
        cached = _CACHE.get("index")
        if cached is None or cached.stamp != stamp:
            _CACHE.pop("index", None)  # let the old one go before building the new one
            cached = _CACHE["index"] = build(stamp)
    return cached


def warm() -> None:
    """Build this process's index now (jieba's and pypinyin's dictionaries too), so that its first
    search does not wait for it; a failure is logged, never raised (the search builds it then)."""
    try:
        index()
    except Exception:  # noqa: BLE001 - a warm-up must never take a process down
        logging.getLogger(__name__).exception("warming the search index failed; the first search builds it")
    finally:
        if threading.current_thread() is not threading.main_thread():
            from django.db import connection

            connection.close()  # the warm-up thread's own connection


def warm_in_background() -> threading.Thread:
    """``warm`` in a daemon thread: a web process starts answering at once (``SEARCH_WARM_AT_START``,
    called from ``onetrip/wsgi.py``); a search arriving before the index is built waits on the
    same lock instead of building a second one."""
    thread = threading.Thread(target=warm, name="search-warm-up", daemon=True)
    thread.start()
    return thread


# --- Queries -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    """One thing the query asks for, with the texts that may stand for it (the word itself,
    then its catalogue words from the dictionary, each with its factor)."""

    text: str
    alts: tuple[tuple[str, float], ...]
    latin: bool = False


@dataclass(frozen=True)
class Analysis:
    raw: str
    words: tuple[Word, ...]
    actions: tuple[str, ...]  # words of sub-item names the intent words point to

    def __bool__(self) -> bool:
        return bool(self.words or self.actions)


def analyse(raw: str, dictionary: Dictionary | None = None) -> Analysis:
    """Cut a query into words, applying the dictionary. Rules, in order:

    1. dictionary phrases of two or more characters are found anywhere in the text, longest
       first (开饭店, 丢了); single-character ones (开, 领) only as a word of their own;
    2. a people's word becomes one word whose alternatives are its catalogue words;
    3. an intent word is not required: it adds the words of the sub-items it points to;
    4. the rest is cut by jieba, filler words are dropped, and single characters left next to
       each other are joined again (a typo often splits a word: 结昏 → 结 / 昏 → 结昏)."""
    dictionary = dictionary or Dictionary()
    text = normalize(raw)
    words: list[Word] = []
    actions: list[str] = []
    intent_words: list[str] = []
    longest = dictionary.longest

    def add_phrase(phrase: str) -> None:
        if phrase in dictionary.intents:
            actions.extend(dictionary.intents[phrase])
            intent_words.append(phrase)
        if phrase in dictionary.synonyms:
            alts = [(phrase, 1.0)] + [(t, SYNONYM) for t in dictionary.synonyms[phrase]]
            words.append(Word(phrase, tuple(alts)))

    rest: list[str] = []
    for chunk in _SPLIT.split(text):
        if not chunk:
            continue
        i, start = 0, 0
        while i < len(chunk):
            found = ""
            for length in range(min(longest, len(chunk) - i), 1, -1):
                piece = chunk[i:i + length]
                if piece in dictionary.synonyms or piece in dictionary.intents:
                    found = piece
                    break
            if found:
                if chunk[start:i]:
                    rest.append(chunk[start:i])
                add_phrase(found)
                i += len(found)
                start = i
            else:
                i += 1
        if chunk[start:]:
            rest.append(chunk[start:])

    for piece in rest:
        if not _HAN.search(piece):
            for token in _LATIN_WORD.findall(piece):
                if token in dictionary.spelled:  # a people's word typed in pinyin (shebaoka)
                    add_phrase(dictionary.spelled[token])
                else:
                    words.append(Word(token[:64], ((token[:64], 1.0),), latin=True))
            continue
        seq: list[str] = []  # Chinese words of the piece; "" where a filler or dictionary word was
        for token in (t.strip() for t in _jieba().cut(piece)):
            if token and not _HAN.search(token):
                for latin in _LATIN_WORD.findall(token):
                    words.append(Word(latin[:64], ((latin[:64], 1.0),), latin=True))
                seq.append("")
                continue
            if token in dictionary.intents or token in dictionary.synonyms:
                add_phrase(token)
                token = ""
            elif token in STOP_WORDS:
                token = ""
            seq.append(token)
        for joined, alone in _join_single_characters(seq):
            alts = ((joined[:64], 1.0),) if joined == alone else ((joined[:64], 1.0), (alone[:64], LONE))
            words.append(Word(joined[:64], alts))
    if not words and intent_words:  # only an intent word (注销): then it is what is asked for
        words = [Word(w, ((w, 1.0), *((a, SYNONYM) for a in dictionary.intents[w]))) for w in intent_words]
    unique = {w.text: w for w in words}
    return Analysis(raw=text, words=tuple(unique.values()), actions=tuple(dict.fromkeys(actions)))


def _join_single_characters(seq: list[str]) -> list[tuple[str, str]]:
    """jieba leaves characters it does not know as words of one character: 结昏 → 结 / 昏,
    卫生健康局 → 卫生 / 健康 / 局. Characters next to each other are joined again (结昏); a lone
    character joins the word before it (健康局), or else the word after it (小餐馆), and the word
    may also match without it (餐馆, at ``LONE``). Returns (word, word without its lone character)."""
    runs: list[tuple[str, str]] = []  # words, with ("", "") between those that were not next to each other
    pending = ""
    for token in [*seq, ""]:
        if len(token) == 1:
            pending += token
            continue
        if len(pending) == 1 and runs and runs[-1][0]:
            runs[-1] = (runs[-1][0] + pending, runs[-1][1])
        elif len(pending) == 1 and token:
            runs.append((pending + token, token))
            pending = ""
            continue
        elif pending:
            runs.append((pending, pending))
        pending = ""
        runs.append((token, token))
    return [r for r in runs if r[0]]


def _needed(k: int) -> int:
    """How many of a word's character pairs a document must have: all of them for a word of up
    to three characters, three in five for a longer one."""
    return k if k <= 2 else math.ceil(0.6 * k)


def _merge(lists: Iterable[tuple[float, array]]) -> dict[int, float]:
    """Document → the highest weight it has in any of these lists (at C speed: the lists are
    applied lowest weight first, each overwriting)."""
    best: dict[int, float] = {}
    for w, docs in sorted(lists, key=lambda p: p[0]):
        best.update(dict.fromkeys(docs, w))
    return best


def _match_han(idx: Index, alt: str) -> dict[int, float]:
    """Document → score of one Chinese alternative: the mean over its character pairs of the
    best field weight holding the pair (exactly, or at ``FUZZY`` by its pinyin); documents
    holding too few of the pairs (``_needed``) are left out."""
    if len(alt) == 1:
        return _merge(idx.chars.get(alt, ()))
    pairs = [(alt[i:i + 2], _pair_fuzzy(alt, i)) for i in range(len(alt) - 1)
             if _HAN.match(alt[i]) and _HAN.match(alt[i + 1])]
    if not pairs:
        return {}
    per_pair = []
    for pair, sound in pairs:
        lists: list[tuple[float, array]] = [(w * FUZZY, d) for w, d in idx.fuzzy.get(sound, ())] if sound else []
        lists += idx.exact.get(pair, ())
        per_pair.append(_merge(lists))
    k = len(per_pair)
    if k == 1:
        return per_pair[0]
    need = _needed(k)
    if need == k:  # every pair: walk the smallest list
        per_pair.sort(key=len)
        first, rest = per_pair[0], per_pair[1:]
        out = {}
        for doc, w in first.items():
            total = w
            for other in rest:
                v = other.get(doc)
                if v is None:
                    break
                total += v
            else:
                out[doc] = total / k
        return out
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for best in per_pair:
        for doc, w in best.items():
            sums[doc] = sums.get(doc, 0.0) + w
            counts[doc] = counts.get(doc, 0) + 1
    return {doc: v / k for doc, v in sums.items() if counts[doc] >= need}


def _pair_fuzzy(text: str, i: int) -> str:
    run_start = i
    while run_start > 0 and _HAN.match(text[run_start - 1]):
        run_start -= 1
    run_end = i
    while run_end < len(text) and _HAN.match(text[run_end]):
        run_end += 1
    syl = _syllables(text[run_start:run_end])
    a, b = syl[i - run_start], syl[i + 1 - run_start]
    return f"{a} {b}" if a and b else ""


def _match_latin(idx: Index, token: str) -> dict[int, float]:
    """Document → weight for a Latin token: a prefix of a term (an exact term if one letter)."""
    if len(token) == 1:
        return _merge(idx.latin.get(token, ()))
    lists: list[tuple[float, array]] = []
    i = bisect_left(idx.latin_sorted, token)
    while i < len(idx.latin_sorted) and idx.latin_sorted[i].startswith(token):
        lists.extend(idx.latin[idx.latin_sorted[i]])
        i += 1
    return _merge(lists)


@dataclass
class Hit:
    doc: Document
    score: float
    words: int  # how many of the query's words it matched


@dataclass
class Found:
    hits: list[Hit]  # the first ``limit``, best first
    total: int  # how many documents were found in all
    all_matched: bool
    analysis: Analysis
    totals: dict[str, int] = field(default_factory=dict)  # how many of each kind


def _word_scores(idx: Index, word: Word) -> dict[int, float]:
    """Document → score of one word: its best alternative, plus ``EXACT_NAME_BONUS`` where the
    alternative stands as it is in the document's name."""
    best: dict[int, float] = {}
    for alt, factor in word.alts:
        matched = _match_latin(idx, alt) if word.latin else _match_han(idx, alt)
        if not matched:
            continue
        if factor != 1.0:
            matched = {d: v * factor for d, v in matched.items()}
        if not word.latin:
            titles = idx.titles
            floor = W_TITLE * FUZZY * 0.5
            for d, v in matched.items():
                if v >= floor and alt in titles[d]:
                    matched[d] = v + EXACT_NAME_BONUS
        if not best:
            best = matched
        else:
            for d, v in matched.items():
                if best.get(d, 0.0) < v:
                    best[d] = v
    if best:
        _corroborate(idx, word, best)
    return best


_SUPPORT = {W_KEYWORDS: CORROBORATION_KEYWORDS, W_BODY: CORROBORATION}
NAMED = W_KEYWORDS + 0.5  # a word's score from here up comes from the document's name
COMMON = 0.01  # a pair held by more than this share of the documents' fields corroborates less


def _support(idx: Index, alt: str, named: list[int]) -> dict[int, float]:
    """How much the keywords and body of each ``named`` document speak of ``alt``: the mean over
    its character pairs of ``CORROBORATION_KEYWORDS`` (in the keywords) or ``CORROBORATION`` (in
    the body), at ``FUZZY`` by pinyin, and scaled down for a pair that many documents hold there
    (a material half the catalogue asks for says little: its inverse document frequency against
    that of a pair held by ``COMMON`` of them)."""
    pairs = [(alt[i:i + 2], _pair_fuzzy(alt, i)) for i in range(len(alt) - 1)
             if _HAN.match(alt[i]) and _HAN.match(alt[i + 1])]
    out: dict[int, float] = {}
    if not pairs:
        return out
    def weighted(w: int, docs: array, factor: float) -> tuple[float, array]:
        return _rarity(idx, w, docs, factor), docs

    share = 1.0 / len(pairs)
    for pair, sound in pairs:
        lists = [weighted(w, docs, FUZZY) for w, docs in idx.support_fuzzy.get(sound, ())] if sound else []
        lists += [weighted(w, docs, 1.0) for w, docs in idx.support_exact.get(pair, ())]
        if not lists:
            continue
        best = _merge(lists)
        if len(best) < len(named):
            wanted = set(named)
            for d, v in best.items():
                if d in wanted:
                    out[d] = out.get(d, 0.0) + v * share
        else:
            for d in named:
                got = best.get(d)
                if got:
                    out[d] = out.get(d, 0.0) + got * share
    return out


def _rarity(idx: Index, weight: int, docs: array, factor: float = 1.0) -> float:
    """What a support field's posting list is worth: ``_SUPPORT`` of its field, times ``factor``,
    scaled by its inverse document frequency (among the documents that corroborate) against that
    of a pair ``COMMON`` of them hold."""
    rarity = math.log(max(idx.evidence_docs, 1) / max(len(docs), 1)) / math.log(1 / COMMON)
    return _SUPPORT[weight] * factor * max(0.0, min(1.0, rarity))


def _support_latin(idx: Index, token: str, named: list[int]) -> dict[int, float]:
    """``_support`` for Latin input: the keywords and body terms it is a prefix of (jiehun →
    jiehunzheng, the pinyin of 结婚证)."""
    lists: list[tuple[float, array]] = []
    if len(token) == 1:
        lists = [(_rarity(idx, w, docs), docs) for w, docs in idx.support_latin.get(token, ())]
    else:
        i = bisect_left(idx.support_latin_sorted, token)
        while i < len(idx.support_latin_sorted) and idx.support_latin_sorted[i].startswith(token):
            lists += [(_rarity(idx, w, docs), docs) for w, docs in idx.support_latin[idx.support_latin_sorted[i]]]
            i += 1
    if not lists:
        return {}
    best = _merge(lists)
    return {d: best[d] for d in named if d in best}


def _corroborate(idx: Index, word: Word, scores: dict[int, float]) -> None:
    """A document named by the word whose other fields speak of it too is about the word, not
    just named with it: an item's result (its keywords: the 结婚证 of marriage registration, the
    营业执照 of setting up a business) and its materials (its body: 公共场所卫生许可申请表,
    农村宅基地批准书). Each document matched in its name (``NAMED``) gains the best ``_support``
    of the word or of any of its dictionary alternatives, so that an item found through the
    dictionary (营业执照 → 个体工商户设立) is corroborated by the word people typed."""
    named = [d for d, v in scores.items() if v >= NAMED]
    if not named:
        return
    extra: dict[int, float] = {}
    for alt, factor in word.alts:
        found = _support_latin(idx, alt, named) if word.latin else _support(idx, alt, named)
        for d, v in found.items():
            v *= factor
            if extra.get(d, 0.0) < v:
                extra[d] = v
    for d, v in extra.items():
        scores[d] += v


def search(raw: str, *, kinds: Iterable[str] | None = None, within: dict[str, set[int]] | None = None,
           limit: int | None = None) -> Found:
    """Documents best first (the first ``limit`` of them). ``kinds`` keeps only these kinds;
    ``within`` keeps only these ``ref``s of a kind (the filters of a list page)."""
    idx = index()
    analysis = analyse(raw, idx.dictionary)
    if not analysis.words:
        return Found([], 0, True, analysis, {})
    per_word = sorted((_word_scores(idx, w) for w in analysis.words), key=len)
    n = len(per_word)
    scores: dict[int, float] = {}
    hits: dict[int, int] = {}
    if n == 1:
        scores = dict(per_word[0])
        hits = dict.fromkeys(scores, 1)
    else:
        first, rest = per_word[0], per_word[1:]
        for doc, v in first.items():  # documents matching every word: walk the smallest list
            total = v
            for other in rest:
                w = other.get(doc)
                if w is None:
                    break
                total += w
            else:
                scores[doc] = total
        hits = dict.fromkeys(scores, n)
        if not scores:  # none matches every word: those matching most words in their names, best first
            for word_scores in per_word:
                for doc, v in word_scores.items():
                    scores[doc] = scores.get(doc, 0.0) + v
                    hits[doc] = hits.get(doc, 0) + 1
            scores = {d: v for d, v in scores.items() if v >= W_TITLE * FUZZY}
    if analysis.actions:
        _boost_intent(idx, scores, analysis.actions)
    _sub_items_follow_main_item(idx, scores, hits, analysis.actions)
    _bundle_items_follow_bundle(idx, scores, hits, analysis)
    all_matched = n == 1 or any(h >= n for h in hits.values())
    keep_kinds = set(kinds) if kinds is not None else None
    docs = idx.docs
    if keep_kinds is not None or within is not None:
        def allowed(d: int) -> bool:
            doc = docs[d]
            if keep_kinds is not None and doc.kind not in keep_kinds:
                return False
            return within is None or doc.kind not in within or doc.ref in within[doc.kind]
        scores = {d: v for d, v in scores.items() if allowed(d)}
    if all_matched:
        scores = {d: v for d, v in scores.items() if hits[d] >= n}
    rank = idx.rank
    keys = {d: -((hits[d] * 10_000_000 + round(v * 1000)) * 1_000_000) + rank[d] for d, v in scores.items()}
    ordered = sorted(keys, key=keys.__getitem__) if limit is None or limit >= len(keys) else \
        heapq.nsmallest(limit, keys, key=keys.__getitem__)
    totals = Counter(docs[d].kind for d in keys)
    return Found([Hit(docs[d], scores[d], hits[d]) for d in ordered], len(keys), all_matched, analysis, dict(totals))


def _boost_intent(idx: Index, scores: dict[int, float], actions: tuple[str, ...]) -> None:
    """Intent words point to sub-items: a matched document whose name holds one of the words
    the intent stands for (丢了 → 补领) ranks above its siblings."""
    named: set[int] = set()
    for a in actions:
        named |= idx.action_docs.get(a, set())
    for doc in named & scores.keys():
        scores[doc] += INTENT_BOOST


def _sub_items_follow_main_item(idx: Index, scores: dict[int, float], hits: dict[int, int],
                                actions: tuple[str, ...]) -> None:
    """A main item is applied for through its sub-items, so a match on the main item is passed
    to each of them; the sub-item the intent words name (or, without one, the first, which is
    the new application: 设立, 新办) ranks just above its main item."""
    for main, kids in idx.children.items():
        if main not in scores:
            continue
        s, h = scores[main], hits[main]
        named = [k for k in kids if any(a in idx.titles[k] for a in actions)]
        first = named or kids[:1]
        for k in kids:
            floor = s + 0.5 + (INTENT_BOOST if k in named else 0.0) if k in first else s - 0.01
            if scores.get(k, 0.0) < floor or hits.get(k, 0) < h:
                scores[k] = max(scores.get(k, 0.0), floor)
                hits[k] = max(hits.get(k, 0), h)


def _bundle_items_follow_bundle(idx: Index, scores: dict[int, float], hits: dict[int, int],
                                analysis: Analysis) -> None:
    """Life-event hints: when the query names a bundle (开饭店 → 开餐馆一件事: a dictionary word,
    or its own words covering at least 60 % of the bundle's name), the bundle's items follow
    it, in the bundle's order (the bundle comes first even where one of its items scored more
    on its own: the query names the life event, and the bundle applies for that item too)."""
    for doc in idx.groups:
        if doc not in scores:
            continue
        s = scores[doc]
        bundle = idx.docs[doc]
        name = idx.titles[doc].removesuffix(bundle.group_suffix) if bundle.group_suffix else idx.titles[doc]
        covered = max((len(alt) for w in analysis.words for alt, _f in w.alts if not w.latin and alt in name),
                      default=0)
        if not name or covered / len(name) < 0.6:
            continue
        members = [m for m in (idx.by_key.get(key) for key in bundle.members) if m is not None]
        best = max((scores[m] for m in members if m in scores and hits[m] <= hits[doc]), default=0.0)
        if best >= s:
            s = scores[doc] = best + 0.01
        for pos, key in enumerate(bundle.members):
            member = idx.by_key.get(key)
            if member is None:
                continue
            floor = s - 0.1 * (pos + 1)
            if scores.get(member, 0.0) < floor or hits.get(member, 0) < hits[doc]:
                scores[member] = max(scores.get(member, 0.0), floor)
                hits[member] = max(hits.get(member, 0), hits[doc])


# --- Highlighting ------------------------------------------------------------------------------

def highlight(text: str, analysis: Analysis) -> SafeString:
    """Mark what the query matched in ``<mark>``: character pairs found exactly or by pinyin,
    single characters asked for, and for Latin input the characters it spells."""
    if not text or not analysis:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    marked = [False] * len(text)
    lower = text.lower()
    want_exact: set[str] = set()
    want_fuzzy: set[str] = set()
    singles: set[str] = set()
    latin: list[str] = []
    for word in analysis.words:
        if word.latin:
            latin.append(word.text)
            continue
        for alt, _f in word.alts:
            if len(alt) == 1:
                singles.add(alt)
            e, f = units(alt)
            want_exact |= e
            want_fuzzy |= f
    for m in _HAN_RUN.finditer(lower):
        run = m.group()
        syl = _syllables(run)
        for i in range(len(run) - 1):
            pair_fuzzy = f"{syl[i]} {syl[i + 1]}" if syl[i] and syl[i + 1] else ""
            if run[i:i + 2] in want_exact or (pair_fuzzy and pair_fuzzy in want_fuzzy):
                marked[m.start() + i] = marked[m.start() + i + 1] = True
        for i, c in enumerate(run):
            if c in singles:
                marked[m.start() + i] = True
    if latin:
        from onetrip.catalog import search as latin_search

        latin_marks = latin_search.highlight_marks(text, latin)
        marked = [a or b for a, b in zip(marked, latin_marks, strict=True)]
    out: list[str] = []
    inside = False
    for ch, on in zip(text, marked, strict=True):
        if on and not inside:
            out.append("<mark>")
        elif not on and inside:
            out.append("</mark>")
        inside = on
        out.append(escape(ch))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every character escaped above
