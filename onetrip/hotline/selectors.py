"""Reads of the 12345 hotline: lists for the desk and the department, a ticket's history as
sentences, what a viewer sees of the caller, duplicate suggestions, and the citizen's look-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from onetrip.core import identity
from onetrip.hotline import actions, rules
from onetrip.hotline.models import OPEN_STATES, Ticket, TicketState


@dataclass(frozen=True)
class Caller:
    name: str
    mobile: str
    hidden: bool  # an anonymous reporter: shown as such, nothing else


def caller_for(user: Any, ticket: Ticket) -> Caller:
    """The caller as this viewer may see them (``rules.caller_visibility``)."""
    seen = rules.caller_visibility(user, ticket)
    if seen == "hidden":
        return Caller(name="", mobile="", hidden=True)
    if seen == "full":
        return Caller(name=ticket.caller_name, mobile=ticket.caller_mobile, hidden=ticket.anonymous)
    return Caller(name=identity.mask_name(ticket.caller_name), mobile=identity.mask_mobile(ticket.caller_mobile),
                  hidden=False)


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    sentence: str
    department: str
    note: str
    data: dict[str, Any]
    actor: str  # staff only


def history(ticket: Ticket, *, public_only: bool = False) -> list[Line]:
    """The ticket's events in order, each as its sentence; the caller sees the public ones, without
    the names of staff."""
    events = ticket.events.select_related("department", "actor").order_by("at", "id")
    if public_only:
        events = events.filter(public=True)
    return [Line(at=e.at, sentence=actions.event_label(e.action),
                 department=e.department.name if e.department is not None else "", note=e.note, data=e.data,
                 actor="" if public_only or e.actor is None else (e.actor.real_name or e.actor.username))
            for e in events]


def visible_to(user: Any) -> QuerySet[Ticket]:
    """Every ticket for operators and supervisors; a department's own for its staff; none else."""
    qs = Ticket.objects.select_related("department")
    if rules.is_operator(user) or rules.reads_all(user):
        return qs
    if rules.can_handle_tickets(user) and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def desk(user: Any) -> QuerySet[Ticket]:
    """The operator's work: open tickets (returned ones and pending extensions first), then the
    finished ones waiting for a return visit."""
    return visible_to(user).filter(Q(state__in=OPEN_STATES) | Q(state=TicketState.FINISHED)).order_by(
        "deadline", "id")


def department_inbox(user: Any) -> QuerySet[Ticket]:
    """A department's tickets still to acknowledge, handle or finish, soonest deadline first."""
    return visible_to(user).filter(state__in=(TicketState.DISPATCHED, TicketState.IN_PROGRESS,
                                              TicketState.REPLIED)).order_by("deadline", "id")


def duplicates_of(ticket: Ticket) -> list[Ticket]:
    """Tickets from the same caller within the period that read alike (``rules.likely_duplicates``)."""
    if not ticket.caller_mobile and not ticket.caller_id:
        return []
    since = ticket.created_at - dt.timedelta(days=int(getattr(settings, "HOTLINE_DUPLICATE_DAYS", 30)))
    same = Q(caller_mobile=ticket.caller_mobile) if ticket.caller_mobile else Q(caller_id=ticket.caller_id)
    candidates = Ticket.objects.filter(same, created_at__gte=since).exclude(pk=ticket.pk).exclude(
        state=TicketState.MERGED)[:200]
    return rules.likely_duplicates(ticket, candidates)


def by_query_code(code: str) -> Ticket | None:
    """An anonymous reporter follows their report with the code they were given (only its hash is
    kept)."""
    code = "".join((code or "").split()).upper()
    if len(code) != rules.QUERY_CODE_LENGTH:
        return None
    return Ticket.objects.filter(query_code_hash=Ticket.hash_code(code)).first()


def by_number_and_mobile(number: str, mobile: str) -> Ticket | None:
    """A named caller follows their ticket with its number and their mobile, as for a case."""
    number, mobile = (number or "").strip(), "".join((mobile or "").split())
    if not number or not mobile:
        return None
    return Ticket.objects.filter(number=number, caller_mobile=mobile, anonymous=False).first()


def overdue(day: dt.date | None = None) -> QuerySet[Ticket]:
    """Open tickets past their deadline (an index lookup on state and deadline)."""
    day = day or timezone.localdate()
    return Ticket.objects.filter(state__in=OPEN_STATES, deadline__lt=day)


def case_panel(case: Any, user: Any, audience: str) -> dict[str, Any] | None:
    """一件投诉关联办件: the hotline tickets about a case, on its staff workbench (the caller masked
    as the viewer's role requires is not shown here at all: only the request)."""
    if case.pk is None:
        return None
    tickets = list(Ticket.objects.filter(case=case).order_by("created_at", "id"))
    if not tickets:
        return None
    return {"tickets": [(t, rules.may_view(user, t)) for t in tickets]}
