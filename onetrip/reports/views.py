"""Pages of the reform metrics: the dashboard (the supervisor sees the district and each
department; a department's staff see their own) and the drill-down to the cases behind a figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, can
from onetrip.cases.models import Case
from onetrip.core.pagecache import cached_for_visitors
from onetrip.reports import metrics, selectors
from onetrip.reports.models import MonthlyReport


def _scope(request: HttpRequest) -> tuple[User, int | None]:
    """Supervisors: the whole district (or one department they choose); a department's staff:
    their own; anyone else: 404."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    if can(user, Capability.SUPERVISE):
        raw = (request.GET.get("department") or "").strip()
        return user, int(raw) if raw.isdigit() and len(raw) < 10 else None
    if can(user, Capability.ANSWER_SUPERVISION) and user.department_id:
        return user, int(user.department_id)
    raise Http404


def _rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"metric": m, "value": figures[m.code],
             "reference": round(100 * m.reference, 1) if m.reference else None} for m in metrics.METRICS]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _charts(months: list[tuple[dt.date, dict[str, Any]]],
            departments: list[tuple[Any, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The data of the page's charts (ECharts, reports/charts.js); the tables say the same."""
    by_code = {m.code: m for m in metrics.METRICS}
    reference = _("Zhejiang 2017: %(p)s%%")

    def line(code: str) -> dict[str, Any]:
        m = by_code[code]
        ref = round(100 * m.reference, 1) if m.reference else None
        return {"name": str(m.label), "data": [_pct(f[code]) for _m, f in months], "reference": ref,
                "reference_label": reference % {"p": ref} if ref else ""}

    charts: dict[str, dict[str, Any]] = {}
    if months:
        charts["trend"] = {"kind": "line", "title": _("Month by month: at most one trip, decided on time, satisfaction"),
                           "labels": [f"{m:%Y-%m}" for m, _f in months],
                           "series": [line("one_trip_rate"), line("on_time_rate"), line("satisfaction_rate")]}
    if departments:
        ref = round(100 * (by_code["one_trip_rate"].reference or 0), 1)
        charts["departments"] = {
            "kind": "bar", "title": _("Departments: at most one trip"),
            "labels": [d.short_name or d.name for d, _f in departments],
            "series": [{"name": str(by_code["one_trip_rate"].label),
                        "data": [_pct(f["one_trip_rate"]) for _d, f in departments], "reference": ref,
                        "reference_label": reference % {"p": ref}}]}
    return charts


def dashboard(request: HttpRequest) -> HttpResponse:
    """改革成效: the metrics of the period from the daily rollups, with their formulas, and for
    the supervisor the departments ranked."""
    user, department_id = _scope(request)
    today = timezone.localdate()
    since, until = selectors.period(request.GET, today)
    figures = selectors.figures(since, until, department_id=department_id)
    departments = selectors.by_department(since, until) if department_id is None else []
    windows = selectors.by_window(since, until) if department_id is None else []
    twelve = (until.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return render(request, "reports/dashboard.html", {
        "charts": _charts(selectors.monthly(twelve, until, department_id=department_id), departments),
        "since": since, "until": until, "rows": _rows(figures), "figures": figures,
        "department": Department.objects.filter(pk=department_id).first() if department_id else None,
        "departments": departments,
        "windows": [(w, [(m, f[m.code]) for m in metrics.WINDOW_METRICS]) for w, f in windows],
        "window_metrics": metrics.WINDOW_METRICS,
        "window_halls": len({w.area.hall_id for w, _f in windows}) > 1,
        "choose_department": can(user, Capability.SUPERVISE),
        "all_departments": Department.objects.order_by("code") if can(user, Capability.SUPERVISE) else [],
    })


def _published_stamp() -> Any:
    return selectors.published_until()


@cached_for_visitors(_published_stamp)
def performance(request: HttpRequest) -> HttpResponse:
    """政务公开: the district's reform figures for everyone — this year to the last final day, each
    of the last twelve months, and the departments ranked. Cached for visitors until the next
    day is rolled up (the key names the last final day)."""
    until = selectors.published_until()
    if until is None:
        return render(request, "reports/performance.html", {"until": None})
    year_start = until.replace(month=1, day=1)
    twelve = (until.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    months, departments = selectors.monthly(twelve, until), selectors.by_department(year_start, until)
    return render(request, "reports/performance.html", {
        "until": until, "year_start": year_start, "rows": _rows(selectors.figures(year_start, until)),
        "months": months, "departments": departments, "charts": _charts(months, departments),
    })


def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly reports kept (PDF and Excel), newest first."""
    _scope(request)
    return render(request, "reports/monthly.html", {"reports": MonthlyReport.objects.all()[:60]})


def monthly_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _scope(request)
    report = MonthlyReport.objects.filter(pk=pk).first()
    if report is None or kind not in ("pdf", "xlsx"):
        raise Http404
    field = report.pdf if kind == "pdf" else report.xlsx
    with field.open("rb") as f:
        data = f.read()
    types = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = HttpResponse(data, content_type=types[kind])
    response["Content-Disposition"] = content_disposition_header(
        kind == "xlsx", f"report-{report.month:%Y-%m}.{kind}") or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def drill_down(request: HttpRequest) -> HttpResponse:
    """The finished cases behind the figures of a period (and department), with the facts each
    one adds: trips, decided on time, working days used, notices."""
    _user, department_id = _scope(request)
    since, until = selectors.period(request.GET, timezone.localdate())
    page, cases = selectors.finished_page(since, until, department_id=department_id,
                                          number=request.GET.get("page", "1"))
    facts = {row["id"]: f for row, f in metrics.facts_of(Case.objects.filter(pk__in=[c.pk for c in cases]))}
    rows = [(c, facts[c.pk]) for c in cases]
    return render(request, "reports/cases.html", {"since": since, "until": until, "page": page, "rows": rows,
                                                  "department_id": department_id or ""})
