"""Writes for cases. ``transition`` is the one function that moves a case: it checks the
action against ``transitions.TABLE`` and the actor, applies the rule's effects (clock,
steps, decisions), writes the trail entry and queues the applicant's notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.accounts.permissions import Capability, can
from onetrip.cases import notifications, selectors, transitions
from onetrip.cases.models import (
    Application,
    Case,
    CaseMaterial,
    CaseSequence,
    Channel,
    Comment,
    Light,
    NoticeItem,
    OneTimeNotice,
    State,
    Visit,
)
from onetrip.cases.steps import review_steps
from onetrip.cases.uploads import check
from onetrip.catalog.models import Bundle, ItemVersion, MaterialRequirement, ServiceItem
from onetrip.core import ratelimit, trail, workdays
from onetrip.core.identity import check_person
from onetrip.supervision.models import RuleViolation

APPLY_ROLES = {Role.CITIZEN, Role.COMPANY_REP, Role.PROXY_AGENT}


def today() -> dt.date:
    return timezone.localdate()


class Refused(ValidationError):
    """The action is not allowed now (wrong state, wrong actor, rule broken). Nothing was written."""


# ---------------------------------------------------------------------------------------------
# Applying online
# ---------------------------------------------------------------------------------------------


def _applicant_fields(actor: User, form: Mapping[str, Any]) -> dict[str, str]:
    person = check_person(
        name=str(form.get("applicant_name") or actor.real_name or ""),
        mobile=str(form.get("applicant_mobile") or actor.mobile or ""),
        resident_id=str(form.get("applicant_id_number") or actor.resident_id or ""),
        prefix="applicant_",
    )
    return {"applicant_name": person["name"], "applicant_id_number": person["resident_id"],
            "applicant_mobile": person["mobile"]}


def create_application(
    *,
    actor: User,
    item_code: str = "",
    bundle_code: str = "",
    form: Mapping[str, Any] | None = None,
    idempotency_key: str = "",
    channel: str = Channel.ONLINE,
) -> tuple[Application, bool]:
    """Start an application (a draft case per item) for one item or one life-event bundle.

    With an ``idempotency_key`` the same request made twice returns the first application;
    the second value says whether this call created it."""
    if actor.role not in APPLY_ROLES and channel == Channel.ONLINE:
        raise Refused(_("Only citizens, company representatives and proxy agents apply online."), code="forbidden")
    idempotency_key = idempotency_key.strip()[:100]
    if idempotency_key:
        existing = Application.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if bool(item_code) == bool(bundle_code):
        raise ValidationError(_("Name either one item or one life-event bundle."), code="item_or_bundle")
    form = dict(form or {})
    applicant = _applicant_fields(actor, form)
    if bundle_code:
        bundle = Bundle.objects.filter(code=bundle_code, is_published=True).first()
        if bundle is None:
            raise ValidationError(_("No published bundle with code “%(c)s”.") % {"c": bundle_code}, code="not_found")
        items = [e.item for e in bundle.entries.select_related("item__current").order_by("position")]
        item = None
    else:
        bundle = None
        item = ServiceItem.objects.select_related("current").filter(code=item_code, current__isnull=False).first()
        if item is None:
            raise ValidationError(_("No published item with code “%(c)s”.") % {"c": item_code}, code="not_found")
        items = [item]
    company = actor.company if actor.role == Role.COMPANY_REP else None
    extra = {k: str(v)[:1000] for k, v in form.items() if k not in applicant and k in {"address", "request", "language"}}
    try:
        with transaction.atomic():
            application = Application(
                applicant=actor, company=company, item=item, bundle=bundle, channel=channel,
                idempotency_key=idempotency_key, form_data=extra, **applicant,
            )
            application.full_clean(exclude=["applicant", "company", "item", "bundle"])
            application.save()
            for it in items:
                version: ItemVersion = it.current  # type: ignore[assignment]
                Case.objects.create(application=application, item=it, version=version,
                                    department_id=version.department_id)
            trail.record(actor=actor, action="application.create", obj=application,
                         summary={"item": item_code, "bundle": bundle_code, "cases": len(items)})
    except IntegrityError:
        # The same key raced in from another request: return the one that won.
        existing = Application.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return application, True


def checklist(application: Application, *, versions: Sequence[int] | None = None) -> list[MaterialRequirement]:
    """The application's checklist: each material of its cases' versions, named once."""
    seen: dict[str, MaterialRequirement] = {}
    version_ids = list(versions) if versions is not None else list(
        application.cases.values_list("version_id", flat=True))
    for req in MaterialRequirement.objects.filter(version_id__in=version_ids).order_by("version_id", "position"):
        if req.name not in seen or (req.required and not seen[req.name].required):
            seen[req.name] = req
    return list(seen.values())


def _editable_by_applicant(application: Application, actor: User) -> None:
    if application.applicant_id != actor.pk and actor.role != Role.WINDOW_CLERK:
        raise Refused(_("This is not your application."), code="not_yours")
    states = set(application.cases.values_list("state", flat=True))
    if not states <= {State.DRAFT, State.AWAITING_SUPPLEMENT}:
        raise Refused(_("Materials can be added only to a draft or when a one-time notice asks for them."),
                      code="wrong_state")


def upload_material(*, actor: User, application: Application, name: str, stream: IO[bytes],
                    original_name: str) -> CaseMaterial:
    """Attach one checklist material. Refused (and nothing stored) if the material is not on
    the checklist, or the file is too big or not really a PDF/JPEG/PNG/OFD."""
    _editable_by_applicant(application, actor)
    names = {r.name for r in checklist(application)}
    if name not in names:
        raise Refused(_("“%(n)s” is not on this item's checklist.") % {"n": name}, code="off_checklist")
    checked = check(stream)
    with transaction.atomic():
        CaseMaterial.objects.filter(application=application, name=name, current=True).update(current=False)
        material = CaseMaterial(
            application=application, name=name, sha256=checked.sha256, size=checked.size,
            content_type=checked.content_type, original_name=(original_name or "")[-255:], uploaded_by=actor,
        )
        material.file.save(f"{checked.sha256[:2]}/{checked.sha256}.{checked.kind}", File(stream), save=False)
        try:
            material.save()
        except Exception:
            material.file.delete(save=False)
            raise
        trail.record(actor=actor, action="material.upload", obj=application,
                     summary={"material": name, "sha256": checked.sha256, "size": checked.size})
    return material


def missing_materials(application: Application, *, lines: Sequence[MaterialRequirement] | None = None,
                      have: set[str] | None = None) -> list[str]:
    """Required materials not uploaded yet. Those a government registry holds are never asked
    for (once-only)."""
    if have is None:
        have = set(application.materials.filter(current=True).values_list("name", flat=True))
    if lines is None:
        lines = checklist(application)
    return [r.name for r in lines if r.required and not r.registry and r.name not in have]


def submit_application(*, actor: User, application: Application) -> list[Case]:
    """Submit every draft case of the application at once; each gets its case number."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != actor.pk:
            raise Refused(_("This is not your application."), code="not_yours")
        cases = list(application.cases.select_related("version", "item").order_by("id"))
        if all(c.state != State.DRAFT for c in cases):
            return cases  # already submitted: submitting twice changes nothing
        missing = missing_materials(application)
        if missing:
            raise Refused(_("Still missing: %(m)s") % {"m": "、".join(missing)}, code="missing_materials")
        application.submitted_at = timezone.now()
        application.save(update_fields=["submitted_at"])
        return [transition(case=c, action="submit", actor=actor) for c in cases if c.state == State.DRAFT]


