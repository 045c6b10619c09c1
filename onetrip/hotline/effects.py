"""What each action does to a ticket, beyond its state (the mover sets that, saves, writes the
history, the trail and the caller's SMS). Each effect checks its input and refuses with a
``ValidationError`` naming the field; nothing is written then. ``event`` collects what the history
keeps: ``note`` (what was said), ``data`` (figures), ``department``; ``notify`` False: no SMS."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department
from onetrip.cases.rules import Refused, check_length
from onetrip.hotline import rules
from onetrip.hotline.models import ReturnReason, Ticket, TicketState, VisitAnswer

if TYPE_CHECKING:
    from onetrip.accounts.models import User

ANSWER_MAX = 4000
NOTE_MAX = 1000


def warning_workdays() -> int:
    return int(getattr(settings, "WARNING_WORKDAYS", 2))


def _text(data: dict[str, Any], field: str, limit: int, message: str) -> str:
    value = str(data.get(field) or "").replace("\r\n", "\n").strip()  # a form's line breaks as stored
    if not value:
        raise ValidationError({field: [message]})
    return check_length(field, value, limit)


def answer_at_once(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                   event: dict[str, Any]) -> str | None:
    answer = _text(data, "answer", ANSWER_MAX, _("Write the answer given to the caller."))
    ticket.answer, ticket.replied_at, ticket.closed_at = answer, now, now
    event["note"] = answer
    if isinstance(data.get("article"), int):
        event["data"] = {"article": data["article"]}  # answered from this knowledge-base article
    return None


def dispatch(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
             event: dict[str, Any]) -> str | None:
    department = data.get("department")
    if not isinstance(department, Department):
        key = str(department or "")
        department = Department.objects.filter(pk=int(key)).first() if key.isdigit() else None
    if department is None:
        raise ValidationError({"department": [_("Choose the department that handles this request.")]})
    ticket.department = department
    ticket.dispatched_at, ticket.acknowledge_by = now, rules.acknowledge_by(now)
    ticket.acknowledged_at, ticket.acknowledged_by = None, None
    note = str(data.get("note") or "").strip()
    event.update(department=department, note=check_length("note", note, NOTE_MAX),
                 data={"acknowledge_by": ticket.acknowledge_by.isoformat()})
    return None


def acknowledge(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                event: dict[str, Any]) -> str | None:
    ticket.acknowledged_at, ticket.acknowledged_by = now, actor
    event["department"] = ticket.department
    event["data"] = _acknowledgement(ticket, now)
    return None


def _acknowledgement(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """What the history keeps of the department's first answer to a dispatch (签收, or 退单 before
    signing for it): whether it came late (``rules.acknowledged_late``) and which dispatch it
    answered, so that e-supervision cards a late one once per dispatch (``plug``)."""
    return {"late": rules.acknowledged_late(ticket.acknowledge_by, now),
            "dispatched_at": ticket.dispatched_at.isoformat() if ticket.dispatched_at else ""}


def return_ticket(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                  event: dict[str, Any]) -> str | None:
    reason = str(data.get("reason") or "")
    if reason not in ReturnReason.values:
        raise ValidationError({"reason": [_("Choose why the ticket is returned.")]})
    note = _text(data, "note", NOTE_MAX, _("Say why, so that the centre can dispatch it to the right place."))
    answered = _acknowledgement(ticket, now) if ticket.acknowledged_at is None else {}
    event.update(department=ticket.department, note=note, data={"reason": reason, **answered})
    ticket.department, ticket.acknowledge_by = None, None
    ticket.acknowledged_at, ticket.acknowledged_by = None, None
    ticket.extension_requested, ticket.extension_reasons = 0, ""
    return None


def _days(data: dict[str, Any]) -> int:
    try:
        days = int(data.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    if not rules.extension_allowed(days):
        raise ValidationError({"days": [_("Ask for 1 to %(n)s working days.") % {
            "n": settings.HOTLINE_EXTENSION_MAX_WORKDAYS}]})
    return days


def request_extension(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                      event: dict[str, Any]) -> str | None:
    if ticket.extension_requested:
        raise Refused(_("An extension is already waiting for the centre's decision."), code="wrong_state")
    days = _days(data)
    reasons = _text(data, "reasons", NOTE_MAX, _("Say why more time is needed."))
    ticket.extension_requested, ticket.extension_reasons = days, reasons
    event.update(department=ticket.department, note=reasons, data={"days": days})
    return None


def approve_extension(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                      event: dict[str, Any]) -> str | None:
    if not ticket.extension_requested:
        raise Refused(_("No extension is waiting for a decision."), code="wrong_state")
    days = ticket.extension_requested
    old = ticket.deadline
    ticket.limit_workdays += days
    ticket.extension_requested, ticket.extension_reasons = 0, ""
    ticket.clock_recompute(today=now.date(), warning_workdays=warning_workdays())
    note = str(data.get("note") or "").strip()
    event.update(note=check_length("note", note, NOTE_MAX),
                 data={"days": days, "from": str(old), "to": str(ticket.deadline)})
    return None


def refuse_extension(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                     event: dict[str, Any]) -> str | None:
    if not ticket.extension_requested:
        raise Refused(_("No extension is waiting for a decision."), code="wrong_state")
    note = _text(data, "note", NOTE_MAX, _("Say why, for the department."))
    event.update(note=note, data={"days": ticket.extension_requested})
    ticket.extension_requested, ticket.extension_reasons = 0, ""
    return None


def reply(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
          event: dict[str, Any]) -> str | None:
    answer = _text(data, "answer", ANSWER_MAX, _("Write the answer to the citizen."))
    ticket.answer, ticket.replied_at = answer, now
    event.update(department=ticket.department, note=answer,
                 data={"on_time": ticket.deadline is None or now.date() <= ticket.deadline})
    return None


def finish(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
           event: dict[str, Any]) -> str | None:
    note = str(data.get("note") or "").strip()
    event.update(department=ticket.department, note=check_length("note", note, NOTE_MAX))
    return None


def return_visit(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
                 event: dict[str, Any]) -> str | None:
    answer = str(data.get("answer") or "")
    if answer not in VisitAnswer.values:
        raise ValidationError({"answer": [_("Record the citizen's answer: satisfied, basically satisfied or not "
                                            "satisfied.")]})
    note = check_length("note", str(data.get("note") or "").strip(), NOTE_MAX)
    ticket.visit_answer = answer
    event.update(note=note, data={"answer": answer})
    if rules.reopens(answer):
        # 重办: back to the same department, the full limit again from today.
        ticket.reopened += 1
        ticket.overdue_on = None
        ticket.answer, ticket.replied_at = "", None
        ticket.clock_start(on=now.date(), limit_workdays=rules.limit_workdays(ticket.kind),
                           warning_workdays=warning_workdays())
        event["data"]["reopened"] = ticket.reopened
        event["data"]["deadline"] = str(ticket.deadline)
        return TicketState.IN_PROGRESS
    ticket.closed_at = now
    event["notify"] = False
    return TicketState.CLOSED


def merge(ticket: Ticket, actor: User | None, data: dict[str, Any], now: dt.datetime,
          event: dict[str, Any]) -> str | None:
    main = data.get("main")
    if not isinstance(main, Ticket):
        main = Ticket.objects.filter(number=str(main or "").strip()).first()
    if main is None:
        raise ValidationError({"main": [_("Give the number of the ticket to merge into.")]})
    main = Ticket.objects.select_for_update().get(pk=main.pk)
    if not rules.may_merge_into(ticket, main):
        raise Refused(_("Ticket %(n)s cannot take this one: it must be another open ticket, not merged itself, "
                        "and this one must not have others merged into it.") % {"n": main.number},
                      code="cannot_merge")
    answered = _acknowledgement(ticket, now) if ticket.state == TicketState.DISPATCHED else {}
    ticket.main = main
    event.update(note=main.number, data={"main": main.number, **answered})
    event["notify"] = False
    return None
