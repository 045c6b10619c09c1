"""Reads of the knowledge base: suggestions for an operator while they type, the citizens'
self-service search, and the staff's work lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from onetrip.catalog import engine
from onetrip.knowledge import rules
from onetrip.knowledge.models import Article, ArticleState, Source, Topic
from onetrip.knowledge.plug import ITEM, KIND

CANDIDATES = 100  # hits read from the engine before validity and topic put them in order


@dataclass
class Suggestion:
    article: Article
    question: SafeString  # with the words matched highlighted
    topic_matched: bool


def current(on: dt.date | None = None) -> QuerySet[Article]:
    """Published articles inside their validity dates (``rules.is_current`` as a query)."""
    on = on or timezone.localdate()
    return Article.objects.filter(state=ArticleState.PUBLISHED).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


TOPIC_ORDER: list[str] = [Topic.MATERIALS, Topic.TIME, Topic.WHERE, Topic.FEES, Topic.ONLINE]


def suggest(text: str, *, limit: int = 5, on: dt.date | None = None) -> list[Suggestion]:
    """The current articles that best answer ``text``, best first.

    One engine search, over the catalogue's items and the articles people wrote, for what the
    question is about without its topic words (``rules.what_it_is_about``): an item found stands
    for the five articles written from its guide (they are not indexed themselves — the item's
    own document, with its materials, result and the people's words, finds them better and
    five times cheaper), an article for itself. In that order, the articles on the topic the
    question asks about (``rules.topics_asked``) go first. Then two queries."""
    text = (text or "").strip()[:200]
    if not text:
        return []
    found = engine.search(rules.what_it_is_about(text), kinds=(ITEM, KIND), limit=CANDIDATES)
    if not found.hits:
        return []
    item_rank = {h.doc.ref: n for n, h in enumerate(found.hits) if h.doc.kind == ITEM}
    article_rank = {h.doc.ref: n for n, h in enumerate(found.hits) if h.doc.kind == KIND}
    rows = current(on).filter(Q(pk__in=article_rank) | Q(source=Source.CATALOGUE, from_item_id__in=item_rank))
    topics = rules.topics_asked(text)
    keyed = []
    for pk, topic, source, item_id in rows.values_list("pk", "topic", "source", "from_item_id"):
        if source == Source.CATALOGUE and item_id in item_rank:
            position, within = item_rank[item_id], TOPIC_ORDER.index(topic) if topic in TOPIC_ORDER else 9
        elif pk in article_rank:
            position, within = article_rank[pk], 0
        else:
            continue
        keyed.append((topic not in topics, position, within, pk))
    ranked = [pk for *_k, pk in sorted(keyed)[:limit]]
    articles = Article.objects.select_related("owner").in_bulk(ranked)
    return [Suggestion(article=articles[pk], question=engine.highlight(articles[pk].question, found.analysis),
                       topic_matched=articles[pk].topic in topics) for pk in ranked]


def current_article(pk: Any) -> Article | None:
    """The current article with this id, or None (an unknown, unpublished or expired one)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return current().filter(pk=number).first()


def most_helpful(limit: int = 8) -> list[Article]:
    """For the self-service page before anyone searches: the articles most often said to help
    (then most used on calls)."""
    return list(current().select_related("owner").order_by("-helped", "-used_on_calls", "id")[:limit])


def review_queue() -> QuerySet[Article]:
    """Articles people wrote whose item's guide changed since: to check or correct."""
    return Article.objects.filter(needs_review=True).exclude(state=ArticleState.RETIRED).select_related(
        "owner").order_by("updated_at", "id")


def proposals(user: Any) -> QuerySet[Article]:
    """Proposed articles: a department sees those it owns; the centre sees all it proposed."""
    qs = Article.objects.filter(state=ArticleState.PROPOSED).select_related("owner", "created_by")
    if rules.may_edit(user):
        return qs.order_by("created_at", "id")
    return qs.filter(owner_id=getattr(user, "department_id", None) or -1).order_by("created_at", "id")


def browse(q: str = "", *, limit: int = 30) -> list[Article]:
    """The staff's list of articles: the current ones answering ``q`` (as suggested to the
    desk), else every article but the retired, the latest changed first."""
    q = (q or "").strip()[:200]
    if q:
        return [s.article for s in suggest(q, limit=limit)]
    return list(Article.objects.exclude(state=ArticleState.RETIRED).select_related("owner")[:limit])
