"""The back-office review steps of an item version (受理 → 承办 → 审核 → 决定)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role
from onetrip.catalog.models import ItemVersion


@dataclass(frozen=True)
class Step:
    name: str
    role: str
    limit_days: int | None


def review_steps(version: ItemVersion) -> list[Step]:
    """The steps configured on the version (process steps that name a back-office role), or
    a default: an on-the-spot item is decided by the window clerk; others by an officer
    who handles it and the department head who decides."""
    configured = [Step(s.name, s.role, s.limit_days) for s in version.steps.all() if s.role]
    if configured:
        return configured
    if version.promised_limit_days == 0:
        return [Step(str(_("Decide on the spot")), Role.WINDOW_CLERK.value, 0)]
    return [
        Step(str(_("Handle")), Role.OFFICER.value, None),
        Step(str(_("Decide")), Role.DEPARTMENT_HEAD.value, None),
    ]
