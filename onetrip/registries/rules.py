"""The registries' rules, each in one named function (find them from the glossary word).

- **Who may read a registry, for which case** (共享数据按需使用): :func:`check_access`.
- **Which record a checklist material is taken from** (免提交): :func:`subject_of`.
- **A company applies only while it exists** (企业状态): :func:`company_may_apply`.
- **Company representative verified through the company registry** (企业经办人核验):
  :func:`is_legal_representative`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from onetrip.accounts.models import CompanyStatus, Role, User
from onetrip.cases.models import Channel, State
from onetrip.cases.rules import Refused

if TYPE_CHECKING:
    from onetrip.cases.models import Case
    from onetrip.registries.providers import CompanyRecord

POPULATION = "population"
COMPANY = "company"
LICENCE = "licence"
ARCHIVE = "archive"

# A window clerk reads a registry for a case at the front desk: taking it in (a window
# application, a submission, a supplement) or handing out its result.
FRONT_DESK_STATES = frozenset({State.SUBMITTED, State.AWAITING_SUPPLEMENT, State.RESULT_READY})
DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})


def subject_of(case: Case, registry: str) -> str:
    """免提交: the record a registry-supplied material of this case is taken from — the applicant's
    resident ID number (population registry), the company's USCC (company registry), the holder of
    the licence (the company if the application is a company's, else the person); "" when the
    case names no such subject (a person's case has no company record)."""
    application = case.application
    company_uscc = application.company.uscc if application.company_id else ""  # type: ignore[union-attr]
    if registry == POPULATION:
        return str(application.applicant_id_number)
    if registry == COMPANY:
        return company_uscc
    if registry == LICENCE:
        return company_uscc or str(application.applicant_id_number)
    return ""


def check_access(*, actor: User | None, case: Case | None, registry: str, key: str) -> None:
    """共享数据按需使用: who may read what, for which case. Raises Refused; returns when allowed.

    - Every read names the case it is for (the purpose); without one it is refused (``no_purpose``).
    - Only records the case is about: the applicant (population registry) or the applying company
      (company registry) or their licences (``not_this_case``).
    - Officers and department heads of the case's department, once it is submitted; window clerks
      while the case is at the front desk (a window application being filled in, submitted,
      awaiting supplements, its result waiting at the result window); the applicant their own
      record only (their ID number, or their verified company). Nobody else (``forbidden``).
    - The system itself (``actor`` None) reads for once-only at submission.
    """
    if case is None:
        raise Refused(_("A registry is read only for a case: name the case you need it for."), code="no_purpose")
    if key != subject_of(case, registry) or not key:
        raise Refused(_("This case is not about that record: a registry is read only for the case's applicant "
                        "or company."), code="not_this_case")
    if actor is None:
        return
    role = actor.role
    if role in DEPARTMENT_ROLES:
        if actor.department_id != case.department_id or case.state == State.DRAFT:
            raise Refused(_("Only staff of the case's department read registries for it."),
                          code="not_your_department")
        return
    if role == Role.WINDOW_CLERK:
        at_desk = case.state in FRONT_DESK_STATES or (
            case.state == State.DRAFT and case.application.channel == Channel.WINDOW)
        if not at_desk:
            raise Refused(_("A window clerk reads registries for a case only while it is at the front desk."),
                          code="forbidden")
        return
    if role in (Role.CITIZEN, Role.COMPANY_REP) and case.application.applicant_id == actor.pk:
        own = {actor.resident_id} if registry == POPULATION else set()
        if registry in (COMPANY, LICENCE) and actor.company_id and actor.company_status == CompanyStatus.VERIFIED:
            own.add(actor.company.uscc)  # type: ignore[union-attr]
        if registry == LICENCE:
            own.add(actor.resident_id)
        if key in own:
            return
    raise Refused(_("Your role may not read this registry record."), code="forbidden")


def company_may_apply(record: CompanyRecord | None) -> bool:
    """企业状态: a company applies only while the company registry shows it active (a revoked or
    deregistered company cannot). A company the registry does not know is left to the window
    clerk's verification of its representative."""
    return record is None or record.is_active


def is_legal_representative(user: Any, record: CompanyRecord | None) -> bool:
    """企业经办人核验: the person is the company's legal representative when their resident ID
    number is the one the company registry holds for it."""
    return bool(record is not None and user.resident_id
                and user.resident_id == record.legal_representative_id_number)
