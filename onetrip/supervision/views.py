from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onetrip.accounts.permissions import Capability, require
from onetrip.cases.models import RuleViolation, State
from onetrip.cases.selectors import near_deadline_until, visible_cases
from onetrip.workcalendar import workdays


@require(Capability.SUPERVISE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """E-supervision: calendar coverage, overdue and near-deadline cases, rule violations."""
    today = timezone.localdate()
    years = range(today.year - 1, today.year + 3)
    near_until = near_deadline_until(today)
    cases = visible_cases(request.user)
    overdue = cases.filter(state=State.IN_REVIEW, promised_deadline__lt=today)
    return render(request, "supervision/dashboard.html", {
        "coverage": workdays.coverage(years),
        "today": today,
        "overdue_count": overdue.count(),
        "overdue": overdue.select_related("version", "department").order_by("promised_deadline", "id")[:100],
        "near": cases.filter(state=State.IN_REVIEW, promised_deadline__gte=today,
                                    promised_deadline__lte=near_until).count(),
        "violations": RuleViolation.objects.filter(case__in=cases).select_related("case", "department")
        .order_by("-at")[:100],
    })
