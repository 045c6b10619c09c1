"""Reads of the reform metrics: figures for a period from the daily rollups, per department or
item, and the cases behind a figure (drill-down)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum

from onetrip.accounts.models import Department
from onetrip.reports import metrics
from onetrip.reports.models import DailyRollup


def period(params: Any, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for (``since``/``until``, ISO dates), by default this month so far."""
    def day(key: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat((params.get(key) or "").strip())
        except ValueError:
            return default

    since, until = day("since", today.replace(day=1)), day("until", today)
    return (since, until) if since <= until else (until, since)


def figures(since: dt.date, until: dt.date, *, department_id: int | None = None) -> dict[str, Any]:
    """Every metric over the period (and department), from the rollups."""
    qs = DailyRollup.objects.filter(day__range=(since, until))
    if department_id:
        qs = qs.filter(department_id=department_id)
    sums = qs.aggregate(**{c: Sum(c) for c in metrics.COUNTERS})
    return metrics.compute({c: v or 0 for c, v in sums.items()})


def by_department(since: dt.date, until: dt.date) -> list[tuple[Department, dict[str, Any]]]:
    """Each department's metrics over the period, ranked by the one-trip rate, then cases."""
    rows = (DailyRollup.objects.filter(day__range=(since, until)).values("department_id")
            .annotate(**{c: Sum(c) for c in metrics.COUNTERS}))
    names = Department.objects.in_bulk([r["department_id"] for r in rows])
    out = [(names[r["department_id"]], metrics.compute(r)) for r in rows if r["department_id"] in names]
    out.sort(key=lambda x: (-(x[1]["one_trip_rate"] or 0), -(x[1]["finished"] or 0)))
    return out
