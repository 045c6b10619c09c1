"""Reads of the reform metrics: figures for a period from the daily rollups, per department or
item, and the cases behind a figure (drill-down)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Sum

from onetrip.accounts.models import Department
from onetrip.cases.models import Case
from onetrip.reports import metrics
from onetrip.reports.models import DailyDepartmentRollup, DailyRollup


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
    dq = DailyDepartmentRollup.objects.filter(day__range=(since, until))
    if department_id:
        dq = dq.filter(department_id=department_id)
    sums.update(dq.aggregate(**{c: Sum(c) for c in metrics.DEPARTMENT_COUNTERS}))
    return metrics.compute({c: v or 0 for c, v in sums.items()})


def by_department(since: dt.date, until: dt.date) -> list[tuple[Department, dict[str, Any]]]:
    """Each department's metrics over the period, ranked by the one-trip rate, then cases."""
    rows = {r["department_id"]: r for r in DailyRollup.objects.filter(day__range=(since, until))
            .values("department_id").annotate(**{c: Sum(c) for c in metrics.COUNTERS})}
    for r in (DailyDepartmentRollup.objects.filter(day__range=(since, until)).values("department_id")
              .annotate(**{c: Sum(c) for c in metrics.DEPARTMENT_COUNTERS})):
        rows.setdefault(r["department_id"], {"department_id": r["department_id"]}).update(r)
    names = Department.objects.in_bulk(list(rows))
    out = [(names[d], metrics.compute(r)) for d, r in rows.items() if d in names]
    out.sort(key=lambda x: (-(x[1]["one_trip_rate"] or 0), -(x[1]["finished"] or 0)))
    return out


def by_window(since: dt.date, until: dt.date) -> list[tuple[Any, dict[str, Any]]]:
    """Each hall window's metrics over the period from the daily rollups (windows with nothing
    in it left out), in the order of their halls, areas and numbers."""
    from onetrip.hall.models import Window
    from onetrip.reports.models import DailyWindowRollup

    facts = {r["window_id"]: r for r in DailyWindowRollup.objects.filter(day__range=(since, until))
             .values("window_id").annotate(**{c: Sum(c) for c in metrics.WINDOW_COUNTERS}).order_by()}
    windows = Window.objects.filter(pk__in=list(facts)).select_related("area__hall").order_by(
        "area__hall_id", "area__sort_order", "area_id", "number")
    return [(w, metrics.compute_window(facts[w.pk])) for w in windows]


def published_until() -> dt.date | None:
    """The last day whose figures are final (the public page shows no partial day)."""
    from onetrip.reports.models import RollupMark

    mark = RollupMark.objects.filter(name="daily").values_list("day", flat=True).first()
    return mark


def monthly(since: dt.date, until: dt.date, *, department_id: int | None = None) -> list[tuple[dt.date, dict[str, Any]]]:
    """Each month's metrics (first day of the month, figures), oldest first."""
    from django.db.models.functions import TruncMonth

    qs = DailyRollup.objects.filter(day__range=(since, until))
    if department_id:
        qs = qs.filter(department_id=department_id)
    rows = {r["month"]: r for r in qs.annotate(month=TruncMonth("day")).values("month").annotate(
        **{c: Sum(c) for c in metrics.COUNTERS}).order_by("month")}
    dq = DailyDepartmentRollup.objects.filter(day__range=(since, until))
    if department_id:
        dq = dq.filter(department_id=department_id)
    for r in dq.annotate(month=TruncMonth("day")).values("month").annotate(
            **{c: Sum(c) for c in metrics.DEPARTMENT_COUNTERS}).order_by("month"):
        rows.setdefault(r["month"], {}).update(r)
    return [(month, metrics.compute(rows[month])) for month in sorted(rows)]


def finished_page(since: dt.date, until: dt.date, *, department_id: int | None, number: Any,
                  per_page: int = 50) -> tuple[Page, list[Case]]:
    """The drill-down's page of the cases finished in the period (and department), in closing
    order: the page and its cases. Pages over the cases' ids alone (an index-only scan of
    ``case_closed_at``, however deep the page: twelve months are some 20 000 pages), then reads
    that page's cases."""
    ids = metrics.finished_cases(since, until).order_by("closed_at", "id")
    if department_id:
        ids = ids.filter(department_id=department_id)
    page = Paginator(ids.values_list("id", flat=True), per_page).get_page(number)
    page.object_list = list(page.object_list)
    found = Case.objects.select_related("version", "department").in_bulk(page.object_list)
    return page, [found[pk] for pk in page.object_list]
