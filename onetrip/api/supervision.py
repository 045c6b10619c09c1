"""E-supervision over the API (mounted under ``/api/v1``): cards (黄牌 / 红牌) with their appeals
and decisions, and supervision orders (督办) with the department's reply. The supervisor sees all;
a department's officers and head see their department's."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers
from onetrip.cases.models import Case
from onetrip.supervision import selectors, services, subjects
from onetrip.supervision.models import Card, Order

router = Router(tags=["supervision"])


class CardOut(Schema):
    id: int
    colour: Literal["yellow", "red"]
    colour_label: str
    reason: Literal["violation", "long_overdue", "repeated", "order_overdue", "ticket_overdue", "ticket_ack_late"]
    reason_label: str
    detail: str
    department: str
    case: str | None
    window: str | None = Field(..., description="The hall window where the carded act happened, if at one.")
    issued_at: dt.datetime
    status: Literal["issued", "appealed", "upheld", "withdrawn"]
    status_label: str
    appeal_reasons: str
    decision_note: str


class OrderOut(Schema):
    id: int
    department: str
    case: str | None
    about_kind: str | None = Field(..., description="What other matter the order is about (e.g. hotline.ticket), "
                                   "or null.")
    about: str | None = Field(..., description="Its number (a hotline ticket's number), or null.")
    subject: str
    instructions: str
    issued_on: dt.date
    workdays: int
    due_on: dt.date
    status: Literal["open", "replied", "closed"]
    status_label: str
    reply: str
    closing_note: str


class ListIn(Schema):
    department: int = Field(0, ge=0, le=2**31 - 1, description="Supervisors: one department only (0: all).")
    status: str = Field("", max_length=16)


class AppealIn(Schema):
    reasons: str = Field(..., max_length=2000)
    evidence: str = Field("", max_length=2000)


class DecisionIn(Schema):
    decision: Literal["uphold", "withdraw"]
    note: str = Field(..., max_length=2000)


class OrderIn(Schema):
    case: str = Field("", max_length=40, description="A case number: the order goes to the case's department.")
    about_kind: str = Field("", max_length=40, description="Another kind of matter: hotline.ticket.")
    about: str = Field("", max_length=40, description="With about_kind: its number (a hotline ticket's number); the "
                       "order goes to the department handling it.")
    department: int = Field(0, ge=0, le=2**31 - 1, strict=True, description="Without a case: the department's id.")
    subject: str = Field(..., max_length=200)
    instructions: str = Field(..., max_length=4000)
    workdays: int = Field(0, ge=0, le=60, strict=True,
                          description="Working days to reply (0, the default: SUPERVISION_ORDER_WORKDAYS).")


class ReplyIn(Schema):
    reply: str = Field(..., max_length=4000)


class OrderCloseIn(Schema):
    decision: Literal["close", "return"]
    note: str = Field("", max_length=2000)


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _card_out(c: Card) -> dict[str, Any]:
    return {"id": c.pk, "colour": c.colour, "colour_label": c.get_colour_display(), "reason": c.reason,
            "reason_label": c.get_reason_display(), "detail": c.detail, "department": c.department.name,
            "case": c.case.number if c.case else None,
            "window": f"{c.window.area.name} {c.window}" if c.window else None, "issued_at": c.issued_at, "status": c.status,
            "status_label": c.get_status_display(), "appeal_reasons": c.appeal_reasons,
            "decision_note": c.decision_note}


def _order_out(o: Order) -> dict[str, Any]:
    return {"id": o.pk, "department": o.department.name, "case": o.case.number if o.case else None,
            "about_kind": subjects.split(o.about)[0] or None, "about": o.about_label or None,
            "subject": o.subject, "instructions": o.instructions, "issued_on": o.issued_on, "workdays": o.workdays,
            "due_on": o.due_on, "status": o.status, "status_label": o.get_status_display(), "reply": o.reply,
            "closing_note": o.closing_note}


def _scope(user: User, department: int | None) -> int | None:
    """The department whose cards and orders this user may list (None: all, for a supervisor)."""
    if can(user, Capability.SUPERVISE):
        return department
    if can(user, Capability.ANSWER_SUPERVISION) and user.department_id:
        return int(user.department_id)
    raise HttpError(403, "Cards and orders are for supervisors and the departments concerned.")


def _card(user: User, pk: int) -> Card:
    qs = Card.objects.select_related("department", "case", "window__area")
    if not can(user, Capability.SUPERVISE):
        qs = qs.filter(department_id=user.department_id or 0)
    card = qs.filter(pk=pk).first()
    if card is None:
        raise HttpError(404, f"No card {pk} that you may see.")
    return card


def _order(user: User, pk: int) -> Order:
    qs = Order.objects.select_related("department", "case")
    if not can(user, Capability.SUPERVISE):
        qs = qs.filter(department_id=user.department_id or 0)
    order = qs.filter(pk=pk).first()
    if order is None:
        raise HttpError(404, f"No supervision order {pk} that you may see.")
    return order


@router.get("/supervision/cards", response=answers({200: list[CardOut]}, 400, 401, 403), auth=token_or_session)
def list_cards(request: HttpRequest, params: Query[ListIn]) -> Any:
    """Yellow and red cards, newest first (at most 200)."""
    department = _scope(_user(request), params.department or None)
    return [_card_out(c) for c in selectors.cards(selectors.DeskFilter(department=department),
                                                  status=params.status)[:200]]


@router.post("/supervision/cards/{card_id}/appeal", response=answers({200: CardOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def appeal_card(request: HttpRequest, card_id: int, payload: AppealIn) -> Any:
    """申诉: the carded department's head appeals once, with reasons and evidence."""
    card = services.appeal_card(actor=_user(request), card=_card(_user(request), card_id), reasons=payload.reasons,
                                evidence=payload.evidence)
    return _card_out(card)


