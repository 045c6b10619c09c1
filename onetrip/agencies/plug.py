"""How the marketplace plugs in (called from ``AgenciesConfig.ready``): in e-supervision, intermediary
services past their time limit are a source of cards (``supervision.sources``), as overdue cases and
hotline tickets are — a yellow card once a service is recorded overdue, a red card once it is still
running beyond the red-card threshold. The cards go to the department of the approval the service is
for (the purchase's case, or ``AGENCIES_SUPERVISING_DEPARTMENT``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext as _

from onetrip.agencies.models import Purchase, PurchaseState
from onetrip.supervision import rules as supervision_rules
from onetrip.supervision import sources
from onetrip.supervision.models import Card, CardColour, CardReason

KEEP_LOOKING_DAYS = 60


def yellow_key(p: Purchase) -> str:
    return f"agency:{p.pk}"


def red_key(p: Purchase) -> str:
    return f"agency-red:{p.pk}"


def cards_due(day: dt.date, limit: int) -> Iterator[sources.CardDue]:
    recorded = list(Purchase.objects.select_related("winner").filter(
        overdue_on__isnull=False, overdue_on__gte=day - dt.timedelta(days=KEEP_LOOKING_DAYS),
        department__isnull=False).order_by("overdue_on", "id")[:limit])
    late = list(Purchase.objects.select_related("winner").filter(
        state=PurchaseState.CONTRACTED, deadline__lt=day, department__isnull=False).order_by("deadline", "id")[:limit])
    keys = {yellow_key(p) for p in recorded} | {red_key(p) for p in late}
    carded = set(Card.objects.filter(key__in=keys).values_list("key", flat=True))
    for p in recorded:
        if yellow_key(p) not in carded and p.department_id is not None:
            yield sources.CardDue(key=yellow_key(p), colour=CardColour.YELLOW, reason=CardReason.VIOLATION,
                                  department_id=p.department_id,
                                  detail=_("Intermediary service %(n)s by %(a)s was due by %(d)s") % {
                                      "n": p.number, "a": p.winner.name if p.winner else "", "d": p.deadline})
    for p in late:
        if red_key(p) not in carded and p.department_id is not None and supervision_rules.red_card_overdue(
                p.deadline, day):
            yield sources.CardDue(key=red_key(p), colour=CardColour.RED, reason=CardReason.LONG_OVERDUE,
                                  department_id=p.department_id,
                                  detail=_("Intermediary service %(n)s was due by %(d)s, still running on %(t)s") % {
                                      "n": p.number, "d": p.deadline, "t": day})


def connect() -> None:
    sources.register("agencies.overdue_services", cards_due)
