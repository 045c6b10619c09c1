"""The reform's rules about cases, each in one named function (find them from the glossary word).

- **Who applies** (本人申请 / 帮代办 / 窗口受理): :func:`applicant_identity`.
- **Only the checklist** (一次性告知只能要求清单内材料): :func:`off_checklist`.
- **No repeated notices** (杜绝反复补正): :func:`repeated_notice_materials`.
- **Supplement all at once** (一次性补正): :func:`unsupplemented`.
- **Visits are counted** (跑动次数): :func:`visits_exceeded`.
- **Long text is refused, not cut**: :func:`check_form_text`.

Recording a breach for e-supervision is :func:`record_violation`; the mover and the worker call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onetrip.accounts.models import Company, Role, User
from onetrip.accounts.selectors import may_apply_for_company
from onetrip.cases import hooks
from onetrip.cases.models import Channel, RuleViolation
from onetrip.core import trail
from onetrip.core.identity import check_person, mask_mobile

if TYPE_CHECKING:
    from onetrip.cases.models import Application, Case


class Refused(ValidationError):
    """The action is not allowed now (wrong state, wrong actor, rule broken). Nothing was written.

    ``code`` says why: ``wrong_state`` and ``claimed`` (someone else got there first: a conflict),
    ``forbidden``, ``not_yours``, ``not_your_department``, ``not_found``, or the rule's name."""


# --- Who applies --------------------------------------------------------------------------------

# Limits for the free-text fields of an application form; longer input is refused, never cut.
FORM_TEXT_LIMITS = {"address": 300, "request": 4000}


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    mobile: str
    account: User | None  # the person's own account, when they have one
    company: Company | None
    consent: str  # a proxy agent's record of the person's consent


def too_long(value: str, limit: int) -> str | None:
    """Text is refused, never cut: the message naming the limit, or None when it fits."""
    if len(value) <= limit:
        return None
    return _("At most %(limit)s characters (you entered %(n)s).") % {"limit": limit, "n": len(value)}


def check_length(field: str, value: str, limit: int) -> str:
    """``value`` unchanged, or a ValidationError on ``field`` naming the limit."""
    message = too_long(value, limit)
    if message:
        raise ValidationError({field: [message]})
    return value


def check_form_text(form: Mapping[str, Any]) -> dict[str, str]:
    """The free-text fields kept in full; over-long input is refused with the limit named."""
    out: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key, limit in FORM_TEXT_LIMITS.items():
        value = str(form.get(key) or "").strip()
        message = too_long(value, limit)
        if message:
            errors[key] = [message]
        elif value:
            out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


def _own_identity_only(actor: User, form: Mapping[str, Any]) -> None:
    """A citizen or company representative applies as themselves: a form naming someone else is refused."""
    given = {
        "applicant_name": (str(form.get("applicant_name") or "").strip(), actor.real_name),
        "applicant_id_number": (str(form.get("applicant_id_number") or "").strip().upper(), actor.resident_id),
        "applicant_mobile": (str(form.get("applicant_mobile") or "").strip(), actor.mobile),
    }
    if any(v and v != own for v, own in given.values()):
        raise Refused(
            _("You apply as yourself only. To apply for someone else, ask a proxy agent (帮代办员) or a window."),
            code="not_yourself")


