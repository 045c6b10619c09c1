"""12345 hotline tickets over the API (mounted under ``/api/v1``): the tickets a person may see,
one ticket with its history, registering a call (operators), and every action of the flow through
the one mover (``hotline.services.transition``: 409 ``wrong_state`` when the ticket has moved on,
403 when it is not the caller's to do, 400 with the fields when the input is wrong)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.cases.models import Case
from onetrip.catalog.models import ServiceItem
from onetrip.hotline import actions, rules, selectors, services
from onetrip.hotline.models import Ticket
from onetrip.knowledge import selectors as knowledge_selectors

router = Router(tags=["hotline"])


class HotlineEventOut(Schema):
    at: dt.datetime
    action: str
    sentence: str
    department: str
    note: str
    data: dict[str, Any]


class HotlineTicketOut(Schema):
    number: str
    kind: str
    kind_label: str
    channel: str
    state: str
    state_label: str
    text: str
    category: str
    location: str
    anonymous: bool
    caller_name: str = Field(..., description="In full for operators; masked (surname) for others; empty for "
                                              "an anonymous reporter.")
    caller_mobile: str = Field(..., description="In full for operators; masked for others; empty for an "
                                                "anonymous reporter.")
    department: str | None
    deadline: dt.date | None
    light: str
    answer: str
    extension_requested: int
    main: str | None = Field(..., description="The ticket this one is merged into.")
    actions: list[str] = Field(..., description="The actions the caller of the API may take now.")
    history: list[HotlineEventOut] | None = None


class HotlineTicketsIn(Schema):
    state: str = Field("", max_length=16, description="Only tickets in this state (e.g. ``dispatched``).")


class HotlineRegisterIn(Schema):
    kind: str = Field(..., description="consultation, help, complaint, report or suggestion")
    channel: str = Field("phone", description="phone, web, api or chat")
    text: str = text(max_length=4000)
    caller_name: str = Field("", max_length=50)
    caller_mobile: str = Field("", max_length=20)
    anonymous: bool = Field(False, strict=True, description="Reports only; the answer carries the query code, once.")
    category: str = Field("", max_length=100)
    location: str = Field("", max_length=200)
    case: str = Field("", max_length=32, description="The number of the case concerned, if any.")
    item: str = Field("", max_length=64, description="The code of the service item concerned, if any.")
    answer: str = Field("", max_length=4000, description="The answer given on the call: closes it at once.")
    article: int = Field(0, ge=0, strict=True, description="With ``answer``: the knowledge-base article the answer "
                                                          "came from (its use is counted).")


class HotlineRegisteredOut(Schema):
    ticket: HotlineTicketOut
    query_code: str = Field(..., description="An anonymous reporter's query code, shown only in this answer.")


class HotlineActionIn(Schema):
    department: str = Field("", max_length=32, description="dispatch: the department's code")
    note: str = Field("", max_length=1000)
    reason: str = Field("", max_length=32, description="return_ticket: not_our_remit, another_level, unclear, other")
    days: int = Field(0, ge=0, le=60, strict=True, description="request_extension: more working days")
    reasons: str = Field("", max_length=1000)
    answer: str = Field("", max_length=4000, description="reply, answer_at_once: the answer; return_visit: "
                                                         "satisfied, basically_satisfied or not_satisfied")
    main: str = Field("", max_length=32, description="merge: the number of the ticket to merge into")


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if not (can(user, Capability.WORK_HOTLINE) or can(user, Capability.HANDLE_HOTLINE)
            or can(user, Capability.SUPERVISE)):
        raise HttpError(403, "Only the hotline centre, the departments and supervisors see tickets.")
    return user  # type: ignore[no-any-return]


def _ticket(user: User, number: str) -> Ticket:
    t = Ticket.objects.select_related("department", "main").filter(number=number).first()
    if t is None or not rules.may_view(user, t):
        raise HttpError(404, "No such ticket that you may see.")
    return t


def _out(t: Ticket, user: User, *, history: bool = False) -> dict[str, Any]:
    caller = selectors.caller_for(user, t)
    out: dict[str, Any] = {
        "number": t.number, "kind": t.kind, "kind_label": t.get_kind_display(), "channel": t.channel,
        "state": t.state, "state_label": t.get_state_display(), "text": t.text, "category": t.category,
        "location": t.location, "anonymous": t.anonymous, "caller_name": caller.name,
        "caller_mobile": caller.mobile, "department": t.department.name if t.department else None,
        "deadline": t.deadline, "light": t.light, "answer": t.answer, "extension_requested": t.extension_requested,
        "main": t.main.number if t.main else None, "actions": services.actions_for(t, user)}
    if history:
        out["history"] = [{"at": e.at, "action": e.action, "sentence": actions.event_label(e.action),
                           "department": e.department.name if e.department else "", "note": e.note, "data": e.data}
                          for e in t.events.select_related("department").order_by("at", "id")]
    return out


@router.get("/hotline/tickets", response=answers({200: list[HotlineTicketOut]}, 400, 401, 403), auth=token_or_session,
            summary="Hotline tickets (12345工单) you may see")
def tickets(request: HttpRequest, q: Query[HotlineTicketsIn]) -> Any:
    """Every ticket for operators and supervisors, the department's own for its staff; soonest
    deadline first, at most 200."""
    user = _user(request)
    qs = selectors.visible_to(user)
    if q.state:
        qs = qs.filter(state=q.state)
    return [_out(t, user) for t in qs.order_by("deadline", "id")[:200]]


@router.post("/hotline/tickets", response=answers({201: HotlineRegisteredOut}, 400, 401, 403), auth=token_or_session,
             summary="Register a call (受理)")
def register(request: HttpRequest, payload: HotlineRegisterIn) -> Any:
    """An operator registers a request; with ``answer`` it is closed at first contact."""
    user = _user(request)
    if not rules.is_operator(user):
        raise HttpError(403, "Only a hotline operator registers requests here.")
    case = Case.objects.filter(number=payload.case).first() if payload.case else None
    item = ServiceItem.objects.filter(code=payload.item).first() if payload.item else None
    if (payload.case and case is None) or (payload.item and item is None):
        raise HttpError(400, "No case with this number, or no item with this code.")
    article = knowledge_selectors.current_article(payload.article) if payload.article else None
    if payload.article and (article is None or not payload.answer):
        raise HttpError(400, "No current knowledge-base article has this id, or no answer was given with it.")
    reg = services.register_ticket(actor=user, kind=payload.kind, channel=payload.channel, text=payload.text,
                                   caller_name=payload.caller_name, caller_mobile=payload.caller_mobile,
                                   anonymous=payload.anonymous, category=payload.category,
                                   location=payload.location, case=case, item=item, answer=payload.answer,
                                   article=article)
    return Status(201, {"ticket": _out(reg.ticket, user), "query_code": reg.query_code})


@router.get("/hotline/tickets/{number}", response=answers({200: HotlineTicketOut}, 401, 403, 404), auth=token_or_session,
            summary="One hotline ticket with its history")
def ticket(request: HttpRequest, number: str) -> Any:
    user = _user(request)
    return _out(_ticket(user, number), user, history=True)


@router.post("/hotline/tickets/{number}/actions/{action}",
             response=answers({200: HotlineTicketOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Take an action on a ticket (派单, 签收, 退单, 延期, 答复, 办结, 回访, 并单)")
def act(request: HttpRequest, number: str, action: str, payload: HotlineActionIn) -> Any:
    """``action`` is one of: dispatch, answer_at_once, acknowledge, return_ticket, request_extension,
    approve_extension, refuse_extension, reply, finish, return_visit, merge. The fields each one
    reads are described on the body."""
    user = _user(request)
    t = _ticket(user, number)
    if actions.get(action) is None:
        raise HttpError(404, "No such action.")
    data: dict[str, Any] = payload.dict()
    if action == "dispatch":
        data["department"] = Department.objects.filter(code=payload.department).first()
    t = services.transition(ticket=t, action=action, actor=user, data=data)
    return _out(t, user, history=True)
