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
from onetrip.knowledge.models import Article, ArticleState
from onetrip.knowledge.plug import KIND

CANDIDATES = 40  # hits read from the engine before validity and topic put them in order


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


def suggest(text: str, *, limit: int = 5, on: dt.date | None = None) -> list[Suggestion]:
    """The current articles that best answer ``text``, best first: the engine's order (a name
    match first, then words, homophones and synonyms), with the articles on the topic the
    question asks about (``rules.topics_asked``) moved ahead of the others. One engine search
    and one query."""
    text = (text or "").strip()[:200]
    if not text:
        return []
    found = engine.search(text, kinds=(KIND,), limit=CANDIDATES)
    if not found.hits:
        return []
    order = [h.doc.ref for h in found.hits]
    articles = {a.pk: a for a in current(on).select_related("owner").filter(pk__in=order)}
    topics = rules.topics_asked(text)
    ranked = [(pk, n) for n, pk in enumerate(order) if pk in articles]
    ranked.sort(key=lambda p: (articles[p[0]].topic not in topics, p[1]))
    return [Suggestion(article=articles[pk], question=engine.highlight(articles[pk].question, found.analysis),
                       topic_matched=articles[pk].topic in topics) for pk, _n in ranked[:limit]]


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


def browse(q: str = "", *, limit: int = 50) -> list[Article]:
    """The staff's list of articles: by search when ``q`` is given, else the latest changed."""
    q = (q or "").strip()[:200]
    if q:
        found = engine.search(q, kinds=(KIND,), limit=limit)
        ids = [h.doc.ref for h in found.hits]
        by_id = Article.objects.select_related("owner").in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]
    return list(Article.objects.exclude(state=ArticleState.RETIRED).select_related("owner")[:limit])
