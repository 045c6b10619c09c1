"""The rules of the intermediary-service marketplace (中介服务超市), one named function each.

Source: the seed's §二(二)7 (an open marketplace of intermediary services, fair and quick selection,
time limits and ratings) and the national practice of 网上中介服务超市 (selection by 直接选取,
随机抽取, 竞价选取 and 择优选取; a published result open to 质疑; credit kept on the agencies).
The figures are settings, with the district's defaults; see docs/agencies.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from onetrip.accounts.permissions import Capability, can

if TYPE_CHECKING:
    from onetrip.agencies.models import Agency, Purchase, Qualification, ServiceType


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- who may do what ---------------------------------------------------------------------------


def is_admin(user: Any) -> bool:
    """The marketplace admin (the catalogue admin's office, 审改办, and the system admin) reviews and
    publishes agencies, decides violations and answers objections."""
    return can(user, Capability.MANAGE_MARKETPLACE)


def acts_for(user: Any, agency: Agency) -> bool:
    """An agency's own accounts act for it (sign up, bid, deliver)."""
    return bool(getattr(user, "is_authenticated", False) and agency.owners.filter(pk=user.pk).exists())


def may_post(user: Any) -> bool:
    """A project owner posts purchases: a citizen or company (``APPLY``) or the staff of a public
    unit (department officers and heads)."""
    return can(user, Capability.APPLY) or can(user, Capability.WORK_INBOX)


def owns(user: Any, purchase: Purchase) -> bool:
    return bool(getattr(user, "is_authenticated", False) and purchase.owner_id == user.pk)


# --- eligibility --------------------------------------------------------------------------------


def barred_on(agency: Agency, on: dt.date) -> bool:
    """A suspension or blacklisting bars the agency up to and including its until-date."""
    return agency.state in ("suspended", "blacklisted") and (agency.state_until is None or on <= agency.state_until)


def listed(agency: Agency, on: dt.date) -> bool:
    """Published, or suspended/blacklisted with the period over (the agency is back)."""
    return agency.state == "published" or (agency.state in ("suspended", "blacklisted") and not barred_on(agency, on))


def qualification_valid(valid_from: dt.date, valid_to: dt.date, on: dt.date) -> bool:
    """A qualification counts from its first to its last valid day, both included."""
    return valid_from <= on <= valid_to


def eligible(agency: Agency, service_type: ServiceType, on: dt.date, *, level: str = "") -> bool:
    """Whether ``agency`` may be selected for ``service_type`` on ``on`` (the rule is
    ``eligible_from``; this gathers its figures from the database). Used by sign-ups, direct
    selection, the draw and the bids; the listing gathers the same figures in bulk."""
    if not listed(agency, on):
        return False
    offers = agency.offers.filter(service_type=service_type).exists()
    quals = agency.qualifications.filter(service_type=service_type, valid_from__lte=on, valid_to__gte=on)
    if level:
        quals = quals.filter(level=level)
    if not offers or not quals.exists():
        return False
    return eligible_from(agency, on, offers=True, qualified=True, credit_level=credit(agency).level)


def eligible_from(agency: Agency, on: dt.date, *, offers: bool, qualified: bool, credit_level: str) -> bool:
    """资格: an agency may be selected for a service type on a day when it is listed in the
    marketplace and not barred (``listed``), offers the service, holds a qualification for it valid
    that day (of the required level when one is asked for: ``qualified``), and its credit level is
    not D (``credit``)."""
    return listed(agency, on) and offers and qualified and credit_level != "D"


def qualified_for(qualifications: Iterable[Qualification], service_type_id: int, on: dt.date,
                  level: str = "") -> bool:
    """Whether one of these qualifications (already loaded) is for the service type, valid on ``on``
    (``qualification_valid``) and of ``level`` when one is asked for."""
    return any(q.service_type_id == service_type_id and qualification_valid(q.valid_from, q.valid_to, on)
               and (not level or q.level == level) for q in qualifications)


# --- the announcement ---------------------------------------------------------------------------


def direct_max_price() -> Decimal:
    return Decimal(str(_setting("AGENCIES_DIRECT_MAX_PRICE", 50000)))


def direct_allowed(price_ceiling: Decimal, qualified: int) -> bool:
    """直接选取 only where it is allowed: a price ceiling below ``AGENCIES_DIRECT_MAX_PRICE`` yuan
    (default 50 000), or fewer than ``AGENCIES_DIRECT_MIN_CANDIDATES`` (default 3) agencies
    qualified for the service (no real competition is possible)."""
    return price_ceiling < direct_max_price() or qualified < int(_setting("AGENCIES_DIRECT_MIN_CANDIDATES", 3))


def min_signups() -> int:
    """随机抽取 needs at least this many qualified sign-ups (``AGENCIES_RANDOM_MIN_SIGNUPS``, default 3);
    with fewer the purchase fails (流标) and is posted again."""
    return int(_setting("AGENCIES_RANDOM_MIN_SIGNUPS", 3))


def signup_open(deadline: dt.datetime, now: dt.datetime) -> bool:
    """Sign-ups (and sealed bids) are taken strictly before the deadline; at it and after, refused."""
    return now < deadline


def may_open_bids(deadline: dt.datetime, now: dt.datetime) -> bool:
    """Sealed bids are opened (decrypted) only at or after the sign-up deadline, by anyone."""
    return now >= deadline


def check_criteria(criteria: Sequence[dict[str, Any]]) -> list[str]:
    """择优选取: published criteria, each a name and a weight (percent, whole numbers), the weights
    adding up to 100. Returns what is wrong (empty when fine)."""
    problems = []
    names = [str(c.get("name", "")).strip() for c in criteria]
    if not criteria or any(not n for n in names) or len(set(names)) != len(names):
        problems.append("names")
    weights = [c.get("weight") for c in criteria]
    if any(not isinstance(w, int) or isinstance(w, bool) or w <= 0 for w in weights) or sum(
            w for w in weights if isinstance(w, int)) != 100:
        problems.append("weights")
    return problems


def in_objection_period(objection_until: dt.date | None, today: dt.date) -> bool:
    """质疑期: a published result is open to objections up to and including ``objection_until``;
    the contract waits until the day after."""
    return objection_until is not None and today <= objection_until


def objection_workdays() -> int:
    """质疑期: the result is open to objections for ``AGENCIES_OBJECTION_WORKDAYS`` working days
    after the day it is published (default 3); the contract is recorded after it."""
    return int(_setting("AGENCIES_OBJECTION_WORKDAYS", 3))


def reminder_days() -> int:
    """Qualifications expiring within ``AGENCIES_EXPIRY_REMINDER_DAYS`` days (default 30) are
    reminded to the agency, once per expiry date."""
    return int(_setting("AGENCIES_EXPIRY_REMINDER_DAYS", 30))


# --- the draw (commit–reveal) --------------------------------------------------------------------


def new_seed() -> str:
    """The draw's seed: 32 random bytes, written as 64 lower-case hex characters."""
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    """The commitment published with the announcement: SHA-256 of the seed's 64 ASCII characters,
    in lower-case hex."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw(seed: str, candidates: Sequence[str]) -> list[str]:
    """随机抽取, a pure function anyone can recompute: each candidate (a USCC, from the published
    list sorted in code-point order) gets the key SHA-256(seed + ":" + USCC) (UTF-8, hex); the
    candidates sorted by that key (then by USCC) are the draw's order, the first is drawn."""
    ordered = sorted(candidates)
    return sorted(ordered, key=lambda c: (hashlib.sha256(f"{seed}:{c}".encode()).hexdigest(), c))


def lowest_price(prices: dict[str, Decimal], order: Sequence[str]) -> str | None:
    """竞价选取: the lowest valid price wins; among equal lowest prices, the one first in the draw's
    ``order`` (the same commit–reveal draw over the bidders)."""
    if not prices:
        return None
    low = min(prices.values())
    tied = [c for c in order if prices.get(c) == low]
    return tied[0] if tied else None


def price_valid(price: Decimal, ceiling: Decimal) -> bool:
    """A bid is valid when it is above zero and not above the announced price ceiling."""
    return Decimal(0) < price <= ceiling


def merit_total(scores: dict[str, Decimal], criteria: Sequence[dict[str, Any]]) -> Decimal:
    """择优选取: the weighted total, Σ score × weight / 100 (scores 0..100 per criterion),
    rounded to two decimals."""
    total = sum((Decimal(str(scores.get(c["name"], 0))) * Decimal(int(c["weight"])) for c in criteria), Decimal(0))
    return (total / Decimal(100)).quantize(Decimal("0.01"))


def best_merit(totals: dict[str, Decimal], order: Sequence[str]) -> str | None:
    """The highest weighted total wins; ties by the draw's ``order``."""
    if not totals:
        return None
    top = max(totals.values())
    tied = [c for c in order if totals.get(c) == top]
    return tied[0] if tied else None


# --- credit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    score: int
    level: str
    rating: Decimal  # the mean rating used (1..5)
    on_time: Decimal  # the on-time share used (0..1)
    violations: int


RATING_DEFAULT = Decimal(4)  # a new agency with no rating yet
ON_TIME_DEFAULT = Decimal("0.75")  # a new agency with no finished service yet
VIOLATION_YEARS = 3


def credit_from(ratings: Iterable[Sequence[int]], finished: Sequence[bool], violations: int) -> Credit:
    """信用评价, the arithmetic (``credit`` gathers the figures)::

        R = the mean of every aspect (quality, timeliness, attitude, price) of every rating, 1..5
            (4 when the agency has no rating yet)
        T = the share of finished services delivered on time, 0..1 (0.75 when none yet)
        V = the violations decided against it in the last three years
        score = round(10 + 10 × R + 40 × T − 20 × V), kept within 0..100
        level = A from 90, B from 75, C from 60, D below 60 (D bars selection)

    A new agency scores 10 + 40 + 30 = 80 (B); all 5s and always on time 100 (A); one violation
    takes 20 points off."""
    values = [int(v) for r in ratings for v in r]
    rating = (Decimal(sum(values)) / Decimal(len(values))) if values else RATING_DEFAULT
    on_time = (Decimal(sum(1 for f in finished if f)) / Decimal(len(finished))) if finished else ON_TIME_DEFAULT
    raw = Decimal(10) + Decimal(10) * rating + Decimal(40) * on_time - Decimal(20) * violations
    score = max(0, min(100, int(raw.quantize(Decimal(1), rounding="ROUND_HALF_UP"))))
    return Credit(score=score, level=credit_level(score), rating=rating.quantize(Decimal("0.01")),
                  on_time=on_time.quantize(Decimal("0.01")), violations=violations)


def credit_level(score: int) -> str:
    """A from 90, B from 75, C from 60, D below."""
    return "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"


def violations_since(on: dt.date) -> dt.date:
    """Violations count for three years: those decided after this day (and up to ``on``)."""
    if on.month == 2 and on.day == 29:
        return on.replace(year=on.year - VIOLATION_YEARS, day=28)
    return on.replace(year=on.year - VIOLATION_YEARS)


def credit(agency: Agency, on: dt.date | None = None) -> Credit:
    """An agency's credit score and level from its ratings, its on-time completions and its
    violations (see ``credit_from`` for the formula, also in docs/agencies.md). The listing gathers
    the same figures for many agencies at once (``selectors.listing``)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    ratings = list(agency.ratings.values_list("quality", "timeliness", "attitude", "price"))
    finished = list(agency.won.filter(on_time__isnull=False).values_list("on_time", flat=True))
    violations = agency.violations.filter(on__gt=violations_since(on), on__lte=on).count()
    return credit_from(ratings, [bool(f) for f in finished], violations)


def penalty_allowed(penalty: str, until: dt.date, today: dt.date) -> bool:
    """违规处理: a suspension (暂停) or a blacklisting (黑名单) runs to a date after today, at most
    ``AGENCIES_MAX_PENALTY_YEARS`` (default 3) years ahead."""
    years = int(_setting("AGENCIES_MAX_PENALTY_YEARS", 3))
    return penalty in ("suspended", "blacklisted") and today < until <= today + dt.timedelta(days=366 * years)
