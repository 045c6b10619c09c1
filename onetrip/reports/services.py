"""The daily rollup of the reform's counters (``reports.rollup`` job): each day's finished cases
summed per department and item into ``DailyRollup`` rows. Incremental: days before today are final
once rolled (a finished case does not change), today is rolled again on every run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from onetrip.reports import metrics
from onetrip.reports.models import DailyRollup, RollupMark

MARK = "daily"


def roll_day(day: dt.date) -> int:
    """Recompute one day's rows (replace them in one transaction). Returns the rows written."""
    sums: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(metrics.COUNTERS, 0))
    cases = metrics.finished_cases(day, day).select_related("application", "version").prefetch_related(
        "notices", "violations")
    for case in cases.iterator(chunk_size=500):
        key = (case.department_id, case.item_id)
        for name, value in metrics.case_facts(case).items():
            sums[key][name] += value
    with transaction.atomic():
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create([DailyRollup(day=day, department_id=d, item_id=i, **counters)
                                         for (d, i), counters in sums.items()])
    return len(sums)


def roll_up(*, today: dt.date | None = None, first: dt.date | None = None, max_days: int = 366) -> dict[str, int]:
    """Roll every day after the last final one up to today (at most ``max_days`` per run)."""
    today = today or timezone.localdate()
    mark = RollupMark.objects.filter(name=MARK).first()
    if mark is not None:
        start = mark.day + dt.timedelta(days=1)
    else:
        oldest = metrics.finished_cases(dt.date(2000, 1, 1), today).order_by("closed_at").values_list(
            "closed_at", flat=True).first()
        start = first or (timezone.localtime(oldest).date() if oldest else today)
    days = rows = 0
    day = start
    while day <= today and days < max_days:
        rows += roll_day(day)
        days += 1
        if day < today:
            RollupMark.objects.update_or_create(name=MARK, defaults={"day": day})
        day += dt.timedelta(days=1)
    return {"days": days, "rows": rows}