def applicant_identity(*, actor: User, form: Mapping[str, Any], channel: str) -> Applicant:
    """本人申请 / 帮代办 / 窗口受理: who an application is for.

    - A citizen applies as themselves; a company representative for their verified company.
    - A proxy agent applies for a person named on the form, with that person's consent recorded.
    - A window clerk takes an application at the window for the person in front of them.
    The same rule serves the pages and the API."""
    if actor.role == Role.CITIZEN and channel == Channel.ONLINE:
        _own_identity_only(actor, form)
        person = check_person(name=actor.real_name, mobile=actor.mobile, resident_id=actor.resident_id,
                              prefix="applicant_")
        return Applicant(person["name"], person["resident_id"], person["mobile"], actor, None, "")
    if actor.role == Role.COMPANY_REP and channel == Channel.ONLINE:
        _own_identity_only(actor, form)
        if actor.company is None or not may_apply_for_company(actor):
            raise Refused(_("Your account is not yet verified as the representative of the company. "
                            "A window clerk verifies it once."), code="unverified_representative")
        hooks.run("company_applicant", actor=actor, company=actor.company)  # e.g. the company registry
        person = check_person(name=actor.real_name, mobile=actor.mobile, resident_id=actor.resident_id,
                              prefix="applicant_")
        return Applicant(person["name"], person["resident_id"], person["mobile"], actor, actor.company, "")
    if (actor.role == Role.PROXY_AGENT and channel == Channel.ONLINE) or (
            actor.role == Role.WINDOW_CLERK and channel == Channel.WINDOW):
        person = check_person(name=str(form.get("applicant_name") or ""),
                              mobile=str(form.get("applicant_mobile") or ""),
                              resident_id=str(form.get("applicant_id_number") or ""), prefix="applicant_")
        if actor.role == Role.PROXY_AGENT:
            consent = proxy_consent_sentence(actor, person["resident_id"], form.get("consent_id"))
        else:
            consent = str(form.get("consent") or "").strip()
            check_length("consent", consent, 500)
        account = User.objects.filter(resident_id=person["resident_id"], is_active=True,
                                      role=Role.CITIZEN).first()
        return Applicant(person["name"], person["resident_id"], person["mobile"], account, None, consent)
    raise Refused(_("Only citizens, company representatives and proxy agents apply online; "
                    "window clerks take applications at the window."), code="forbidden")


def proxy_consent_sentence(agent: User, id_number: str, consent_id: Any) -> str:
    """帮代办: a proxy agent applies for a person only with that person's consent recorded first
    (a signed consent form, or the SMS code the person received), by this agent, for this very
    person, within ``PROXY_CONSENT_VALID_HOURS``. Returns the consent as the sentence the case keeps."""
    from django.conf import settings
    from django.utils import timezone

    from onetrip.cases.models import ProxyConsent

    try:
        pk = int(consent_id)
    except (TypeError, ValueError):
        pk = 0
    since = timezone.now() - dt.timedelta(hours=settings.PROXY_CONSENT_VALID_HOURS)
    consent = ProxyConsent.objects.filter(pk=pk, agent=agent, person_id_number=id_number,
                                          confirmed_at__gte=since).first() if pk else None
    if consent is None:
        raise ValidationError({"consent": [
            _("Record the person's consent first: upload their signed consent form, or send a code to their mobile "
              "and enter it.")]})
    when = timezone.localtime(consent.confirmed_at).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
    if consent.method == ProxyConsent.Method.SMS:
        return _("Agreed by the SMS code sent to %(m)s, %(t)s (consent no. %(n)s)") % {
            "m": mask_mobile(consent.person_mobile), "t": when, "n": consent.pk}
    return _("Signed consent form uploaded %(t)s (consent no. %(n)s)") % {"t": when, "n": consent.pk}


def is_applicant(case: Case | Application, user: Any) -> bool:
    """The case's applicant: the person's account, or the proxy agent who applied for them."""
    application: Any = getattr(case, "application", case)
    if user is None or not getattr(user, "pk", None):
        return False
    if application.applicant_id == user.pk:
        return True
    return bool(user.role == Role.PROXY_AGENT and application.submitted_by_id == user.pk)


def may_work_on_application(application: Application, user: Any) -> bool:
    """Who fills in an application's materials and submits it: its applicant (or their proxy
    agent), and, for a window application, any window clerk (一窗受理: the person is at the counter)."""
    if is_applicant(application, user):
        return True
    return bool(getattr(user, "pk", None) and application.channel == Channel.WINDOW
                and user.role == Role.WINDOW_CLERK)


# --- One-time notices -----------------------------------------------------------------------------


def off_checklist(checklist_names: Iterable[str], asked: Sequence[str]) -> list[str]:
    """仅限清单: the materials asked for that are not on the published checklist."""
    names = set(checklist_names)
    return [m for m in asked if m not in names]


def repeated_notice_materials(earlier: Iterable[str], asked: Sequence[str]) -> list[str]:
    """杜绝反复补正: a second notice may only name materials already named before (supplemented
    wrongly). Returns the materials it names for the first time."""
    before = set(earlier)
    return [m for m in asked if m not in before]


def unsupplemented(named: Iterable[str], uploaded_since: set[str], explained: Mapping[str, str]) -> list[str]:
    """一次性补正: every material named in the notice has a new file, or the applicant said why not."""
    return [m for m in named if m not in uploaded_since and not str(explained.get(m, "")).strip()]


# --- Visits ---------------------------------------------------------------------------------------