# ---------------------------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------------------------


def next_case_number(day: dt.date) -> str:
    """District code + date + sequence, e.g. 430703-20261127-000123; unique across processes
    (the day's counter row is locked while it is incremented)."""
    with transaction.atomic(savepoint=False):
        if not CaseSequence.objects.filter(day=day).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    CaseSequence.objects.create(day=day, last=1)
            except IntegrityError:
                CaseSequence.objects.filter(day=day).update(last=F("last") + 1)
        last = CaseSequence.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{settings.DISTRICT_CODE}-{day:%Y%m%d}-{last:06d}"


# ---------------------------------------------------------------------------------------------
# The clock
# ---------------------------------------------------------------------------------------------


def _pause(case: Case, day: dt.date) -> None:
    if case.accepted_on and case.paused_since is None:
        case.paused_since = day


def _resume(case: Case, day: dt.date) -> None:
    if case.paused_since is not None:
        case.paused_workdays += workdays.workdays_between(case.paused_since, day)
        case.paused_since = None


def recompute_clock(case: Case, day: dt.date) -> None:
    """Deadlines from acceptance plus paused working days; the light from today's position."""
    if case.accepted_on is None:
        case.promised_deadline = case.legal_deadline = None
        case.light = Light.NONE
        return
    paused = case.paused_workdays
    if case.paused_since is not None:
        paused += workdays.workdays_between(case.paused_since, day)
    v = case.version
    case.promised_deadline = workdays.add_workdays(case.accepted_on, v.promised_limit_days + paused)
    case.legal_deadline = workdays.add_workdays(case.accepted_on, v.legal_limit_days + paused)
    if case.state not in (State.IN_REVIEW, State.SUSPENDED, State.AWAITING_SUPPLEMENT):
        case.light = Light.NONE  # decided, withdrawn or closed: the clock has stopped
        return
    if day > case.promised_deadline:
        case.light = Light.OVERDUE
    elif case.promised_deadline <= selectors.near_deadline_until(day):
        case.light = Light.WARNING
    else:
        case.light = Light.NORMAL


