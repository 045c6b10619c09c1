"""How the hotline plugs in (called from ``HotlineConfig.ready``): a case's staff page lists the
tickets about it; and in e-supervision, overdue tickets
are a source of cards (``supervision.sources``), as overdue cases are — a yellow card once a ticket
is recorded past its time limit, a red card once it is still open beyond the red-card threshold.
Each card's key names the ticket and the run of its clock, so a reopened ticket late again is
carded again, and never twice for one run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext as _

from onetrip.hotline.models import OPEN_STATES, Ticket
from onetrip.supervision import rules as supervision_rules
from onetrip.supervision import sources
from onetrip.supervision.models import Card, CardColour, CardReason

KEEP_LOOKING_DAYS = 60  # an overdue record older than this was carded long ago (or never will be)


def yellow_key(ticket: Ticket) -> str:
    return f"hotline:{ticket.pk}:{ticket.reopened}"


def red_key(ticket: Ticket) -> str:
    return f"hotline-red:{ticket.pk}:{ticket.reopened}"


def cards_due(day: dt.date, limit: int) -> Iterator[sources.CardDue]:
    """The hotline's cards due on ``day``: yellow for every ticket recorded overdue (by the light
    job), red for an open ticket overdue by more than SUPERVISION_RED_OVERDUE_WORKDAYS."""
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


def connect() -> None:
    from onetrip.cases import hooks
    from onetrip.hotline import selectors

    sources.register("hotline.overdue_tickets", cards_due)
    hooks.register_panel(hooks.Panel("hotline.tickets", frozenset({"staff"}), selectors.case_panel,
                                     template="hotline/_case_panel.html", position=95))
