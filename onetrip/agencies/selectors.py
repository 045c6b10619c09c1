"""Reads of the marketplace: the public listing, a purchase's public record (the draw's seed hash,
seed and candidates), and what each person may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from onetrip.agencies import rules
from onetrip.agencies.models import Agency, Purchase, PurchaseState, ServiceType, Violation


@dataclass(frozen=True)
class Listed:
    agency: Agency
    credit: rules.Credit
    eligible: bool


LISTED_STATES = ["published", "suspended", "blacklisted"]


def listed_agencies(on: dt.date) -> QuerySet[Agency]:
    """The agencies of the listing with everything the listing, the credit (``rules.credit_from``)
    and the eligibility (``rules.eligible_from``) read, loaded in a fixed number of queries whatever
    the number of agencies: qualifications and offers with their service types, ratings, finished
    services (``finished``) and violations of the last three years (``recent_violations``)."""
    return Agency.objects.filter(state__in=LISTED_STATES).prefetch_related(
        "qualifications__service_type", "offers__service_type", "ratings",
        Prefetch("won", queryset=Purchase.objects.filter(on_time__isnull=False).only("id", "winner", "on_time"),
                 to_attr="finished"),
        Prefetch("violations", queryset=Violation.objects.filter(
            on__gt=rules.violations_since(on), on__lte=on).only("id", "agency", "on"), to_attr="recent_violations"))


def loaded_credit(agency: Agency) -> rules.Credit:
    """``rules.credit`` from the figures ``listed_agencies`` loaded (no query)."""
    return rules.credit_from([(r.quality, r.timeliness, r.attitude, r.price) for r in agency.ratings.all()],
                             [bool(p.on_time) for p in agency.finished],  # type: ignore[attr-defined]
                             len(agency.recent_violations))  # type: ignore[attr-defined]


def listing(service_type: ServiceType | None = None, on: dt.date | None = None) -> list[Listed]:
    """The public listing: agencies in the marketplace (published, or back after a penalty), for one
    service type or all, ranked by credit score (then name). A fixed number of queries, whatever the
    number of agencies (``listed_agencies``)."""
    on = on or timezone.localdate()
    qs = listed_agencies(on)
    if service_type is not None:
        qs = qs.filter(offers__service_type=service_type).distinct()
    rows = []
    for a in qs:
        if rules.listed(a, on) or a.state != "published":
            credit = loaded_credit(a)
            eligible = bool(service_type and rules.eligible_from(
                a, on, offers=any(o.service_type_id == service_type.pk for o in a.offers.all()),
                qualified=rules.qualified_for(a.qualifications.all(), service_type.pk, on),
                credit_level=credit.level))
            rows.append(Listed(agency=a, credit=credit, eligible=eligible))
    return sorted(rows, key=lambda r: (-r.credit.score, r.agency.name))


def published_agency(uscc: str, on: dt.date | None = None) -> Listed | None:
    """One agency of the listing by its USCC (as the listing shows it), or None."""
    on = on or timezone.localdate()
    a = listed_agencies(on).filter(uscc=uscc).first()
    if a is None or not (rules.listed(a, on) or a.state != "published"):
        return None
    return Listed(agency=a, credit=loaded_credit(a), eligible=False)


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
