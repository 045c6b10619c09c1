"""The reform's metrics, each defined once here: the counters one finished case contributes
(:func:`case_facts`), and each metric as a formula over the sums of those counters for a period,
a department, an item (:data:`METRICS`). The daily rollup (``reports.services.roll_up``) stores
the sums per day, department and item, so that a dashboard over a million cases adds up a few
thousand rows; the drill-down (``finished_cases``) lists the cases behind a figure.

A case counts on the day it was finished (办结: ``state = closed``, its ``closed_at`` in Beijing
time): handed out, delivered by post and closed, denied and closed, or not accepted and closed.
Withdrawn cases are not counted. Open cases are watched live on the supervision desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onetrip.cases import clock
from onetrip.cases.models import Case, Channel, RuleViolation, State

COUNTERS = ("finished", "online", "one_trip", "zero_trip", "decided", "on_time", "workdays_used", "promised_days",
            "legal_days", "deemed", "notices", "repeated_notices", "materials", "waived", "licence_reuse")


def finished_cases(since: dt.date, until: dt.date) -> QuerySet[Case]:
    """The cases finished from ``since`` to ``until`` (Beijing days, both included)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Case.objects.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)


def case_facts(case: Case) -> dict[str, int]:
    """What one finished case adds to each counter.

    - ``finished`` 1; ``online`` 1 if applied online; ``one_trip`` 1 if its recorded trips
      (``visit_count``) are at most one; ``zero_trip`` 1 if none;
    - ``decided`` 1 if approved or denied; then ``on_time`` 1 if decided on or before its promised
      deadline, ``workdays_used`` the working days from acceptance to decision less the paused
      ones, ``promised_days`` and ``legal_days`` its item's time limits;
    - ``deemed`` 1 if its acceptance was deemed (视为受理);
    - ``notices`` the one-time notices issued; ``repeated_notices`` the violations for a second
      notice naming what the first did not;
    - ``materials`` its checklist's required materials, ``waived`` those a registry supplied
      (免提交), ``licence_reuse`` those supplied from the e-licence registry."""
    facts = dict.fromkeys(COUNTERS, 0)
    facts["finished"] = 1
    facts["online"] = int(case.application.channel == Channel.ONLINE)
    facts["one_trip"] = int(case.visit_count <= 1)
    facts["zero_trip"] = int(case.visit_count == 0)
    if case.decided_at is not None:
        facts["decided"] = 1
        decided_on = timezone.localtime(case.decided_at).date()
        facts["on_time"] = int(case.promised_deadline is not None and decided_on <= case.promised_deadline)
        facts["workdays_used"] = clock.summary(case, decided_on)["workdays_used"] or 0
        facts["promised_days"] = case.version.promised_limit_days
        facts["legal_days"] = case.version.legal_limit_days
    facts["deemed"] = int(case.deemed_accepted)
    facts["notices"] = case.notices.count()
    facts["repeated_notices"] = case.violations.filter(rule=RuleViolation.Rule.REPEATED_NOTICE).count()
    facts["materials"] = case.version.materials.filter(required=True).count()
    waived = getattr(case, "waived_materials", None)  # registries' relation (floor 4, read here at floor 5)
    if waived is not None:
        facts["waived"] = waived.filter(found=True).count()
        facts["licence_reuse"] = waived.filter(found=True, registry="licence").count()
    return facts


def _ratio(num: str, den: str) -> Callable[[Mapping[str, int]], float | None]:
    return lambda s: (s[num] / s[den]) if s[den] else None


@dataclass(frozen=True)
class Metric:
    code: str
    label: Any
    formula: Any  # in words, shown next to the figure
    compute: Callable[[Mapping[str, int]], float | int | None]
    percent: bool = False
    reference: float | None = None  # a published reference value (e.g. Zhejiang 2017), drawn as a line


METRICS: tuple[Metric, ...] = (
    Metric("finished", _("Cases finished"), _("cases closed in the period"), lambda s: s["finished"]),
    Metric("one_trip_rate", _("At most one trip"), _("cases with at most one recorded trip ÷ cases finished"),
           _ratio("one_trip", "finished"), percent=True, reference=0.879),
    Metric("zero_trip_rate", _("No trip"), _("cases with no recorded trip ÷ cases finished"),
           _ratio("zero_trip", "finished"), percent=True),
    Metric("online_share", _("Applied online"), _("cases applied for online ÷ cases finished"),
           _ratio("online", "finished"), percent=True),
    Metric("on_time_rate", _("Decided on time"), _("decided by the promised deadline ÷ decided"),
           _ratio("on_time", "decided"), percent=True),
    Metric("avg_workdays", _("Working days used (average)"), _("working days from acceptance to decision ÷ decided"),
           _ratio("workdays_used", "decided")),
    Metric("avg_promised", _("Promised working days (average)"), _("promised time limits ÷ decided"),
           _ratio("promised_days", "decided")),
    Metric("avg_legal", _("Legal working days (average)"), _("legal time limits ÷ decided"),
           _ratio("legal_days", "decided")),
    Metric("deemed", _("Deemed acceptances"), _("cases whose acceptance was deemed"), lambda s: s["deemed"]),
    Metric("notices_per_case", _("One-time notices per case"), _("notices issued ÷ cases finished"),
           _ratio("notices", "finished")),
    Metric("repeated_notices", _("Repeated notices"), _("second notices naming what the first did not"),
           lambda s: s["repeated_notices"]),
    Metric("waived_rate", _("Materials not asked for (once-only)"),
           _("required materials supplied by a registry ÷ required materials"), _ratio("waived", "materials"),
           percent=True),
    Metric("licence_reuse", _("E-licences reused"), _("materials supplied from the e-licence registry"),
           lambda s: s["licence_reuse"]),
)


def compute(sums: Mapping[str, int]) -> dict[str, float | int | None]:
    """Every metric from the summed counters (None where its denominator is zero)."""
    full = {c: int(sums.get(c) or 0) for c in COUNTERS}
    return {m.code: m.compute(full) for m in METRICS}


def add_up(rows: Any) -> dict[str, int]:
    """The counters summed over facts or rollup rows (dicts or objects with the counter fields)."""
    total = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for c in COUNTERS:
            total[c] += int(row[c] if isinstance(row, Mapping) else getattr(row, c))
    return total
