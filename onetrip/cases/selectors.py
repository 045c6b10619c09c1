"""Reads for cases: the applicant's list, the department inbox, the timeline, the public
progress lookup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.cases.models import OPEN_STATES, Case, State
from onetrip.cases.steps import review_steps
from onetrip.cases.transitions import EVENTS, NEXT_STEP
from onetrip.core.identity import mask_mobile, mask_name
from onetrip.core.models import TrailEntry
from onetrip.workcalendar import workdays

INBOX_VIEWS = ("new", "mine", "near", "overdue", "open")

# Trail actions the applicant sees on their timeline (staff-internal ones are left out).
PUBLIC_ACTIONS = {
    "case.submit", "case.accept", "case.deem_accept", "case.refuse", "case.issue_notice", "case.supplement",
    "case.advance", "case.suspend", "case.resume", "case.approve", "case.deny", "case.withdraw",
    "case.issue_result", "case.deliver", "case.close",
}


def near_deadline_until(day: dt.date) -> dt.date:
    """A promised deadline on or before this date is "near" (the amber light, the inbox's
    "near", the warnings): ``WARNING_WORKDAYS`` working days from ``day``."""
    return workdays.add_workdays(day, settings.WARNING_WORKDAYS)


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("version", "department", "application", "item")


def cases_of(user: User) -> QuerySet[Case]:
    return _base().filter(application__applicant=user).order_by("-id")


def inbox(user: User, view: str = "new", day: dt.date | None = None) -> QuerySet[Case]:
    """A department's work. Window clerks see every submitted case (one-window intake); officers
    and heads see their department's. "near" and "overdue" are range scans on the stored
    promised deadline (indexed with the state)."""
    day = day or timezone.localdate()
    qs = _base()
    if user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD):
        if user.department_id is None:
            return qs.none()
        qs = qs.filter(department_id=user.department_id)
    elif user.role not in (Role.WINDOW_CLERK, Role.SUPERVISOR, Role.SYSTEM_ADMIN):
        return qs.none()
    if view == "new":
        return qs.filter(state=State.SUBMITTED).order_by("acceptance_due", "id")
    if view == "mine":
        return qs.filter(assignee=user, state__in=OPEN_STATES).order_by("promised_deadline", "id")
    if view == "near":
        return qs.filter(state=State.IN_REVIEW, promised_deadline__gte=day,
                         promised_deadline__lte=near_deadline_until(day)).order_by("promised_deadline", "id")
    if view == "overdue":
        return qs.filter(state=State.IN_REVIEW, promised_deadline__lt=day).order_by("promised_deadline", "id")
    return qs.filter(state__in=OPEN_STATES).order_by("promised_deadline", "id")


@dataclass
class TimelineEntry:
    at: dt.datetime
    action: str
    who: str  # department / role, never an officer's name
    detail: dict[str, Any]
    label: str = ""
    who_label: str = ""


def timeline(case: Case, *, for_staff: bool = False) -> list[TimelineEntry]:
    entries = TrailEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq")
    if not for_staff:
        entries = entries.filter(action__in=PUBLIC_ACTIONS)
    out = []
    for e in entries:
        if e.actor_role in ("citizen", "company_rep", "proxy_agent"):
            who = "applicant"
        elif e.actor_role == "system":
            who = "system"
        else:
            who = e.actor_role
        detail = {k: v for k, v in e.summary.items() if k in {"reasons", "procedure", "step_to", "method",
                                                                "deemed_from", "materials", "remedies"}}
        if for_staff:
            detail = dict(e.summary)
            detail["actor"] = e.actor_label
        action = e.action.removeprefix("case.")
        label = str(EVENTS.get(action, action))
        out.append(TimelineEntry(at=e.at, action=action, who=who, detail=detail, label=label,
                                 who_label=_who_label(who, case)))
    return out


def _who_label(who: str, case: Case) -> str:
    """The applicant sees which office acted, never which officer."""
    if who == "applicant":
        return str(_("Applicant"))
    if who == "system":
        return str(_("System clock"))
    if who == Role.WINDOW_CLERK:
        return str(_("Comprehensive window"))
    if who in Role.values:
        return f"{case.department.name} · {Role(who).label}"
    return who


def current_step(case: Case) -> str:
    if case.state != State.IN_REVIEW:
        return ""
    steps = review_steps(case.version)
    return steps[min(case.step_index, len(steps) - 1)].name


def next_step(case: Case) -> str:
    return str(NEXT_STEP.get(State(case.state), ""))


def lookup(number: str, secret: str) -> Case | None:
    """Public progress lookup: the case number with the applicant's mobile number or ID number."""
    number = (number or "").strip()
    secret = (secret or "").strip().upper()
    if not number or not secret:
        return None
    return (
        _base()
        .filter(number=number)
        .filter(Q(application__applicant_mobile=secret) | Q(application__applicant_id_number=secret))
        .first()
    )


def progress(case: Case) -> dict[str, Any]:
    """What the public lookup shows: no full name, no full mobile number, no officer."""
    return {
        "number": case.number,
        "item": case.version.name,
        "department": case.department.name,
        "state": case.state,
        "state_label": case.get_state_display(),
        "applicant": mask_name(case.application.applicant_name),
        "applicant_mobile": mask_mobile(case.application.applicant_mobile),
        "received_on": case.received_on,
        "promised_deadline": case.promised_deadline,
        "next_step": next_step(case),
        "timeline": [vars(e) for e in timeline(case, for_staff=False)],
    }
