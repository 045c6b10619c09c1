"""The knowledge base over the API (mounted under ``/api/v1``): the answers anyone may search
(the same engine and order as the self-service page), one answer, "did it help?", and the
operators' suggestions while they type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.core.ratelimit import client_address
from onetrip.knowledge import selectors, services
from onetrip.knowledge.models import Article, Feedback

router = Router(tags=["knowledge"])


class KnowledgeItemOut(Schema):
    code: str
    name: str


class KnowledgeArticleOut(Schema):
    id: int
    question: str
    answer: str
    tags: str
    topic: str = Field(..., description="materials, time, where, fees, online (written from a guide) or other")
    source: str = Field(..., description="catalogue (written from the guide), written, or ticket (promoted)")
    owner: str | None = Field(..., description="The department that owns the answer.")
    items: list[KnowledgeItemOut]
    updated_at: dt.datetime
    valid_to: dt.date | None
    helped: int
    not_helped: int


class KnowledgeSearchIn(Schema):
    q: str = text(max_length=200, description="A question in anyone's words (Chinese, pinyin, typos welcome).")
    limit: int = Field(5, ge=1, le=20)


class KnowledgeSuggestIn(Schema):
    q: str = Field("", max_length=200, description="What the operator has typed so far (empty: no suggestions).")
    limit: int = Field(5, ge=1, le=20)


class KnowledgeFeedbackIn(Schema):
    helped: bool = Field(..., strict=True, description="Whether the answer helped.")


class KnowledgeFeedbackOut(Schema):
    helped: int
    not_helped: int


def _out(a: Article) -> dict[str, Any]:
    return {"id": a.pk, "question": a.question, "answer": a.answer, "tags": a.tags, "topic": a.topic,
            "source": a.source, "owner": a.owner.name if a.owner else None,
            "items": [{"code": i.code, "name": i.current.name if i.current else ""}
                      for i in a.items.select_related("current")],
            "updated_at": a.updated_at, "valid_to": a.valid_to, "helped": a.helped, "not_helped": a.not_helped}


@router.get("/knowledge/articles", response=answers({200: list[KnowledgeArticleOut]}, 400),
            summary="Search the knowledge base (知识库)")
def search(request: HttpRequest, q: Query[KnowledgeSearchIn]) -> Any:
    """The current answers to a question, best first: the article on the topic the question asks
    about (what to bring, how long, where, fees, online) ahead of the others."""
    return [_out(s.article) for s in selectors.suggest(q.q, limit=q.limit)]


@router.get("/knowledge/articles/{article_id}", response=answers({200: KnowledgeArticleOut}, 404),
            summary="One knowledge-base answer")
def article(request: HttpRequest, article_id: int) -> Any:
    a = selectors.current_article(article_id)
    if a is None:
        raise HttpError(404, "No current article has this id.")
    return _out(a)


@router.post("/knowledge/articles/{article_id}/feedback", response=answers({201: KnowledgeFeedbackOut}, 400, 404, 429),
             summary="Say whether an answer helped")
def feedback(request: HttpRequest, article_id: int, payload: KnowledgeFeedbackIn) -> Any:
    """Counted without personal data; an address answers at most KNOWLEDGE_FEEDBACK_PER_HOUR times an hour."""
    a = selectors.current_article(article_id)
    if a is None:
        raise HttpError(404, "No current article has this id.")
    try:
        services.record_feedback(article=a, helped=payload.helped, where=Feedback.Where.API,
                                 client=client_address(request))
    except services.Throttled:
        raise HttpError(429, "Too many answers from this address; try again in an hour.") from None
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from None
    a.refresh_from_db(fields=["helped", "not_helped"])
    return Status(201, {"helped": a.helped, "not_helped": a.not_helped})


@router.get("/knowledge/suggestions", response=answers({200: list[KnowledgeArticleOut]}, 400, 401, 403),
            auth=token_or_session, summary="Suggested answers for an operator (while typing)")
def suggestions(request: HttpRequest, q: Query[KnowledgeSuggestIn]) -> Any:
    """What the operator desk shows while the operator types: as the search, for the hotline centre."""
    user = request.auth  # type: ignore[attr-defined]
    if not (can(user, Capability.WORK_HOTLINE) or can(user, Capability.EDIT_KNOWLEDGE)):
        raise HttpError(403, "Only the hotline centre gets suggestions.")
    return [_out(s.article) for s in selectors.suggest(q.q, limit=q.limit)]