def clock_summary(case: Case, day: dt.date | None = None) -> dict[str, Any]:
    """What the case page shows: deadlines, working days used and left, the light."""
    day = day or today()
    used = left = None
    if case.accepted_on:
        end = day if case.decided_at is None else timezone.localdate(case.decided_at)
        paused = case.paused_workdays + (
            workdays.workdays_between(case.paused_since, end) if case.paused_since else 0
        )
        used = max(0, workdays.workdays_between(case.accepted_on, end) - paused)
        if case.promised_deadline and case.is_open:
            left = workdays.workdays_between(day, case.promised_deadline) if day <= case.promised_deadline else -(
                workdays.workdays_between(case.promised_deadline, day))
    return {
        "promised_deadline": case.promised_deadline,
        "legal_deadline": case.legal_deadline,
        "workdays_used": used,
        "workdays_left": left,
        "light": case.light,
        "paused": case.paused_since is not None,
        "calendar_source": workdays.year_source(day.year),
    }


# ---------------------------------------------------------------------------------------------
# The one function that moves a case
# ---------------------------------------------------------------------------------------------


def _check_actor(case: Case, t: transitions.Transition, actor: User | None) -> None:
    if actor is None:
        if transitions.SYSTEM not in t.actors:
            raise Refused(_("Only a person can do this."), code="forbidden")
        return
    role = str(actor.role)
    if transitions.APPLICANT in t.actors and case.application.applicant_id == actor.pk:
        return
    if transitions.STEP in t.actors:
        steps = review_steps(case.version)
        step = steps[min(case.step_index, len(steps) - 1)]
        if role != step.role:
            raise Refused(_("This step (%(s)s) is for the %(r)s.") % {"s": step.name, "r": Role(step.role).label},
                          code="forbidden")
    elif role not in t.actors:
        raise Refused(_("Your role may not do “%(a)s” on this case.") % {"a": t.action}, code="forbidden")
    if role in (Role.OFFICER, Role.DEPARTMENT_HEAD) and actor.department_id != case.department_id:
        raise Refused(_("This case belongs to another department."), code="not_your_department")


@transaction.atomic
def transition(*, case: Case, action: str, actor: User | None, data: Mapping[str, Any] | None = None) -> Case:
    """Perform ``action`` on ``case`` as ``actor`` (None = the background clock)."""
    t = transitions.TABLE.get(action)
    if t is None:
        raise Refused(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action")
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("version", "application__applicant", "item", "department")
        .get(pk=case.pk)
    )
    if case.state not in t.sources:
        raise Refused(
            _("“%(a)s” is not possible while the case is “%(s)s”.") % {"a": action, "s": case.get_state_display()},
            code="wrong_state",
        )
    _check_actor(case, t, actor)
    data = dict(data or {})
    day = today()
    before = case.state
    summary: dict[str, Any] = {"number": case.number, "action": action, "from": before}
    target = t.target
    effect = _EFFECTS.get(action)
    if effect is not None:
        target = effect(case, actor, data, day, summary) or target
    if target is not None:
        case.state = target
    recompute_clock(case, day)
    case.save()
    summary["to"] = case.state
    if t.notify:
        notifications.queue(case=case, action=action, data=summary)
    # Last, so that the trail's head row stays locked for as short a time as possible.
    trail.record(actor=actor, action=f"case.{action}", obj=case, summary=summary)
    return case


