"""How the hotline plugs in (called from ``HotlineConfig.ready``): a case's staff page lists the
tickets about it; and in e-supervision, overdue tickets
are a source of cards (``supervision.sources``), as overdue cases are — a yellow card once a ticket
is recorded past its time limit, a red card once it is still open beyond the red-card threshold.
Each card's key names the ticket and the run of its clock, so a reopened ticket late again is
carded again, and never twice for one run. A dispatch not acknowledged in time (签收超时) earns
the department a yellow card too, once per dispatch (a re-dispatch after a return is a new one).
And a supervisor's order (督办) may be about a ticket (``supervision.subjects``: ``hotline.ticket``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetrip.hotline import rules
from onetrip.hotline.models import OPEN_STATES, Ticket, TicketEvent, TicketState
from onetrip.supervision import rules as supervision_rules
from onetrip.supervision import sources, subjects
from onetrip.supervision.models import Card, CardColour, CardReason

KEEP_LOOKING_DAYS = 60  # an overdue record older than this was carded long ago (or never will be)


def yellow_key(ticket: Ticket) -> str:
    return f"hotline:{ticket.pk}:{ticket.reopened}"


def red_key(ticket: Ticket) -> str:
    return f"hotline-red:{ticket.pk}:{ticket.reopened}"


def cards_due(day: dt.date, limit: int) -> Iterator[sources.CardDue]:
    """The hotline's cards due on ``day``: yellow for every ticket recorded overdue (by the light
    job), red for an open ticket overdue by more than SUPERVISION_RED_OVERDUE_WORKDAYS, and yellow
    for every dispatch not acknowledged in time (``late_acknowledgements``)."""
    recorded = list(Ticket.objects.filter(overdue_on__isnull=False, overdue_on__gte=day - dt.timedelta(
        days=KEEP_LOOKING_DAYS), department__isnull=False).order_by("overdue_on", "id")[:limit])
    late = list(Ticket.objects.filter(state__in=OPEN_STATES, deadline__lt=day, department__isnull=False)
                .order_by("deadline", "id")[:limit])
    keys = {yellow_key(t) for t in recorded} | {red_key(t) for t in late}
    carded = set(Card.objects.filter(key__in=keys).values_list("key", flat=True))
    for t in recorded:
        if yellow_key(t) not in carded and t.department_id is not None:
            yield sources.CardDue(key=yellow_key(t), colour=CardColour.YELLOW, reason=CardReason.TICKET_OVERDUE,
                                  department_id=t.department_id, officer_id=t.acknowledged_by_id,
                                  detail=_("Hotline ticket %(n)s was due by %(d)s") % {"n": t.number,
                                                                                       "d": t.deadline})
    for t in late:
        if red_key(t) not in carded and t.department_id is not None and supervision_rules.red_card_overdue(
                t.deadline, day):
            yield sources.CardDue(key=red_key(t), colour=CardColour.RED, reason=CardReason.LONG_OVERDUE,
                                  department_id=t.department_id, officer_id=t.acknowledged_by_id,
                                  detail=_("Hotline ticket %(n)s was due by %(d)s, still open on %(t)s") % {
                                      "n": t.number, "d": t.deadline, "t": day})
    yield from late_acknowledgements(day, limit)


# --- 签收超时: a dispatch not acknowledged in time -----------------------------------------------

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def ack_key(ticket_id: int, dispatched_at: dt.datetime) -> str:
    """One key per dispatch: the ticket and the instant it was dispatched (in microseconds, exact)."""
    return f"hotline-ack:{ticket_id}:{(dispatched_at - EPOCH) // dt.timedelta(microseconds=1)}"


def _dispatched(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def late_acknowledgements(day: dt.date, limit: int) -> Iterator[sources.CardDue]:
    """签收超时: a yellow card to the department for each dispatch not acknowledged by its time to
    acknowledge (``rules.acknowledge_by`` / ``rules.acknowledged_late``): those still waiting now,
    and those answered late (acknowledged, or returned or merged away before being signed for) as
    the history recorded them. Once per dispatch: the key names the ticket and the dispatch."""
    now = timezone.now()
    since = now - dt.timedelta(days=KEEP_LOOKING_DAYS)
    due: dict[str, sources.CardDue] = {}
    waiting = Ticket.objects.filter(state=TicketState.DISPATCHED, acknowledge_by__lt=now, dispatched_at__gte=since,
                                    department__isnull=False).order_by("acknowledge_by", "id")[:limit]
    for t in waiting:
        if t.dispatched_at is not None and t.department_id is not None and rules.acknowledged_late(
                t.acknowledge_by, now):
            due[ack_key(t.pk, t.dispatched_at)] = _ack_card(t, t.dispatched_at, t.department_id, t.acknowledge_by)
    answered = (TicketEvent.objects.filter(action__in=("acknowledge", "return_ticket", "merge"), at__gte=since,
                                           data__late=True).select_related("ticket").order_by("at", "id")[:limit])
    for e in answered:
        dispatched_at = _dispatched(str(e.data.get("dispatched_at") or ""))
        department_id = e.department_id or e.ticket.department_id
        if dispatched_at is not None and department_id is not None:
            due.setdefault(ack_key(e.ticket_id, dispatched_at), _ack_card(
                e.ticket, dispatched_at, department_id, rules.acknowledge_by(dispatched_at)))
    carded = set(Card.objects.filter(key__in=list(due)).values_list("key", flat=True))
    for key, card in due.items():
        if key not in carded:
            yield card


def _ack_card(t: Ticket, dispatched_at: dt.datetime, department_id: int,
              acknowledge_by: dt.datetime | None) -> sources.CardDue:
    return sources.CardDue(
        key=ack_key(t.pk, dispatched_at), colour=CardColour.YELLOW, reason=CardReason.TICKET_ACK_LATE,
        department_id=department_id,
        detail=_("Hotline ticket %(n)s, dispatched at %(d)s, was not acknowledged by %(b)s") % {
            "n": t.number, "d": timezone.localtime(dispatched_at).strftime("%Y-%m-%d %H:%M"),
            "b": timezone.localtime(acknowledge_by).strftime("%Y-%m-%d %H:%M") if acknowledge_by else "—"})


# --- 督办 about a ticket ---------------------------------------------------------------------------

SUBJECT_KIND = "hotline.ticket"


def find_subject(number: str) -> subjects.Subject | None:
    """The ticket a supervisor names by its number; the order goes to the department handling it."""
    t = Ticket.objects.filter(number=number.strip()).only("pk", "number", "department_id").first()
    if t is None:
        return None
    return subjects.Subject(key=subjects.key_for(SUBJECT_KIND, t.pk), label=t.number, department_id=t.department_id)


def subject_url(ident: str, label: str) -> str:
    return reverse("hotline:ticket", args=[label]) if label else ""


def supervision_panel(ticket: Ticket, user: Any) -> dict[str, Any] | None:
    """E-supervision on the ticket's staff page: its orders (the department replies there), its
    cards, and the order form for a supervisor."""
    from onetrip.supervision import selectors as supervision_selectors

    return supervision_selectors.subject_panel(
        subjects.key_for(SUBJECT_KIND, ticket.pk), ticket.number, user,
        card_keys=(f"hotline:{ticket.pk}:", f"hotline-red:{ticket.pk}:", f"hotline-ack:{ticket.pk}:"))


def connect() -> None:
    from onetrip.cases import hooks
    from onetrip.hotline import selectors

    sources.register("hotline.overdue_tickets", cards_due)
    subjects.register(subjects.SubjectKind(name=SUBJECT_KIND, label=gettext_lazy("Hotline ticket"),
                                           find=find_subject, url=subject_url))
    hooks.register_panel(hooks.Panel("hotline.tickets", frozenset({"staff"}), selectors.case_panel,
                                     template="hotline/_case_panel.html", position=95))