WINDOW_MARKS = ("present", "missing", "faulty")
WINDOW_DECISIONS = ("accept", "notice", "refuse")


def window_check(lines: Sequence[Any], have: set[str], marks: Mapping[str, Mapping[str, str]],
                 decision: str, reasons: str = "") -> list[dict[str, str]]:
    """一窗受理 核验: the clerk marks each material the person brought against the checklist:
    present (its scanned copy uploaded), missing, or faulty (saying what is wrong). Registry-held
    materials are not asked for. The decision follows the marks: accept only when nothing
    required is missing or faulty; a one-time notice only when something is, and it names every
    missing or faulty material at once; not accepting needs reasons. ``lines``: the checklist
    (each with ``name``, ``required``, ``registry``); ``have``: materials with a file. Returns the notice's items
    ([{material, reason}], checklist order); raises ValidationError naming each material wrong."""
    if decision not in WINDOW_DECISIONS:
        raise ValidationError(_("Choose: accept, issue the one-time notice, or do not accept."), code="invalid")
    errors: dict[str, list[str]] = {}
    problems: list[dict[str, str]] = []

    def wrong(name: str, message: str) -> None:
        errors.setdefault(name, []).append(f"{name}: {message}")

    known = {line.name for line in lines}
    for name in marks:
        if name not in known:
            wrong(name, _("not on this item's checklist."))
    for line in lines:
        if line.registry:
            continue
        mark = marks.get(line.name, {})
        state, note = str(mark.get("state") or ""), str(mark.get("note") or "").strip()
        if len(note) > 500:
            wrong(line.name, _("at most 500 characters."))
        elif state not in WINDOW_MARKS:
            if line.required or state:
                wrong(line.name, _("mark it present, missing or faulty."))
        elif state == "present" and line.name not in have:
            wrong(line.name, _("scan or photograph it first (upload the copy)."))
        elif state == "faulty" and not note:
            wrong(line.name, _("say what is wrong with it."))
        elif state in ("missing", "faulty"):
            problems.append({"material": line.name, "reason": note or _("Not brought")})
    if errors:
        raise ValidationError(errors, code="invalid")
    required_problems = [p for p in problems if next(x for x in lines if x.name == p["material"]).required]
    if decision == "accept" and required_problems:
        raise ValidationError(_("Missing or faulty: %(m)s. Issue the one-time notice instead of accepting.")
                              % {"m": "、".join(p["material"] for p in required_problems)}, code="incomplete")
    if decision == "notice" and not problems:
        raise ValidationError(_("Nothing is marked missing or faulty: accept the application."), code="complete")
    if decision == "refuse" and not reasons.strip():
        raise ValidationError({"reasons": [_("Give the reasons for not accepting.")]}, code="invalid")
    return problems


@dataclass(frozen=True)
class WindowFindings:
    """What the window's check (``window_check``) found missing or faulty, handed to the refusal
    in process only: an API call's JSON can never hold it, so nobody can claim findings to
    refuse a complete application unrecorded."""

    problems: tuple[str, ...] = ()


def refused_complete(*, missing: Sequence[str], faulty: Sequence[str] = ()) -> bool:
    """材料齐全、符合法定形式的，应当受理 (Administrative Licensing Law, Article 32(5)): not
    accepting an application with every required material present and none marked faulty is a
    breach recorded for e-supervision. A department with a lawful reason (the matter is outside
    its remit, Article 32(1)–(2)) appeals the card with that reason."""
    return not missing and not faulty


def visits_exceeded(visit_count: int, promised: int) -> bool:
    """最多跑一次: more trips than the guide promises is a breach."""
    return visit_count > promised


# --- Recording ------------------------------------------------------------------------------------


def record_violation(*, case: Case, rule: str, actor: User | None, detail: dict[str, Any],
                     once: bool = False) -> RuleViolation | None:
    """Record a breach for e-supervision, with a trail entry. ``once``: at most one per case and rule
    (returns None when it was recorded before)."""
    if once:
        violation, created = RuleViolation.objects.get_or_create(
            case=case, rule=rule, defaults={"department_id": case.department_id, "actor": actor, "detail": detail})
        if not created:
            return None
    else:
        violation = RuleViolation.objects.create(case=case, rule=rule, department_id=case.department_id,
                                                 actor=actor, detail=detail)
    trail.record(actor=actor, action="case.rule_violation", obj=case, summary={"rule": rule, **detail})
    return violation
