"""Reform metrics over the API (mounted under ``/api/v1``): the figures of a period from the daily
rollups, for the district or one department, with each metric's formula. Supervisors see the
district and any department; a department's officers and head their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.calendar import _DATE  # one pattern for a date written YYYY-MM-DD
from onetrip.api.schemas import answers
from onetrip.reports import metrics, selectors

router = Router(tags=["reports"])


class MetricsIn(Schema):
    since: str | None = Field(None, pattern=_DATE.pattern, json_schema_extra={"format": "date"},
                       description="First day, YYYY-MM-DD (default: the first of this month).")
    until: str | None = Field(None, pattern=_DATE.pattern, json_schema_extra={"format": "date"},
                       description="Last day, YYYY-MM-DD (default: today).")
    department: int = Field(0, ge=0, le=2**31 - 1, description="Supervisors: one department (0: the district).")


class MetricOut(Schema):
    code: str
    label: str
    formula: str
    value: float | None = Field(..., description="A share from 0 to 1 when percent, else a count or an average.")
    percent: bool
    reference: float | None


class WindowMetricsOut(Schema):
    window: int
    hall: str
    area: str
    number: int
    metrics: list[MetricOut]


class MetricsOut(Schema):
    since: dt.date
    until: dt.date
    department: int | None
    metrics: list[MetricOut]
    windows: list[WindowMetricsOut] = Field(..., description="Each hall window's figures (the district only).")


def _metric_rows(defined: tuple[metrics.Metric, ...], figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"code": m.code, "label": str(m.label), "formula": str(m.formula), "value": figures[m.code],
             "percent": m.percent, "reference": m.reference} for m in defined]


@router.get("/metrics", response=answers({200: MetricsOut}, 400, 401, 403), auth=token_or_session)
def get_metrics(request: HttpRequest, params: Query[MetricsIn]) -> Any:
    """改革成效: every metric of the period (cases finished in it), from the daily rollups."""
    user: User = request.auth  # type: ignore[attr-defined]
    if can(user, Capability.SUPERVISE):
        department = params.department or None
    elif can(user, Capability.ANSWER_SUPERVISION) and user.department_id:
        department = int(user.department_id)
    else:
        raise HttpError(403, "Metrics are for supervisors and the departments.")
    today = timezone.localdate()
    try:
        since = dt.date.fromisoformat(params.since) if params.since else today.replace(day=1)
        until = dt.date.fromisoformat(params.until) if params.until else today
    except ValueError:
        raise HttpError(400, "since and until must be real dates written YYYY-MM-DD.") from None
    if since > until:
        raise HttpError(400, "since is after until.")
    figures = selectors.figures(since, until, department_id=department)
    windows = selectors.by_window(since, until) if department is None else []
    return {"since": since, "until": until, "department": department,
            "metrics": _metric_rows(metrics.METRICS, figures),
            "windows": [{"window": w.pk, "hall": w.area.hall.name, "area": w.area.name, "number": w.number,
                         "metrics": _metric_rows(metrics.WINDOW_METRICS, f)} for w, f in windows]}
