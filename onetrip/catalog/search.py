"""Chinese search over the published catalogue: jieba words, pinyin and pinyin initials.

The index (``SearchTerm``) holds, for each published item, the words of its name,
materials and department with a weight per field. A query is cut the same way; every query
word must match (falling back to "most words match" when nothing matches all), and items
rank by the summed weight of what they matched. Latin input is matched as a prefix of
pinyin, pinyin initials, English words or the item code: "yyzz" finds 营业执照.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from onetrip.catalog.models import SearchTerm, ServiceItem

W_NAME = 20
W_NAME_CHAR = 6
W_NAME_PINYIN = 12
W_CODE = 20
W_MATERIAL = 4
W_MATERIAL_PINYIN = 2
W_DEPARTMENT = 3

MAX_TERM = 64
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
_SPLIT = re.compile(r"[\s,，、;；。.()（）《》“”\"'/]+")
# Words that say nothing about which item is meant.
STOP_WORDS = frozenset({"的", "了", "和", "与", "及", "或", "办理", "申请", "怎么", "如何", "在哪", "哪里", "需要", "什么"})


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba, with its dictionary loaded. Imported on first use: with its dictionary it takes
    about 100 MB, which a web process that never searches (or a worker) should not carry."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _words(text: str) -> list[str]:
    return [w.strip().lower() for w in _jieba().cut_for_search(text) if w.strip() and not _SPLIT.fullmatch(w)]


def _pinyin_terms(word: str) -> list[str]:
    if not _HAN.search(word):
        return []
    from pypinyin import Style, lazy_pinyin  # on first use: about 55 MB of phrase tables

    full = "".join(lazy_pinyin(word, errors="ignore"))
    initials = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore"))
    return [t for t in {full, initials} if t]


def terms_for(
    *, code: str, name: str, name_en: str, materials: Iterable[str], department: str
) -> dict[str, int]:
    """Every index term of one item with its weight (the strongest field wins)."""
    weights: dict[str, int] = {}

    def add(term: str, weight: int) -> None:
        term = term.strip().lower()[:MAX_TERM]
        if term and weights.get(term, 0) < weight:
            weights[term] = weight

    add(code, W_CODE)
    for word in _words(name):
        add(word, W_NAME)
        for p in _pinyin_terms(word):
            add(p, W_NAME_PINYIN)
    for p in _pinyin_terms(name):
        add(p, W_NAME_PINYIN)
    for char in set(_HAN.findall(name)):
        add(char, W_NAME_CHAR)
    for word in _LATIN_WORD.findall(name_en.lower()):
        add(word, W_NAME_PINYIN)
    for material in materials:
        for word in _words(material):
            if len(word) > 1:
                add(word, W_MATERIAL)
                for p in _pinyin_terms(word):
                    add(p, W_MATERIAL_PINYIN)
    for word in _words(department):
        if len(word) > 1:
            add(word, W_DEPARTMENT)
    return weights


def index_item(item: ServiceItem) -> None:
    """Replace the index rows of one item from its current published version."""
    SearchTerm.objects.filter(item=item).delete()
    version = item.current
    if version is None:
        return
    terms = terms_for(
        code=item.code,
        name=version.name,
        name_en=version.name_en,
        materials=version.materials.values_list("name", flat=True),
        department=version.department.name,
    )
    SearchTerm.objects.bulk_create([SearchTerm(term=t, item=item, weight=w) for t, w in terms.items()])


def rebuild_index() -> int:
    items = ServiceItem.objects.filter(current__isnull=False).select_related("current__department")
    count = 0
    for item in items.iterator(chunk_size=500):
        index_item(item)
        count += 1
    return count


@dataclass(frozen=True)
class Query:
    """A parsed query: Chinese words match exactly, Latin words as prefixes."""

    raw: str
    han: tuple[str, ...]
    latin: tuple[str, ...]

    @property
    def tokens(self) -> list[tuple[str, bool]]:
        return [(w, False) for w in self.han] + [(w, True) for w in self.latin]

    def __bool__(self) -> bool:
        return bool(self.han or self.latin)


def parse(raw: str) -> Query:
    raw = (raw or "").strip()[:100]
    han: list[str] = []
    latin: list[str] = []
    for chunk in _SPLIT.split(raw.lower()):
        if not chunk:
            continue
        if _HAN.search(chunk):
            for word in _jieba().cut(chunk):
                word = word.strip()
                if not word or _SPLIT.fullmatch(word):
                    continue
                if _HAN.search(word):
                    han.append(word[:MAX_TERM])
                else:
                    latin.extend(_LATIN_WORD.findall(word))
        else:
            latin.extend(_LATIN_WORD.findall(chunk))
    kept = [w for w in han if w not in STOP_WORDS]
    if kept or latin:
        han = kept
    return Query(raw=raw, han=tuple(dict.fromkeys(han)), latin=tuple(dict.fromkeys(t[:MAX_TERM] for t in latin)))


def _postings(token: str, prefix: bool) -> dict[int, int]:
    """item id → best weight of the terms this token matches (one index range scan)."""
    table = SearchTerm._meta.db_table
    if prefix:
        # A range instead of LIKE so that the B-tree index serves it on every database.
        sql = f"SELECT item_id, weight FROM {table} WHERE term >= %s AND term < %s"  # noqa: S608 - table name
        params: list[str] = [token, token + "\uffff"]
    else:
        sql = f"SELECT item_id, weight FROM {table} WHERE term = %s"  # noqa: S608 - table name
        params = [token]
    best: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for item_id, weight in cursor.fetchall():
            if weight > best.get(item_id, 0):
                best[item_id] = weight
    return best


def rank(query: Query, *, within: set[int] | None = None) -> tuple[list[tuple[int, int]], bool]:
    """Items ranked best first as (item id, score), and whether every token matched.

    Every token must match; when no item matches them all, items matching the most tokens
    come first. One index scan per token; the ranking is done here rather than with a
    GROUP BY, which keeps a search under a few milliseconds at 10 000 items."""
    postings = [_postings(token, prefix) for token, prefix in query.tokens]
    if not postings:
        return [], True
    scores: dict[int, int] = {}
    hits: dict[int, int] = {}
    for posting in postings:
        for item_id, weight in posting.items():
            if within is not None and item_id not in within:
                continue
            scores[item_id] = scores.get(item_id, 0) + weight
            hits[item_id] = hits.get(item_id, 0) + 1
    n = len(postings)
    every = [(i, sc) for i, sc in scores.items() if hits[i] == n]
    if every or n == 1:
        return sorted(every, key=lambda p: (-p[1], p[0])), True
    ranked = sorted(scores.items(), key=lambda p: (-hits[p[0]], -p[1], p[0]))
    return ranked, False


def highlight(text: str, query: Query) -> SafeString:
    """Wrap what the query matched in ``<mark>``: Chinese words, and for Latin input the
    characters whose pinyin or initials it spells."""
    if not text or not query:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    marked = [False] * len(text)
    lower = text.lower()
    for word in query.han:
        start = lower.find(word)
        while start != -1:
            for i in range(start, start + len(word)):
                marked[i] = True
            start = lower.find(word, start + 1)
    if query.latin:
        initials, fulls = _char_pinyin(text)
        for token in query.latin:
            for start in range(len(text)):
                if not _HAN.match(text[start]):
                    continue
                end = _spell(initials, start, token) or _spell(fulls, start, token)
                if end:
                    for i in range(start, end):
                        marked[i] = True
                    break
            else:
                start_en = lower.find(token)
                if start_en != -1:
                    for i in range(start_en, start_en + len(token)):
                        marked[i] = True
    out: list[str] = []
    inside = False
    for ch, m in zip(text, marked, strict=True):
        if m and not inside:
            out.append("<mark>")
        elif not m and inside:
            out.append("</mark>")
        inside = m
        out.append(escape(ch))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every character escaped above


def _blanks(chars: str) -> Any:
    """pypinyin's error handler: one empty syllable for each character without pinyin."""
    return [""] * len(chars)


@lru_cache(maxsize=50_000)
def _char_pinyin(text: str) -> tuple[list[str], list[str]]:
    """Initials and full pinyin of each character ("" for characters that have none). Names
    of materials repeat across thousands of items, so this is memoised."""
    from pypinyin import Style, lazy_pinyin  # on first use: about 55 MB of phrase tables

    def per_char(style: Style) -> list[str]:
        out = lazy_pinyin(text, style=style, errors=_blanks)
        if len(out) != len(text):  # segmentation did not keep one syllable a character
            out = [(lazy_pinyin(c, style=style, errors="ignore") or [""])[0] for c in text]
        return out

    return per_char(Style.FIRST_LETTER), per_char(Style.NORMAL)


def _spell(parts: list[str], start: int, token: str) -> int:
    """If the pinyin pieces from ``start`` spell ``token``, return the end index."""
    spelled = ""
    i = start
    while i < len(parts) and len(spelled) < len(token):
        if not parts[i]:
            return 0
        spelled += parts[i]
        i += 1
        if not token.startswith(spelled[: len(token)]):
            return 0
    return i if spelled.startswith(token) or (spelled == token) else 0
