"""How the marketplace plugs in (called from ``AgenciesConfig.ready``): an approval item's guide
lists the intermediary services the item needs, each linking to the listing of the agencies that
offer it (a ``catalog.hooks`` guide panel); in e-supervision, intermediary
services past their time limit are a source of cards (``supervision.sources``), as overdue cases and
hotline tickets are — a yellow card once a service is recorded overdue, a red card once it is still
running beyond the red-card threshold. The cards go to the department of the approval the service is
for (the purchase's case, or ``AGENCIES_SUPERVISING_DEPARTMENT``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from onetrip.agencies.models import Purchase, PurchaseState, ServiceType
from onetrip.catalog import hooks as catalog_hooks
from onetrip.catalog.models import ServiceItem
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


def guide_panel(item: ServiceItem) -> dict[str, Any] | None:
    """The intermediary services ``item`` needs (offered ones), each with the link to the agencies
    offering it; one query. None when it needs none."""
    listing = reverse("agencies:listing")
    services = [{"name": st.name, "description": st.description, "url": f"{listing}?{urlencode({'type': st.code})}"}
                for st in ServiceType.objects.filter(items=item, active=True).order_by("code")]
    return {"services": services, "marketplace": listing} if services else None


def guide_stamp() -> tuple[int, Any]:
    """Changes whenever a service type is saved (its name, its items: ``changed_at``) or removed."""
    row = ServiceType.objects.aggregate(n=Count("id"), last=Max("changed_at"))
    return row["n"], row["last"]


def connect() -> None:
    sources.register("agencies.overdue_services", cards_due)
    catalog_hooks.register_guide_panel(catalog_hooks.GuidePanel(
        name="agencies.intermediary_services", template="agencies/_guide_panel.html", context=guide_panel,
        stamp=guide_stamp, position=50))