# Effects: each may change the case and return a target state when the table leaves it open.


def _submit(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    now = timezone.now()
    case.number = case.number or next_case_number(day)
    case.received_at, case.received_on = now, day
    case.acceptance_due = workdays.add_workdays(day, settings.ACCEPTANCE_WINDOW_WORKDAYS)
    summary["number"] = case.number


def _accept(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    case.accepted_on = day
    case.step_index, case.step_started_on = 0, day


def _deem_accept(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    case.accepted_on = case.received_on
    case.deemed_accepted = True
    case.step_index, case.step_started_on = 0, day
    summary["deemed_from"] = str(case.received_on)


def _refuse(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    reasons = str(data.get("reasons", "")).strip()
    if not reasons:
        raise ValidationError({"reasons": [_("Give the reasons for not accepting.")]})
    case.refusal_reasons = reasons
    summary["reasons"] = reasons


def _issue_notice(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    requirements = {r.name: r for r in case.version.materials.all()}
    items = data.get("items") or []
    if not items:
        raise ValidationError({"items": [_("Name every missing or faulty material, at once.")]})
    # The checklist rule is checked before anything is written, see issue_notice().
    assert actor is not None  # the table lets only people issue notices
    notice = OneTimeNotice.objects.create(case=case, issued_by=actor, note=str(data.get("note", ""))[:2000])
    NoticeItem.objects.bulk_create(
        [NoticeItem(notice=notice, requirement=requirements[i["material"]], reason=str(i.get("reason", ""))[:300])
         for i in items]
    )
    if case.state == State.IN_REVIEW:
        _pause(case, day)
    summary["notice"] = notice.pk
    summary["materials"] = [i["material"] for i in items]


def _supplement(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> str:
    OneTimeNotice.objects.filter(case=case, supplemented_at__isnull=True).update(supplemented_at=timezone.now())
    if case.accepted_on is not None:
        _resume(case, day)
        return State.IN_REVIEW
    # Not accepted yet: the supplement is a new receipt, with a new acceptance window.
    case.received_on = day
    case.acceptance_due = workdays.add_workdays(day, settings.ACCEPTANCE_WINDOW_WORKDAYS)
    return State.SUBMITTED


def _claim(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    if case.assignee_id and case.assignee_id != getattr(actor, "pk", None) and not data.get("take_over"):
        raise Refused(_("Another officer has claimed this case."), code="claimed")
    case.assignee = actor
    summary["assignee_role"] = getattr(actor, "role", "")


def _advance(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    steps = review_steps(case.version)
    if case.step_index >= len(steps) - 1:
        raise Refused(_("This is the last step: approve or deny."), code="last_step")
    summary["step_from"] = steps[case.step_index].name
    case.step_index += 1
    case.step_started_on = day
    case.assignee = None
    summary["step_to"] = steps[case.step_index].name


def _return(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    if case.step_index == 0:
        raise Refused(_("The case is at its first step already."), code="first_step")
    steps = review_steps(case.version)
    reason = str(data.get("reason", "")).strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the case goes back.")]})
    summary["step_from"] = steps[case.step_index].name
    case.step_index -= 1
    case.step_started_on = day
    case.assignee = None
    summary.update(step_to=steps[case.step_index].name, reason=reason)


def _at_last_step(case: Case) -> None:
    if case.step_index < len(review_steps(case.version)) - 1:
        raise Refused(_("The case has review steps left before a decision."), code="not_last_step")


def _approve(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    _at_last_step(case)
    case.decided_at = timezone.now()
    case.decision_reasons = str(data.get("reasons", ""))[:2000]


REMEDY_TEXT = (
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。"
)


def _deny(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    _at_last_step(case)
    reasons = str(data.get("reasons", "")).strip()
    if not reasons:
        raise ValidationError({"reasons": [_("A denial must state its reasons.")]})
    case.decided_at = timezone.now()
    case.decision_reasons = reasons
    summary.update(reasons=reasons, remedies=REMEDY_TEXT)


def _suspend(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    name = str(data.get("procedure", ""))
    procedure = case.version.special_procedures.filter(name=name).first()
    if procedure is None:
        names = list(case.version.special_procedures.values_list("name", flat=True))
        raise ValidationError({"procedure": [
            _("Choose one of this item's special procedures: %(p)s") % {"p": "、".join(names) or _("(none)")}]})
    if procedure.excluded_from_limit:
        _pause(case, day)
    summary.update(procedure=name, excluded=procedure.excluded_from_limit)


def _resume_case(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    _resume(case, day)


def _withdraw(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    _resume(case, day)
    case.closed_at = timezone.now()


def _deliver(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    method = str(data.get("method", ""))
    if method not in {"pickup", "post"}:
        raise ValidationError({"method": [_("Say how the result was delivered: pickup or post.")]})
    if method == "post":
        if not case.version.postable:
            raise Refused(_("This item's result cannot be posted."), code="not_postable")
        reference = str(data.get("tracking_number", "")).strip()
        if not reference:
            raise ValidationError({"tracking_number": [_("Give the postal tracking number.")]})
        case.delivery_reference = reference[:100]
    case.delivery_method = method
    summary["method"] = method
    if method == "pickup" and actor is not None:
        _add_visit(case, Visit.Reason.PICKUP, actor, summary)


def _close(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    case.closed_at = timezone.now()


def _comment(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: dict[str, Any]) -> None:
    text = str(data.get("text", "")).strip()
    if not text:
        raise ValidationError({"text": [_("The comment is empty.")]})
    assert actor is not None  # the table lets only people comment
    Comment.objects.create(case=case, author=actor, text=text[:4000])


_EFFECTS = {
    "submit": _submit,
    "accept": _accept,
    "deem_accept": _deem_accept,
    "refuse": _refuse,
    "issue_notice": _issue_notice,
    "supplement": _supplement,
    "claim": _claim,
    "advance": _advance,
    "return": _return,
    "approve": _approve,
    "deny": _deny,
    "suspend": _suspend,
    "resume": _resume_case,
    "withdraw": _withdraw,
    "deliver": _deliver,
    "close": _close,
    "comment": _comment,
}


def issue_notice(*, case: Case, actor: User, items: Sequence[Mapping[str, str]], note: str = "") -> Case:
    """一次性告知: name every missing or faulty material at once. Only materials on the
    checklist of the version the case was applied under may be named; asking for anything
    else is refused and recorded for e-supervision."""
    on_list = set(case.version.materials.values_list("name", flat=True))
    off = [str(i.get("material", "")) for i in items if i.get("material") not in on_list]
    if off:
        with transaction.atomic():
            RuleViolation.objects.create(rule=RuleViolation.Rule.OFF_CHECKLIST, case=case,
                                         department_id=case.department_id, actor=actor,
                                         detail={"materials": off, "version": case.version.number})
            trail.record(actor=actor, action="case.rule_violation", obj=case,
                         summary={"rule": "off_checklist", "materials": off})
        raise Refused(
            _("Only materials on the published checklist may be asked for; not on it: %(m)s. "
              "This request was recorded for e-supervision.") % {"m": "、".join(off)},
            code="off_checklist",
        )
    if len({i["material"] for i in items}) != len(items):
        raise ValidationError(_("A material is named twice."))
    return transition(case=case, action="issue_notice", actor=actor, data={"items": list(items), "note": note})


# ---------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------


def _add_visit(case: Case, reason: str, actor: User, summary: dict[str, Any] | None = None) -> Visit:
    visit = Visit.objects.create(case=case, reason=reason, at=timezone.now(), recorded_by=actor)
    case.visit_count = case.visits.count()
    if case.visit_count > case.version.max_visits:
        _, created = RuleViolation.objects.get_or_create(
            case=case, rule=RuleViolation.Rule.VISITS_EXCEEDED,
            defaults={"department_id": case.department_id, "actor": actor,
                      "detail": {"visits": case.visit_count, "promised": case.version.max_visits}},
        )
    if summary is not None:
        summary["visit"] = reason
        summary["visit_count"] = case.visit_count
    return visit


@transaction.atomic
def record_visit(*, case: Case, reason: str, actor: User, note: str = "") -> Visit:
    """Record one physical trip of the applicant to an office (window staff only)."""
    if reason not in Visit.Reason.values:
        raise ValidationError({"reason": [_("Unknown reason for a visit.")]})
    if actor.role not in (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD):
        raise Refused(_("Only staff record visits."), code="forbidden")
    case = Case.objects.select_for_update().select_related("version").get(pk=case.pk)
    summary: dict[str, Any] = {"number": case.number}
    visit = _add_visit(case, reason, actor, summary)
    if note:
        Visit.objects.filter(pk=visit.pk).update(note=note[:200])
    case.save(update_fields=["visit_count", "updated_at"])
    trail.record(actor=actor, action="case.visit", obj=case, summary=summary)
    return visit


# ---------------------------------------------------------------------------------------------
# Background clock
# ---------------------------------------------------------------------------------------------


def tick(*, day: dt.date | None = None, limit: int = 500) -> dict[str, int]:
    """One pass of the clock: deemed acceptance, lights, warnings, overdue flags. Each case is
    claimed by a conditional update, so two workers never act on the same case twice."""
    day = day or today()
    done = {"deemed": 0, "warned": 0, "overdue": 0}
    due = Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=day).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        case = Case.objects.get(pk=pk)
        try:
            transition(case=case, action="deem_accept", actor=None)
            done["deemed"] += 1
        except Refused:
            continue  # another worker got there first
    warn_until = selectors.near_deadline_until(day)
    candidates = Case.objects.filter(state=State.IN_REVIEW, promised_deadline__lte=warn_until).exclude(
        warned_on=day).values_list("pk", flat=True)[:limit]
    for pk in list(candidates):
        # Claim: only the worker whose update changes the row goes on.
        if not Case.objects.filter(pk=pk).exclude(warned_on=day).update(warned_on=day):
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("version", "application").get(pk=pk)
            old = case.light
            recompute_clock(case, day)
            case.save(update_fields=["light", "promised_deadline", "legal_deadline", "updated_at"])
            if case.light != old:
                trail.record(actor=None, action="case.light", obj=case,
                             summary={"number": case.number, "from": old, "to": case.light})
            if case.light == Light.WARNING and old != Light.WARNING:
                notifications.queue_staff_warning(case=case)
                done["warned"] += 1
            if case.light == Light.OVERDUE:
                _, created = RuleViolation.objects.get_or_create(
                    case=case, rule=RuleViolation.Rule.OVERDUE,
                    defaults={"department_id": case.department_id,
                              "detail": {"promised_deadline": str(case.promised_deadline)}})
                done["overdue"] += int(created)
    return done


def actions_for(case: Case, user: User | None) -> list[str]:
    """The actions this user could try on the case now (for buttons; the transition still checks)."""
    out = []
    for name in transitions.allowed_actions(case.state):
        t = transitions.TABLE[name]
        try:
            _check_actor(case, t, user)
        except ValidationError:
            continue
        out.append(name)
    return out


def reveal_applicant(*, actor: User, case: Case, purpose: str) -> dict[str, str]:
    """Show a staff member the applicant's full ID and mobile number, and put the access on the
    trail (who, when, which case, why)."""
    if not can(actor, Capability.VIEW_PERSONAL_DATA):
        raise Refused(_("Your role may not see personal data unmasked."), code="forbidden")
    with transaction.atomic():
        trail.record(actor=actor, action="personal_data.view", obj=case,
                     summary={"number": case.number, "fields": ["applicant_id_number", "applicant_mobile"],
                              "purpose": purpose[:200]})
    return {"applicant_id_number": case.application.applicant_id_number,
            "applicant_mobile": case.application.applicant_mobile}


class Throttled(Exception):
    """Too many progress lookups from one client in the current hour."""


def lookup_progress(*, client: str, number: str, secret: str) -> Case | None:
    """The public lookup, counted per client so that case numbers cannot be enumerated. A wrong
    pair and an unknown number look the same (None)."""
    if not ratelimit.hit(f"progress:{client}", limit=settings.PROGRESS_LOOKUPS_PER_HOUR,
                         window=dt.timedelta(hours=1)):
        raise Throttled
    return selectors.lookup(number, secret)


def open_material(*, actor: User, case: Case, material_id: int) -> CaseMaterial:
    """A material of the case's application, for its applicant or for staff who may see the
    case. Staff opening a material (it carries personal data) is put on the trail."""
    material = CaseMaterial.objects.filter(pk=material_id, application_id=case.application_id).first()
    if material is None:
        raise Refused(_("No such material on this case."), code="not_found")
    if actor.pk != case.application.applicant_id:
        with transaction.atomic():
            trail.record(actor=actor, action="personal_data.view", obj=case,
                         summary={"number": case.number, "material": material.name, "sha256": material.sha256})
    return material
