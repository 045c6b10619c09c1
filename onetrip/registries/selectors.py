"""Reads of once-only's records: which materials of a case a registry supplied, the rate of waived
materials (a figure for the performance reports), and the applicant's own data for prefilling
their application form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from onetrip.accounts.models import CompanyStatus, Role, User
from onetrip.cases.models import Case, State
from onetrip.catalog.models import MaterialRequirement
from onetrip.registries.models import WaivedMaterial
from onetrip.registries.providers import provider


def waived_for_case(case: Case) -> list[WaivedMaterial]:
    return list(WaivedMaterial.objects.filter(case=case).order_by("id"))


@dataclass(frozen=True)
class WaivedRate:
    """免提交率: of the required checklist materials of the cases submitted in a period, how many a
    registry supplied instead of the applicant."""

    waived: int
    required: int

    @property
    def rate(self) -> float | None:
        return self.waived / self.required if self.required else None


def waived_rate(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                department_id: int | None = None, item_id: int | None = None) -> WaivedRate:
    """The rate of waived materials over cases submitted in [since, until) (by their application's
    submission time), optionally of one department or item. Drafts do not count. Two queries."""
    cases = Case.objects.exclude(state=State.DRAFT).filter(application__submitted_at__isnull=False)
    if since is not None:
        cases = cases.filter(application__submitted_at__gte=since)
    if until is not None:
        cases = cases.filter(application__submitted_at__lt=until)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if item_id is not None:
        cases = cases.filter(item_id=item_id)
    waived = WaivedMaterial.objects.filter(case__in=cases, found=True).count()
    # Required materials per version, weighted by the number of cases under that version.
    per_version = dict(MaterialRequirement.objects.filter(required=True).values("version_id")
                       .annotate(n=Count("id")).values_list("version_id", "n"))
    required = 0
    for version_id, n in cases.values("version_id").annotate(n=Count("id")).values_list("version_id", "n"):
        required += per_version.get(version_id, 0) * n
    return WaivedRate(waived=waived, required=required)


def apply_initial(*, actor: Any) -> dict[str, str]:
    """The ``apply_initial`` hook of cases: a citizen's application form starts with the household
    address the population registry holds for them; a verified company representative's with the
    company's registered address. Only the person's own record, shown to themselves (no case yet,
    so no staff read and nothing on the trail); nothing for anybody else."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return {}
    source = provider()
    if actor.role == Role.COMPANY_REP and actor.company_id and actor.company_status == CompanyStatus.VERIFIED:
        company = source.company(actor.company.uscc)  # type: ignore[union-attr]
        return {"address": company.address} if company else {}
    if actor.role == Role.CITIZEN and actor.resident_id:
        person = source.person(actor.resident_id)
        return {"address": person.household_address} if person else {}
    return {}