@router.post("/supervision/cards/{card_id}/decision", response=answers({200: CardOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def decide_card(request: HttpRequest, card_id: int, payload: DecisionIn) -> Any:
    """The supervisor upholds or withdraws an appealed card (a withdrawn card no longer counts)."""
    if not can(_user(request), Capability.SUPERVISE):
        raise HttpError(403, "Only a supervisor decides appeals.")
    card = services.decide_appeal(actor=_user(request), card=_card(_user(request), card_id),
                                  uphold=payload.decision == "uphold", note=payload.note)
    return _card_out(card)


@router.get("/supervision/orders", response=answers({200: list[OrderOut]}, 400, 401, 403), auth=token_or_session)
def list_orders(request: HttpRequest, params: Query[ListIn]) -> Any:
    """Supervision orders, newest first (at most 200)."""
    department = _scope(_user(request), params.department or None)
    return [_order_out(o) for o in selectors.orders(selectors.DeskFilter(department=department),
                                                    status=params.status)[:200]]


@router.post("/supervision/orders", response=answers({201: OrderOut}, 400, 401, 403, 404), auth=token_or_session)
def issue_order(request: HttpRequest, payload: OrderIn) -> Any:
    """督办: a supervisor orders a department (the case's, for a case) to act within working days."""
    if not can(_user(request), Capability.SUPERVISE):
        raise HttpError(403, "Only a supervisor issues supervision orders.")
    case = None
    if payload.case:
        case = Case.objects.filter(number=payload.case).select_related("department").first()
        if case is None:
            raise HttpError(404, f"No case {payload.case}.")
    about = None
    if payload.about_kind or payload.about:
        if payload.about_kind not in subjects.KINDS:
            raise HttpError(400, f"about_kind must be one of: {', '.join(sorted(subjects.KINDS))}.")
        about = subjects.find(payload.about_kind, payload.about)
        if about is None:
            raise HttpError(404, f"No {payload.about_kind} {payload.about}.")
    department = Department.objects.filter(pk=payload.department).first() if payload.department else None
    order = services.issue_order(actor=_user(request), department=department, case=case, about=about,
                                 subject=payload.subject, instructions=payload.instructions,
                                 workdays=payload.workdays or None)
    return Status(201, _order_out(order))


@router.post("/supervision/orders/{order_id}/reply", response=answers({200: OrderOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def reply_order(request: HttpRequest, order_id: int, payload: ReplyIn) -> Any:
    """The ordered department replies with what it did."""
    order = services.reply_order(actor=_user(request), order=_order(_user(request), order_id), reply=payload.reply)
    return _order_out(order)


@router.post("/supervision/orders/{order_id}/close", response=answers({200: OrderOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def close_order(request: HttpRequest, order_id: int, payload: OrderCloseIn) -> Any:
    """The supervisor closes a replied order, or sends it back with a note (a new time limit)."""
    if not can(_user(request), Capability.SUPERVISE):
        raise HttpError(403, "Only a supervisor closes supervision orders.")
    order = services.close_order(actor=_user(request), order=_order(_user(request), order_id),
                                 accept=payload.decision == "close", note=payload.note)
    return _order_out(order)
