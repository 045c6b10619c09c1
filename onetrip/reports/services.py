"""The daily rollup of the reform's counters (``reports.rollup`` job): each day's finished cases
summed per department and item into ``DailyRollup`` rows. Incremental: days before today are final
once rolled (a finished case does not change), today is rolled again on every run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from onetrip.reports import metrics
from onetrip.reports.models import (
    DailyDepartmentRollup,
    DailyRollup,
    DailyWindowRollup,
    MonthlyReport,
    RollupMark,
)

MARK = "daily"


def roll_day(day: dt.date) -> int:
    """Recompute one day's rows (replace them in one transaction). Returns the rows written."""
    sums: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(metrics.COUNTERS, 0))
    for row, facts in metrics.facts_of(metrics.finished_cases(day, day)):
        key = (row["department_id"], row["item_id"])
        for name, value in facts.items():
            sums[key][name] += value
    departments = metrics.department_facts(day)
    windows = metrics.window_facts(day)
    with transaction.atomic():
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create([DailyRollup(day=day, department_id=d, item_id=i, **counters)
                                         for (d, i), counters in sums.items()])
        DailyDepartmentRollup.objects.filter(day=day).delete()
        DailyDepartmentRollup.objects.bulk_create([DailyDepartmentRollup(day=day, department_id=d, **counters)
                                                   for d, counters in departments.items()])
        DailyWindowRollup.objects.filter(day=day).delete()
        DailyWindowRollup.objects.bulk_create([DailyWindowRollup(day=day, window_id=w, **counters)
                                               for w, counters in windows.items()])
    return len(sums) + len(departments) + len(windows)


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


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def generate_monthly(*, month: dt.date) -> MonthlyReport:
    """月度报告: the month's PDF and Excel from the rollups, stored with their SHA-256 (once per
    month: a second call returns the report already made)."""
    import hashlib

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import IntegrityError
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from onetrip.reports import documents, selectors

    first, last = month_bounds(month)
    existing = MonthlyReport.objects.filter(month=first).first()
    if existing is not None:
        return existing
    with override(settings.LANGUAGE_CODE):
        title = _("%(site)s: reform report for %(y)s-%(m)02d") % {"site": settings.SITE_NAME, "y": first.year,
                                                                   "m": first.month}
        period = _("Cases finished from %(s)s to %(u)s") % {"s": first, "u": last}
        figures = selectors.figures(first, last)
        departments = selectors.by_department(first, last)
        twelve = (first - dt.timedelta(days=335)).replace(day=1)
        pdf = documents.build_pdf(title=title, period=period, figures=figures, departments=departments,
                                  months=selectors.monthly(twelve, last))
        rollups = list(DailyRollup.objects.filter(day__range=(first, last)).select_related("department", "item")
                       .order_by("day", "department_id", "item_id"))
        xlsx = documents.build_xlsx(title=title, figures=figures, departments=departments, rollups=rollups)
    names = []
    for data, ext in ((pdf, "pdf"), (xlsx, "xlsx")):
        digest = hashlib.sha256(data).hexdigest()
        names.append((default_storage.save(f"reports/{first:%Y-%m}-{digest[:12]}.{ext}", ContentFile(data)), digest))
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(month=first, generated_at=timezone.now(), pdf=names[0][0],
                                                  pdf_sha256=names[0][1], xlsx=names[1][0], xlsx_sha256=names[1][1])
            from onetrip.core import trail

            trail.record(actor=None, action="reports.monthly", obj=report,
                         summary={"month": f"{first:%Y-%m}", "pdf_sha256": names[0][1]})
    except IntegrityError:  # another worker made it first
        for name, _digest in names:
            default_storage.delete(name)
        return MonthlyReport.objects.get(month=first)
    return report


def monthly_due(*, today: dt.date | None = None) -> MonthlyReport | None:
    """The job's check: last month's report, once last month's final day is rolled up."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    _first, last = month_bounds(last_month)
    mark = RollupMark.objects.filter(name=MARK).first()
    if mark is None or mark.day < last or MonthlyReport.objects.filter(month=last_month).exists():
        return None
    return generate_monthly(month=last_month)
