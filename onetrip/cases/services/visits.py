"""Visits (跑动): every physical trip of the applicant to an office, counted on the case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases.models import Case, RuleViolation, Visit
from onetrip.cases.rules import Refused, check_length, record_violation, visits_exceeded
from onetrip.core import trail


def add_visit(case: Case, reason: str, actor: User, summary: dict[str, Any] | None = None, *,
              proxy_agent: User | None = None) -> Visit:
    """Record a trip inside the caller's transaction; more trips than promised is recorded for
    e-supervision (once per case). A trip the proxy agent made (``proxy_agent``) is the agent's:
    recorded, and not counted among the applicant's trips."""
    visit = Visit.objects.create(case=case, reason=reason, at=timezone.now(), recorded_by=actor,
                                 proxy_agent=proxy_agent)
    case.visit_count = applicant_trips(case)
    if summary is not None and proxy_agent is not None:
        summary["by_proxy_agent"] = True
    if proxy_agent is None and visits_exceeded(case.visit_count, case.version.max_visits):
        record_violation(case=case, rule=RuleViolation.Rule.VISITS_EXCEEDED, actor=actor, once=True,
                         detail={"visits": case.visit_count, "promised": case.version.max_visits})
    if summary is not None:
        summary["visit"] = reason
        summary["visit_count"] = case.visit_count
    return visit


def applicant_trips(case: Case) -> int:
    """跑动次数 (最多跑一次): the trips the applicant (or someone they sent) made to an office. A trip
    is a journey, not a window: everything done there on one (local) day is one trip, such as
    handing in at one window and collecting the result at the result window while still there.
    A proxy agent's trips are not the applicant's."""
    return (case.visits.filter(proxy_agent__isnull=True)
            .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
            .values("day").distinct().count())


def proxy_agent_of(case: Case) -> User | None:
    """The proxy agent who applied for the person (帮代办), if one did."""
    submitter = case.application.submitted_by
    return submitter if submitter.role == Role.PROXY_AGENT else None


@transaction.atomic
def record_visit(*, case: Case, reason: str, actor: User, note: str = "", by_proxy_agent: bool = False) -> Visit:
    """Record one physical trip of the applicant to an office (window and department staff only).
    ``by_proxy_agent``: the proxy agent who applied for the person made the trip (it is theirs)."""
    if reason not in Visit.Reason.values:
        raise ValidationError({"reason": [_("Unknown reason for a visit.")]})
    check_length("note", note, 200)
    if actor.role not in (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD):
        raise Refused(_("Only staff record visits."), code="forbidden")
    case = Case.objects.select_for_update(of=("self",)).select_related(
        "version", "application__submitted_by").get(pk=case.pk)
    if actor.role != Role.WINDOW_CLERK and actor.department_id != case.department_id:
        raise Refused(_("This case belongs to another department."), code="not_your_department")
    agent = None
    if by_proxy_agent:
        agent = proxy_agent_of(case)
        if agent is None:
            raise ValidationError({"by_proxy_agent": [_("No proxy agent applied for this case.")]})
    summary: dict[str, Any] = {"number": case.number}
    visit = add_visit(case, reason, actor, summary, proxy_agent=agent)
    if note:
        Visit.objects.filter(pk=visit.pk).update(note=note)
    case.save(update_fields=["visit_count", "updated_at"])
    trail.record(actor=actor, action="case.visit", obj=case, summary=summary)
    return visit
