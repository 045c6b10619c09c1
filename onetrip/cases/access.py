"""Who may see a case: its applicant, staff of its department, any window clerk (one-window
intake), supervisors and system admins."""

from __future__ import annotations

from typing import Any

from onetrip.accounts.models import Role
from onetrip.cases.models import Case


def can_view(user: Any, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if case.application.applicant_id == user.pk:
        return True
    if user.role in (Role.WINDOW_CLERK, Role.SUPERVISOR, Role.SYSTEM_ADMIN):
        return True
    return user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD) and user.department_id == case.department_id


def is_staff_viewer(user: Any, case: Case) -> bool:
    return can_view(user, case) and case.application.applicant_id != user.pk
