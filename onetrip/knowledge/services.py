"""Writes to the knowledge base. Each one in a transaction, with the acting user explicit,
writing its trail entry and telling the search index (``engine.touch(KNOWLEDGE)``) when what
people can find changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department, User
from onetrip.cases.rules import check_length, too_long
from onetrip.catalog import engine
from onetrip.catalog.models import ItemVersion, ServiceItem
from onetrip.core import trail
from onetrip.knowledge import rules, writing
from onetrip.knowledge.models import Article, ArticleState, Feedback, Source

KNOWLEDGE = "knowledge"  # the search stamp of articles


class Throttled(Exception):
    """Too many answers from one address."""


def clean_text(*, question: str, answer: str, tags: str, valid_from: dt.date | None,
           valid_to: dt.date | None) -> tuple[str, str, str]:
    """An article's words, stripped; a ValidationError naming every field that is wrong."""
    question, answer, tags = (question or "").strip(), (answer or "").replace("\r\n", "\n").strip(), (tags or "").strip()
    errors: dict[str, list[str]] = {}
    if not question:
        errors["question"] = [_("Write the question as people ask it.")]
    if not answer:
        errors["answer"] = [_("Write the answer.")]
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end of validity comes before its start.")]
    for field, value, limit in (("question", question, 200), ("answer", answer, 4000), ("tags", tags, 200)):
        message = too_long(value, limit)
        if message and field not in errors:
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    return question, answer, tags


def _require_editor(actor: User) -> None:
    if not rules.may_edit(actor):
        raise PermissionDenied(_("Only the hotline centre and catalogue admins write articles."))


def _links(article: Article, items: Iterable[ServiceItem] | None, departments: Iterable[Department] | None) -> None:
    if items is not None:
        article.items.set(list(items))
    if departments is not None:
        article.departments.set(list(departments))


def _lock_changeable(article: Article) -> Article:
    """The article, locked, if people may still change it: not written from a guide (the guide
    is its source) and not retired."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not rules.may_change(article):
        raise ValidationError(_("This article is written from the service guide: change the guide instead."))
    if article.state == ArticleState.RETIRED:
        raise ValidationError(_("This article is retired."))
    return article


@transaction.atomic
def write_from_guides(versions: Sequence[ItemVersion]) -> list[Article]:
    """指南生成: each newly published version rewrites its item's five articles (created the first
    time), and puts up for review the articles people wrote about the item."""
    now = timezone.now()
    written: list[Article] = []
    for version in ItemVersion.objects.filter(pk__in=[v.pk for v in versions]).select_related(
            "item", "department").prefetch_related("materials", "fees"):
        item = version.item
        for w in writing.from_guide(version):
            article, created = Article.objects.select_for_update().get_or_create(
                source=Source.CATALOGUE, from_item=item, topic=w.topic,
                defaults={"question": w.question, "answer": w.answer, "from_version": version,
                          "owner": version.department, "created_at": now, "updated_at": now})
            if not created:
                Article.objects.filter(pk=article.pk).update(
                    question=w.question, answer=w.answer, from_version=version, owner=version.department,
                    state=ArticleState.PUBLISHED, updated_at=now)
            article.items.set([item])
            article.departments.set([version.department])
            written.append(article)
        flagged = [a.pk for a in Article.objects.filter(items=item).exclude(source=Source.CATALOGUE)
                   if rules.flagged_by_new_guide(a)]
        if flagged:
            Article.objects.filter(pk__in=flagged).update(
                needs_review=True, review_reason=_("The guide of %(code)s was published as version %(n)d.") % {
                    "code": item.code, "n": version.number})
        trail.record(actor=None, action="knowledge.guide_articles", obj=item,
                     summary={"item": item.code, "version": version.number, "articles": 5, "flagged": flagged})
    engine.touch(KNOWLEDGE)
    return written


@transaction.atomic
def create_article(*, actor: User, question: str, answer: str, tags: str = "",
                   items: Iterable[ServiceItem] = (), departments: Iterable[Department] = (),
                   owner: Department | None = None, valid_from: dt.date | None = None,
                   valid_to: dt.date | None = None) -> Article:
    """An article written by the hotline centre or a catalogue admin, published at once."""
    _require_editor(actor)
    question, answer, tags = clean_text(question=question, answer=answer, tags=tags, valid_from=valid_from,
                                    valid_to=valid_to)
    now = timezone.now()
    article = Article.objects.create(question=question, answer=answer, tags=tags, owner=owner,
                                     valid_from=valid_from, valid_to=valid_to, source=Source.WRITTEN,
                                     state=ArticleState.PUBLISHED, created_by=actor, created_at=now, updated_at=now)
    _links(article, items, departments)
    trail.record(actor=actor, action="knowledge.create", obj=article, summary={"question": question})
    engine.touch(KNOWLEDGE)
    return article


@transaction.atomic
def update_article(*, actor: User, article: Article, question: str, answer: str, tags: str = "",
                   items: Iterable[ServiceItem] | None = None, departments: Iterable[Department] | None = None,
                   owner: Department | None = None, valid_from: dt.date | None = None,
                   valid_to: dt.date | None = None) -> Article:
    """Correct an article people wrote (which also settles a review flag)."""
    _require_editor(actor)
    article = _lock_changeable(article)
    question, answer, tags = clean_text(question=question, answer=answer, tags=tags, valid_from=valid_from,
                                    valid_to=valid_to)
    before = {"question": article.question, "answer": article.answer}
    article.question, article.answer, article.tags = question, answer, tags
    article.owner, article.valid_from, article.valid_to = owner, valid_from, valid_to
    article.needs_review, article.review_reason, article.updated_at = False, "", timezone.now()
    article.save()
    _links(article, items, departments)
    trail.record(actor=actor, action="knowledge.update", obj=article,
                 summary={"before": before, "question": question, "answer_changed": before["answer"] != answer})
    engine.touch(KNOWLEDGE)
    return article


@transaction.atomic
def mark_reviewed(*, actor: User, article: Article) -> Article:
    """复核: the article still holds after the guide changed; the flag goes."""
    _require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.needs_review:
        raise ValidationError(_("This article is not flagged for review."))
    article.needs_review, article.review_reason, article.updated_at = False, "", timezone.now()
    article.save(update_fields=["needs_review", "review_reason", "updated_at"])
    trail.record(actor=actor, action="knowledge.reviewed", obj=article, summary={})
    return article


@transaction.atomic
def propose_from_ticket(*, actor: User, ticket_number: str, question: str, answer: str, owner: Department | None,
                        tags: str = "", items: Iterable[ServiceItem] = ()) -> Article:
    """工单转知识: an operator proposes a ticket's good answer as an article; the owner department
    approves it (``decide``) before anyone sees it."""
    _require_editor(actor)
    if owner is None:
        raise ValidationError({"owner": [_("Choose the department that owns the answer.")]})
    question, answer, tags = clean_text(question=question, answer=answer, tags=tags, valid_from=None, valid_to=None)
    now = timezone.now()
    article = Article.objects.create(question=question, answer=answer, tags=tags, owner=owner,
                                     source=Source.TICKET, state=ArticleState.PROPOSED,
                                     from_ticket=(ticket_number or "")[:32], created_by=actor,
                                     created_at=now, updated_at=now)
    _links(article, items, [owner])
    trail.record(actor=actor, action="knowledge.propose", obj=article,
                 summary={"ticket": article.from_ticket, "owner": owner.code, "question": question})
    return article


@transaction.atomic
def decide(*, actor: User, article: Article, approve: bool, note: str = "") -> Article:
    """The owner department approves a proposed article (published) or rejects it, with reasons."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.state != ArticleState.PROPOSED:
        raise ValidationError(_("This article is not waiting for approval."))
    if not rules.may_approve(actor, article):
        raise PermissionDenied(_("Only the owner department approves this article."))
    note = check_length("note", (note or "").strip(), 1000)
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the answer is not approved.")]})
    article.state = ArticleState.PUBLISHED if approve else ArticleState.REJECTED
    article.decided_by, article.decided_at, article.decision_note = actor, timezone.now(), note
    article.updated_at = article.decided_at
    article.save()
    trail.record(actor=actor, action="knowledge.approve" if approve else "knowledge.reject", obj=article,
                 summary={"note": note})
    if approve:
        engine.touch(KNOWLEDGE)
    return article


