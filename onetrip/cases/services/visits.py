"""Visits (跑动): every physical trip of the applicant to an office, counted on the case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases.models import Case, RuleViolation, Visit
from onetrip.cases.rules import Refused, check_length, record_violation, visits_exceeded
from onetrip.core import trail


def add_visit(case: Case, reason: str, actor: User, summary: dict[str, Any] | None = None) -> Visit:
    """Record a trip inside the caller's transaction; more trips than promised is recorded for
    e-supervision (once per case)."""
    visit = Visit.objects.create(case=case, reason=reason, at=timezone.now(), recorded_by=actor)
    case.visit_count = case.visits.count()
    if visits_exceeded(case.visit_count, case.version.max_visits):
        record_violation(case=case, rule=RuleViolation.Rule.VISITS_EXCEEDED, actor=actor, once=True,
                         detail={"visits": case.visit_count, "promised": case.version.max_visits})
    if summary is not None:
        summary["visit"] = reason
        summary["visit_count"] = case.visit_count
    return visit


@transaction.atomic
def record_visit(*, case: Case, reason: str, actor: User, note: str = "") -> Visit:
    """Record one physical trip of the applicant to an office (window and department staff only)."""
    if reason not in Visit.Reason.values:
        raise ValidationError({"reason": [_("Unknown reason for a visit.")]})
    check_length("note", note, 200)
    if actor.role not in (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD):
        raise Refused(_("Only staff record visits."), code="forbidden")
    case = Case.objects.select_for_update(of=("self",)).select_related("version").get(pk=case.pk)
    if actor.role != Role.WINDOW_CLERK and actor.department_id != case.department_id:
        raise Refused(_("This case belongs to another department."), code="not_your_department")
    summary: dict[str, Any] = {"number": case.number}
    visit = add_visit(case, reason, actor, summary)
    if note:
        Visit.objects.filter(pk=visit.pk).update(note=note)
    case.save(update_fields=["visit_count", "updated_at"])
    trail.record(actor=actor, action="case.visit", obj=case, summary=summary)
    return visit
