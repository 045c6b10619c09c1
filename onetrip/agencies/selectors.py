"""Reads of the marketplace: the public listing, a purchase's public record (the draw's seed hash,
seed and candidates), and what each person may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from onetrip.agencies import rules
from onetrip.agencies.models import Agency, Purchase, PurchaseState, ServiceType


@dataclass(frozen=True)
class Listed:
    agency: Agency
    credit: rules.Credit
    eligible: bool


def listing(service_type: ServiceType | None = None, on: dt.date | None = None) -> list[Listed]:
    """The public listing: agencies in the marketplace (published, or back after a penalty), for one
    service type or all, ranked by credit score (then name)."""
    on = on or timezone.localdate()
    qs = Agency.objects.filter(state__in=["published", "suspended", "blacklisted"]).prefetch_related(
        "qualifications__service_type", "offers__service_type")
    if service_type is not None:
        qs = qs.filter(offers__service_type=service_type).distinct()
    rows = []
    for a in qs:
        if rules.listed(a, on) or a.state != "published":
            rows.append(Listed(agency=a, credit=rules.credit(a, on),
                               eligible=bool(service_type and rules.eligible(a, service_type, on))))
    return sorted(rows, key=lambda r: (-r.credit.score, r.agency.name))


PUBLIC_STATES = [s for s in PurchaseState.values if s not in (PurchaseState.DRAFT,)]


def public_purchases() -> QuerySet[Purchase]:
    return Purchase.objects.filter(state__in=PUBLIC_STATES).select_related("service_type", "winner")


def may_view(user: Any, purchase: Purchase) -> bool:
    """A draft is its owner's (and the admin's); a published purchase is public."""
    return purchase.state != PurchaseState.DRAFT or rules.owns(user, purchase) or rules.is_admin(user)


def draw_record(purchase: Purchase) -> dict[str, Any]:
    """What anyone needs to recompute the draw: the seed's hash (from publication), the seed and the
    sorted candidates (after the deadline), the resulting order and the winner."""
    return {"seed_hash": purchase.seed_hash, "seed": purchase.seed, "candidates": list(purchase.candidates),
            "ranking": list(purchase.ranking), "winner": purchase.winner.uscc if purchase.winner else "",
            "algorithm": "sorted(candidates, key=lambda c: (sha256(f'{seed}:{c}'.encode()).hexdigest(), c))"}