@transaction.atomic
def retire(*, actor: User, article: Article, reason: str) -> Article:
    """Take an article people wrote out of use, with the reason."""
    _require_editor(actor)
    article = _lock_changeable(article)
    reason = check_length("reason", (reason or "").strip(), 300)
    if not reason:
        raise ValidationError({"reason": [_("Say why the article is retired.")]})
    article.state, article.needs_review, article.updated_at = ArticleState.RETIRED, False, timezone.now()
    article.save(update_fields=["state", "needs_review", "updated_at"])
    trail.record(actor=actor, action="knowledge.retire", obj=article, summary={"reason": reason})
    engine.touch(KNOWLEDGE)
    return article


def record_feedback(*, article: Article, helped: bool, where: str, client: str = "") -> None:
    """帮助评价: one "it helped" or "it did not help", counted without personal data; an address
    answers at most KNOWLEDGE_FEEDBACK_PER_HOUR times an hour."""
    from onetrip.core import ratelimit

    if where not in Feedback.Where.values:
        raise ValidationError(_("Unknown channel."))
    fresh = Article.objects.filter(pk=article.pk).first()
    if fresh is None or not rules.is_current(fresh, timezone.localdate()):
        raise ValidationError(_("This article is no longer in use."))
    if client and not ratelimit.hit(f"knowledge-feedback:{client}", limit=settings.KNOWLEDGE_FEEDBACK_PER_HOUR,
                                    window=dt.timedelta(hours=1)):
        raise Throttled
    with transaction.atomic():
        Feedback.objects.create(article=article, helped=helped, where=where, at=timezone.now())
        field = "helped" if helped else "not_helped"
        Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


def record_use(*, article: Article) -> None:
    """An operator answered a call with the article (called inside the ticket's transaction)."""
    Article.objects.filter(pk=article.pk).update(used_on_calls=F("used_on_calls") + 1)
