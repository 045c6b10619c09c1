"""Writes of the 12345 hotline: registering a request and the one mover that performs every action
on a ticket (``transition``), with a named function per action for callers (pages, the API,
Open311, the knowledge base). Each write is one transaction: the ticket's row locked, the state
and the actor checked before anything is written, the effect applied, the clock recomputed, the
history row, the caller's SMS queued for after the commit, the trail entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department, Role, User
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused, check_length
from onetrip.catalog.models import ServiceItem
from onetrip.core import identity, trail
from onetrip.hotline import actions, notifications, numbers, rules, selectors
from onetrip.hotline.effects import warning_workdays
from onetrip.hotline.models import Channel, Kind, Ticket, TicketEvent, TicketState
from onetrip.knowledge import services as knowledge_services
from onetrip.knowledge.models import Article

TEXT_MAX = 4000


@dataclass(frozen=True)
class Registered:
    ticket: Ticket
    query_code: str  # an anonymous reporter's code, shown once; "" otherwise


def _clean_caller(*, kind: str, anonymous: bool, name: str, mobile: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if anonymous and not rules.may_be_anonymous(kind):
        errors["anonymous"] = [_("Only a report of wrongdoing may be made anonymously.")]
    if anonymous:
        name = ""
    elif not name and not mobile:
        errors["caller_name"] = [_("Give the caller's name or mobile number.")]
    if mobile:
        try:
            mobile = identity.normalize_mobile(mobile)
        except ValidationError as exc:
            errors["caller_mobile"] = list(exc.messages)
    if len(name) > 50:
        errors["caller_name"] = [_("At most 50 characters.")]
    if errors:
        raise ValidationError(errors)
    return name, mobile


def register_ticket(*, actor: User | None, kind: str, channel: str, text: str, caller_name: str = "",
                    caller_mobile: str = "", anonymous: bool = False, category: str = "", location: str = "",
                    case: Case | None = None, item: ServiceItem | None = None, caller: User | None = None,
                    answer: str = "", article: Article | None = None) -> Registered:
    """受理: a request comes in (an operator on the phone; the web page, the API or a chat channel
    with ``actor`` None). With ``answer`` the operator answered it on the call: it is closed at
    first contact (即时办结), with ``article`` when the answer came from the knowledge base (its use is
    counted and named in the history). An anonymous report gets a query code, returned here only."""
    if channel == Channel.PHONE and not rules.is_operator(actor):
        raise Refused(_("Only a hotline operator registers phone calls."), code="forbidden")
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose the type of request.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose the channel.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write down what the caller asks or reports.")]
    if errors:
        raise ValidationError(errors)
    name, mobile = _clean_caller(kind=kind, anonymous=anonymous, name=caller_name, mobile=caller_mobile)
    check_length("text", text, TEXT_MAX)
    check_length("category", category.strip(), 100)
    check_length("location", location.strip(), 200)
    now = timezone.localtime()
    code = rules.new_query_code() if anonymous else ""
    with transaction.atomic():
        ticket = Ticket(number=numbers.next_ticket_number(now.date()), kind=kind, channel=channel, text=text,
                        anonymous=anonymous, caller_name=name, caller_mobile=mobile,
                        caller=None if anonymous else caller, query_code_hash=Ticket.hash_code(code) if code else "",
                        category=category.strip(), location=location.strip(), case=case, item=item,
                        registered_by=actor, created_at=now, received_on=now.date())
        ticket.clock_start(on=now.date(), limit_workdays=rules.limit_workdays(kind),
                           warning_workdays=warning_workdays())
        ticket.save()
        TicketEvent.objects.create(ticket=ticket, action="register", at=now, actor=actor,
                                   data={"channel": channel, "kind": kind, "deadline": str(ticket.deadline)})
        trail.record(actor=actor, action="hotline.register", obj=ticket, summary={
            "number": ticket.number, "kind": kind, "channel": channel, "anonymous": anonymous,
            "case": case.number if case is not None else "", "deadline": str(ticket.deadline)})
        if answer:
            ticket = _move(ticket=ticket, action="answer_at_once", actor=actor,
                           data={"answer": answer, **({"article": article.pk} if article is not None else {})})
            if article is not None:
                knowledge_services.record_use(article=article)
    return Registered(ticket=ticket, query_code=code)


# --- the mover -----------------------------------------------------------------------------------


def check_actor(ticket: Ticket, action: actions.Action, actor: User | None) -> None:
    """Who may do ``action`` on this ticket; raises Refused (``forbidden``, ``not_your_department``)."""
    if actor is None:
        if actions.SYSTEM not in action.actors:
            raise Refused(_("Only a person can do this."), code="forbidden")
        return
    if actions.OPERATOR in action.actors and rules.is_operator(actor):
        return
    if actions.DEPARTMENT in action.actors:
        if rules.works_ticket(actor, ticket):
            return
        if rules.can_handle_tickets(actor):
            raise Refused(_("This ticket is with another department."), code="not_your_department")
    raise Refused(_("Your role may not “%(a)s” on this ticket.") % {"a": action.label}, code="forbidden")


def can_act(user: Any, ticket: Ticket, action: str) -> bool:
    """Whether ``user`` may do ``action`` on ``ticket`` now (the mover still checks)."""
    a = actions.get(action)
    if a is None or ticket.state not in a.sources or (a.available is not None and not a.available(ticket)):
        return False
    try:
        check_actor(ticket, a, user if getattr(user, "is_authenticated", False) else None)
    except Refused:
        return False
    return True


def actions_for(ticket: Ticket, user: Any) -> list[str]:
    return [name for name in actions.allowed_in(ticket.state) if can_act(user, ticket, name)]


def transition(*, ticket: Ticket, action: str, actor: User | None, data: Mapping[str, Any] | None = None) -> Ticket:
    """Perform ``action`` on ``ticket`` as ``actor`` (None = the background worker); refused with
    nothing written when the state, the actor or the input is wrong."""
    with transaction.atomic():
        fresh = Ticket.objects.select_for_update(of=("self",)).select_related("department").filter(
            pk=ticket.pk).first()
        if fresh is None:
            raise Refused(_("No such ticket."), code="not_found")
        return _move(ticket=fresh, action=action, actor=actor, data=data)


def _move(*, ticket: Ticket, action: str, actor: User | None, data: Mapping[str, Any] | None) -> Ticket:
    a = actions.get(action)
    if a is None:
        raise Refused(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action")
    if ticket.state not in a.sources:
        raise Refused(_("“%(a)s” is not possible while the ticket is “%(s)s”.") % {
            "a": a.label, "s": ticket.get_state_display()}, code="wrong_state")
    check_actor(ticket, a, actor)
    if a.available is not None and not a.available(ticket):
        raise Refused(_("“%(a)s” is not possible now.") % {"a": a.label}, code="wrong_state")
    now = timezone.localtime()
    event: dict[str, Any] = {"note": "", "data": {}, "department": None, "notify": True}
    before = ticket.state
    target = a.target
    if a.effect is not None:
        target = a.effect(ticket, actor, dict(data or {}), now, event) or target
    if target is not None:
        ticket.state = target
    ticket.clock_recompute(today=now.date(), warning_workdays=warning_workdays())
    ticket.save()
    TicketEvent.objects.create(ticket=ticket, action=action, at=now, actor=actor, department=event["department"],
                               note=event["note"], data=event["data"], public=a.public)
    if a.sms is not None and event["notify"]:
        notifications.tell_caller(ticket=ticket, event=f"hotline.{action}")
    if action == "reply":
        _answer_merged(ticket, actor, now)
    trail.record(actor=actor, action=f"hotline.{action}", obj=ticket, summary={
        "number": ticket.number, "from": before, "to": ticket.state, "note": event["note"][:200],
        "department": event["department"].pk if event["department"] is not None else None, **event["data"]})
    return ticket


def _answer_merged(main: Ticket, actor: User | None, now: Any) -> None:
    """并单: the answer to a main ticket answers each ticket merged into it; each caller is told."""
    for t in Ticket.objects.select_for_update().filter(main=main, state=TicketState.MERGED).order_by("pk"):
        t.answer, t.replied_at = main.answer, now
        t.save(update_fields=["answer", "replied_at", "updated_at"])
        TicketEvent.objects.create(ticket=t, action="answered_with_main", at=now, actor=actor,
                                   department=main.department, note=main.answer, data={"main": main.number})
        notifications.tell_caller(ticket=t, event=notifications.MERGED_ANSWER, extra={"main": main.number})
        trail.record(actor=actor, action="hotline.answered_with_main", obj=t,
                     summary={"number": t.number, "main": main.number})


# --- one function per action ---------------------------------------------------------------------


def answer_at_once(*, actor: User, ticket: Ticket, answer: str) -> Ticket:
    """即时办结: the operator answers on the call and closes the ticket."""
    return transition(ticket=ticket, action="answer_at_once", actor=actor, data={"answer": answer})


def dispatch(*, actor: User, ticket: Ticket, department: Department, note: str = "") -> Ticket:
    """派单: the operator sends the ticket to the department that handles it (again after a return)."""
    return transition(ticket=ticket, action="dispatch", actor=actor, data={"department": department, "note": note})


def acknowledge(*, actor: User, ticket: Ticket) -> Ticket:
    """签收: the department takes the ticket on (late if after ``rules.acknowledge_by``)."""
    return transition(ticket=ticket, action="acknowledge", actor=actor)


def return_ticket(*, actor: User, ticket: Ticket, reason: str, note: str) -> Ticket:
    """退单: the department sends the ticket back with its reasons; the operator dispatches it again."""
    return transition(ticket=ticket, action="return_ticket", actor=actor, data={"reason": reason, "note": note})


def request_extension(*, actor: User, ticket: Ticket, days: int, reasons: str) -> Ticket:
    """延期申请: the department asks for more working days."""
    return transition(ticket=ticket, action="request_extension", actor=actor,
                      data={"days": days, "reasons": reasons})


def decide_extension(*, actor: User, ticket: Ticket, approve: bool, note: str = "") -> Ticket:
    """延期审批: the centre approves (the deadline moves by the days asked) or refuses, with reasons."""
    return transition(ticket=ticket, action="approve_extension" if approve else "refuse_extension", actor=actor,
                      data={"note": note})


def reply(*, actor: User, ticket: Ticket, answer: str) -> Ticket:
    """答复: the department answers the citizen (and every caller merged into this ticket)."""
    return transition(ticket=ticket, action="reply", actor=actor, data={"answer": answer})


def finish(*, actor: User, ticket: Ticket, note: str = "") -> Ticket:
    """办结: the department says it is done; the centre then makes the return visit."""
    return transition(ticket=ticket, action="finish", actor=actor, data={"note": note})


def return_visit(*, actor: User, ticket: Ticket, answer: str, note: str = "") -> Ticket:
    """回访: satisfied or basically satisfied closes the ticket; not satisfied reopens it (重办)."""
    return transition(ticket=ticket, action="return_visit", actor=actor, data={"answer": answer, "note": note})


def merge(*, actor: User, ticket: Ticket, into: Ticket) -> Ticket:
    """并单: the ticket follows ``into`` and is answered with it."""
    return transition(ticket=ticket, action="merge", actor=actor, data={"main": into})


# --- the citizen sends a request or follows a ticket ------------------------------------------


def submit_online(*, client: str, user: User | None, kind: str, text: str, caller_name: str = "",
                  caller_mobile: str = "", location: str = "", anonymous: bool = False) -> Registered:
    """The public web form (网上诉求): anyone sends a request, counted per client address
    (``HOTLINE_WEB_REQUESTS_PER_HOUR``); a signed-in citizen is its caller, their name and mobile
    taken from the account where the form leaves them blank. It is registered like a call (受理)
    and waits for the operator to dispatch it."""
    from django.conf import settings

    from onetrip.core import ratelimit

    if not ratelimit.hit(f"hotline-submit:{client}", limit=settings.HOTLINE_WEB_REQUESTS_PER_HOUR,
                         window=dt.timedelta(hours=1)):
        raise Throttled
    citizen = user if user is not None and user.role in (Role.CITIZEN, Role.COMPANY_REP) else None
    if citizen is not None and not anonymous:
        caller_name = caller_name or citizen.real_name
        caller_mobile = caller_mobile or citizen.mobile
    return register_ticket(actor=None, kind=kind, channel=Channel.WEB, text=text, caller_name=caller_name,
                           caller_mobile=caller_mobile, anonymous=anonymous, location=location,
                           caller=None if anonymous else citizen)


class Throttled(Exception):
    """Too many look-ups from one address this hour."""


def follow(*, client: str, number: str = "", mobile: str = "", code: str = "") -> Ticket | None:
    """The public look-up: a ticket by its number and the caller's mobile, or an anonymous report by
    its query code; counted per client address (as the case look-up, ``PROGRESS_LOOKUPS_PER_HOUR``)
    so that numbers and codes cannot be tried in bulk. A wrong pair and an unknown one look the same."""
    from django.conf import settings

    from onetrip.core import ratelimit

    if not ratelimit.hit(f"hotline-follow:{client}", limit=settings.PROGRESS_LOOKUPS_PER_HOUR,
                         window=dt.timedelta(hours=1)):
        raise Throttled
    if code.strip():
        return selectors.by_query_code(code)
    return selectors.by_number_and_mobile(number, mobile)


# --- the worker ---------------------------------------------------------------------------------


def refresh_light(*, ticket: Ticket, day: Any) -> tuple[str, bool]:
    """The light job on one claimed ticket: the light as of ``day``; a ticket past its deadline is
    recorded once per run of its clock (``overdue_on``) for e-supervision. Returns the light and
    whether it was newly recorded overdue."""
    with transaction.atomic():
        t = Ticket.objects.select_for_update().get(pk=ticket.pk)
        old = t.light
        t.clock_recompute(today=day, warning_workdays=warning_workdays())
        newly = t.light == "overdue" and t.overdue_on is None
        if newly:
            t.overdue_on = day
        t.save(update_fields=["light", "deadline", "overdue_on", "updated_at"])
        if newly:
            TicketEvent.objects.create(ticket=t, action="overdue", at=timezone.now(), department=t.department,
                                       data={"deadline": str(t.deadline)}, public=False)
        if newly or t.light != old:
            trail.record(actor=None, action="hotline.light", obj=t, summary={
                "number": t.number, "from": old, "to": t.light, "overdue_recorded": newly})
        return t.light, newly
