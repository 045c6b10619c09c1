"""The case's working-day clock: each time rule in one function.

- **Deemed acceptance** (视为受理): :func:`acceptance_due` — the last day a one-time notice may be
  given after receipt; past it, the case counts as accepted from receipt.
- **Time limits** (法定/承诺办结时限): :func:`deadlines` — from acceptance, plus the working days
  the clock was paused (supplements during review, special procedures excluded from the limit).
- **Pauses**: :func:`pause` and :func:`resume`.
- **The light** (绿/黄/红): :func:`light_for` — near means within ``WARNING_WORKDAYS``.

The worker, the mover, the pages and the API all call these; nothing else computes a deadline.
Each is the case's reading of the reusable working-day clock (``onetrip.workcalendar.clock``),
whose pure functions hold the counting rules that hotline tickets and supervision orders share.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from onetrip.cases.models import CLOCK_STATES, Light
from onetrip.workcalendar import clock as rules
from onetrip.workcalendar import workdays

if TYPE_CHECKING:
    from onetrip.cases.models import Case


def today() -> dt.date:
    return timezone.localdate()


def acceptance_due(received_on: dt.date) -> dt.date:
    """视为受理: the last working day to accept, refuse or notify after receipt
    (``ACCEPTANCE_WINDOW_WORKDAYS``, 5 under the Administrative Licensing Law)."""
    return rules.deadline(received_on, settings.ACCEPTANCE_WINDOW_WORKDAYS)


def near_deadline_until(day: dt.date) -> dt.date:
    """A promised deadline on or before this date is "near" (the amber light, the inbox's
    "near", the warnings): ``WARNING_WORKDAYS`` working days from ``day``."""
    return rules.warning_from(day, settings.WARNING_WORKDAYS)


def pause(case: Case, day: dt.date) -> None:
    """Stop the clock (only a running clock: one that started at acceptance)."""
    if case.accepted_on:
        case.paused_since = rules.pause(case.paused_since, day)


def resume(case: Case, day: dt.date) -> None:
    """Restart the clock; the paused working days push the deadlines back."""
    case.paused_workdays = rules.resume(case.paused_workdays, case.paused_since, day)
    case.paused_since = None


def paused_workdays(case: Case, day: dt.date) -> int:
    return rules.paused_total(case.paused_workdays, case.paused_since, day)


def deadlines(case: Case, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """(promised, legal) deadlines: the version's limits counted from acceptance, plus paused days."""
    if case.accepted_on is None:
        return None
    paused = paused_workdays(case, day)
    v = case.version
    return (rules.deadline(case.accepted_on, v.promised_limit_days, paused),
            rules.deadline(case.accepted_on, v.legal_limit_days, paused))


def light_for(deadline: dt.date, day: dt.date) -> str:
    """Red past the promised deadline, amber when it is near, green otherwise."""
    return Light(rules.light(deadline, day, settings.WARNING_WORKDAYS).value)


def recompute(case: Case, day: dt.date) -> None:
    """Store the deadlines and the light on the case (so "overdue" is an index lookup)."""
    found = deadlines(case, day)
    if found is None:
        case.promised_deadline = case.legal_deadline = None
        case.light = Light.NONE
        return
    case.promised_deadline, case.legal_deadline = found
    if case.state not in CLOCK_STATES:
        case.light = Light.NONE  # decided, withdrawn or closed: the clock has stopped
        return
    case.light = light_for(case.promised_deadline, day)


def summary(case: Case, day: dt.date | None = None) -> dict[str, Any]:
    """What the case page shows: deadlines, working days used and left, the light."""
    day = day or today()
    used = left = None
    if case.accepted_on:
        end = day if case.decided_at is None else timezone.localdate(case.decided_at)
        used = rules.workdays_used(case.accepted_on, end, paused_workdays=case.paused_workdays,
                                   paused_since=case.paused_since)
        if case.promised_deadline and case.is_open:
            left = rules.workdays_left(case.promised_deadline, day)
    return {
        "promised_deadline": case.promised_deadline,
        "legal_deadline": case.legal_deadline,
        "acceptance_due": case.acceptance_due if case.accepted_on is None else None,
        "workdays_used": used,
        "workdays_left": left,
        "light": case.light,
        "paused": case.paused_since is not None,
        "calendar_source": workdays.year_source(day.year),
    }
