"""Reads for cases: who may see which case, each role's inbox, the timeline in sentences, the one
view of a case that the page and the API both show, and the public progress lookup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.accounts.permissions import Capability, can
from onetrip.cases import actions, clock, hooks
from onetrip.cases.models import (
    OPEN_STATES,
    Case,
    CaseMaterial,
    Handover,
    Light,
    NoticeItem,
    RuleViolation,
    State,
    Visit,
)
from onetrip.cases.rules import is_applicant
from onetrip.cases.steps import review_steps
from onetrip.catalog.selectors import material_key
from onetrip.core.identity import mask_mobile, mask_name, mask_resident_id
from onetrip.core.models import TrailEntry

# Re-exported for callers that read the clock's "near" boundary.
near_deadline_until = clock.near_deadline_until

INBOX_VIEWS = ("todo", "mine", "near", "overdue", "open")
INBOX_LABELS = {
    "todo": _("Waiting for me"),
    "mine": _("Claimed by me"),
    "near": _("Near the deadline"),
    "overdue": _("Overdue"),
    "open": _("All open cases"),
}
STAFF_ROLES = (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.SYSTEM_ADMIN)


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("version", "department", "application__submitted_by", "item")


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case ``user`` may see: their own (or those they applied for as a proxy agent); as
    staff, every submitted case for window clerks (one-window intake), supervisors and system
    admins, their department's for officers and heads. Pages, the API, the inbox and supervision
    all start here."""
    qs = _base()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    own = Q(application__applicant=user)
    if user.role == Role.PROXY_AGENT:
        own |= Q(application__submitted_by=user)
    if user.role in (Role.WINDOW_CLERK, Role.SUPERVISOR, Role.SYSTEM_ADMIN):
        return qs.filter(own | ~Q(state=State.DRAFT))
    if user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD) and user.department_id:
        return qs.filter(own | (Q(department_id=user.department_id) & ~Q(state=State.DRAFT)))
    return qs.filter(own)


def is_staff_viewer(user: Any, case: Case) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES
                and not is_applicant(case, user))


def cases_of(user: User) -> QuerySet[Case]:
    """The applicant's own cases (a proxy agent's: those they applied for), newest first."""
    own = Q(application__applicant=user)
    if user.role == Role.PROXY_AGENT:
        own |= Q(application__submitted_by=user)
    return _base().filter(own).exclude(state=State.DRAFT).order_by("-id")


def _deadline_order(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.annotate(due=Coalesce("promised_deadline", "acceptance_due")).order_by("due", "id")


def inbox(user: User, view: str = "todo", day: dt.date | None = None) -> QuerySet[Case]:
    """Each role's work, oldest deadline first. "todo" is exactly the cases waiting for this
    person at their step: for a window clerk, applications to accept and results to hand out;
    for an officer or a head, their department's cases at a step their role holds (and not
    claimed by a colleague), and approved cases whose result is to be issued. "near" and
    "overdue" are range scans on the stored promised deadline."""
    day = day or timezone.localdate()
    qs = visible_cases(user).exclude(state=State.DRAFT)
    if user.role not in STAFF_ROLES:
        return qs.none()
    if view == "todo":
        role = str(user.role)
        if role == Role.WINDOW_CLERK:
            waiting = (Q(state=State.SUBMITTED) | Q(state=State.RESULT_READY)
                       | Q(state=State.IN_REVIEW, step_role=role))
        elif role in (Role.OFFICER, Role.DEPARTMENT_HEAD):
            waiting = (Q(state__in=(State.IN_REVIEW, State.SUSPENDED), step_role=role)
                       & (Q(assignee__isnull=True) | Q(assignee=user))) | Q(state=State.APPROVED)
        else:
            return qs.none()
        return _deadline_order(qs.filter(waiting))
    if view == "mine":
        return _deadline_order(qs.filter(assignee=user, state__in=OPEN_STATES))
    if view == "near":
        return qs.filter(state=State.IN_REVIEW, promised_deadline__gte=day,
                         promised_deadline__lte=clock.near_deadline_until(day)).order_by("promised_deadline", "id")
    if view == "overdue":
        return qs.filter(state=State.IN_REVIEW, promised_deadline__lt=day).order_by("promised_deadline", "id")
    return _deadline_order(qs.filter(state__in=OPEN_STATES))


def to_hand_out(user: User, query: str = "") -> QuerySet[Case]:
    """综合窗口出件: decided results waiting at the result window (not sent by post), the oldest
    first; ``query`` finds one by case number or the applicant's ID number."""
    if not can(user, Capability.HAND_OUT_RESULTS):
        return Case.objects.none()
    qs = visible_cases(user).filter(state=State.RESULT_READY).exclude(delivery_method="post")
    query = (query or "").strip().upper()
    if query:
        qs = qs.filter(Q(number=query) | Q(application__applicant_id_number=query))
    return qs.select_related("application__submitted_by").order_by("updated_at", "id")


# --- The timeline, in sentences ---------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    action: str
    who: str  # applicant / system / a role — never an officer's name for the applicant
    label: str  # the event as a sentence
    who_label: str
    details: list[str] = field(default_factory=list)


def _details(action: str, s: dict[str, Any], *, for_staff: bool) -> list[str]:
    """The facts of one event, in words (never a key or an enum value)."""
    from onetrip.cases.services.effects import DELIVERY_METHODS

    out: list[str] = []
    if s.get("materials"):
        out.append(gettext("Materials: %(m)s") % {"m": "、".join(s["materials"])})
    if s.get("explained"):
        out.append(gettext("Explained instead of supplementing: %(m)s") % {"m": "、".join(s["explained"])})
    if s.get("reasons"):
        out.append(gettext("Reasons: %(r)s") % {"r": s["reasons"]})
    if s.get("remedies"):
        out.append(str(s["remedies"]))
    if s.get("reason"):
        out.append(gettext("Why: %(r)s") % {"r": s["reason"]})
    if s.get("procedure"):
        out.append(gettext("Special procedure: %(p)s") % {"p": s["procedure"]})
    if s.get("step_to"):
        out.append(gettext("Now at: %(s)s") % {"s": s["step_to"]})
    if s.get("deemed_from"):
        out.append(gettext("Counted as accepted from %(d)s") % {"d": s["deemed_from"]})
    if s.get("method") in DELIVERY_METHODS:
        out.append(str(DELIVERY_METHODS[s["method"]]).capitalize())
    if s.get("collector") in Handover.Collector.values:
        out.append(gettext("Collected by: %(c)s") % {"c": Handover.Collector(s["collector"]).label})
        if for_staff and s.get("collector_id"):
            out.append(gettext("ID number checked: %(n)s") % {"n": s["collector_id"]})
    if s.get("by_proxy_agent"):
        out.append(gettext("The trip was the proxy agent's"))
    if s.get("tracking_number"):
        out.append(gettext("Tracking number: %(t)s") % {"t": s["tracking_number"]})
    if for_staff:
        if s.get("opinion"):
            out.append(gettext("Opinion: %(o)s") % {"o": s["opinion"]})
        if s.get("visit"):
            out.append(str(Visit.Reason(s["visit"]).label) if s["visit"] in Visit.Reason.values else "")
        if action == "personal_data.view":
            if s.get("previews") is not None:
                out.append(gettext("Image previews shown: %(n)s") % {"n": s["previews"]})
            elif s.get("material"):
                out.append(gettext("Material opened: %(m)s") % {"m": s["material"]})
            elif s.get("fields"):
                out.append(gettext("ID and mobile number shown in full"))
            if s.get("purpose"):
                out.append(gettext("Purpose: %(p)s") % {"p": s["purpose"]})
        if action == "rule_violation":
            rule = s.get("rule", "")
            out.append(str(RuleViolation.Rule(rule).label) if rule in RuleViolation.Rule.values else "")
        if action == "light" and s.get("to"):
            out.append(str(Light(s["to"]).label) if s["to"] in Light.values else "")
    for more in hooks.run("timeline_details", action=action, summary=s, for_staff=for_staff):
        out.extend(more or [])
    return [d for d in out if d]


def timeline(case: Case, *, for_staff: bool = False) -> list[TimelineEntry]:
    entries = TrailEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).select_related(
        "actor").order_by("id")
    if not for_staff:
        public = [f"case.{a.name}" for a in actions.REGISTRY.values() if a.public]
        entries = entries.filter(action__in=public)
    out = []
    for e in entries:
        if e.actor_role in (Role.CITIZEN, Role.COMPANY_REP, Role.PROXY_AGENT):
            who = "applicant"
        elif e.actor_role == "system":
            who = "system"
        else:
            who = e.actor_role
        action = e.action.removeprefix("case.")
        who_label = _who_label(who, case)
        if e.actor_role == Role.PROXY_AGENT:  # 帮代办: the agent acted for the person
            who_label = str(Role.PROXY_AGENT.label)
        if for_staff and who not in ("applicant", "system"):
            who_label = f"{who_label} · {e.actor.real_name if e.actor and e.actor.real_name else e.actor_label}"
        out.append(TimelineEntry(at=e.at, action=action, who=who, label=actions.event_label(action),
                                 who_label=who_label, details=_details(action, e.summary or {}, for_staff=for_staff)))
    return out


def _who_label(who: str, case: Case) -> str:
    """The applicant sees which office acted, never which officer."""
    if who == "applicant":
        return str(gettext("Applicant"))
    if who == "system":
        return str(gettext("System clock"))
    if who == Role.WINDOW_CLERK:
        return str(gettext("Comprehensive window"))
    if who in Role.values:
        return f"{case.department.name} · {Role(who).label}"
    return str(gettext("Other"))


def current_step(case: Case) -> str:
    if case.state not in (State.IN_REVIEW, State.SUSPENDED):
        return ""
    steps = review_steps(case.version)
    return steps[min(case.step_index, len(steps) - 1)].name


def next_step(case: Case) -> str:
    return str(actions.NEXT_STEP.get(State(case.state), ""))


# --- One view of a case -------------------------------------------------------------------------------


def material_lines(case: Case, *, notice: Any = None) -> list[dict[str, Any]]:
    """The case's checklist with each material's files: present, missing or named in the open notice."""
    files: dict[str, list[CaseMaterial]] = {}
    for m in CaseMaterial.objects.filter(application_id=case.application_id, current=True).order_by("uploaded_at", "id"):
        files.setdefault(material_key(m.name), []).append(m)
    faulty = {i.requirement.name: i for i in notice.items.all()} if notice is not None else {}
    latest = notice or case.notices.order_by("-issued_at").first()
    replies = {i.requirement.name: i.applicant_reply for i in latest.items.all()} if latest is not None else {}
    lines = []
    for req in case.version.materials.all():
        have = files.get(material_key(req.name), [])
        if req.name in faulty:
            status, status_label = "faulty", gettext("Named in the one-time notice")
        elif req.registry:
            status, status_label = "registry", gettext("Held by the government: nothing to bring")
        elif have:
            status, status_label = "present", gettext("Present")
        elif req.required:
            status, status_label = "missing", gettext("Missing")
        else:
            status, status_label = "optional", gettext("Only if: %(c)s") % {"c": req.condition or gettext("conditional")}
        notice_item = faulty.get(req.name)
        lines.append({"req": req, "files": have, "status": status, "status_label": status_label,
                      "notice_reason": notice_item.reason if notice_item else "",
                      "applicant_reply": replies.get(req.name, "")})
    return lines


def application_lines(application: Any, checklist: list[Any]) -> list[dict[str, Any]]:
    """The applicant's materials page: each checklist line with its files and, when a one-time
    notice is open, what it says about the material (two queries whatever the size)."""
    files: dict[str, list[CaseMaterial]] = {}
    for m in CaseMaterial.objects.filter(application=application, current=True).order_by("uploaded_at", "id"):
        files.setdefault(m.name, []).append(m)
    notices = {i.requirement.name: i.reason for i in NoticeItem.objects.filter(
        notice__case__application=application, notice__supplemented_at__isnull=True).select_related("requirement")}
    return [{"req": r, "files": files.get(r.name, []), "notice": notices.get(r.name), "notice_named": r.name in notices}
            for r in checklist]


def collectors(case: Case) -> list[tuple[str, str]]:
    """Who may collect this case's result at the window: the applicant, a person they authorised,
    and the proxy agent when one applied for them."""
    out = [(Handover.Collector.APPLICANT.value, str(Handover.Collector.APPLICANT.label)),
           (Handover.Collector.AUTHORISED.value, str(Handover.Collector.AUTHORISED.label))]
    if case.application.submitted_by.role == Role.PROXY_AGENT:
        out.append((Handover.Collector.PROXY_AGENT.value, str(Handover.Collector.PROXY_AGENT.label)))
    return out


def open_notice(case: Case) -> Any:
    return case.notices.filter(supplemented_at__isnull=True).prefetch_related("items__requirement").first()


def case_view(case: Case, user: Any) -> dict[str, Any]:
    """What the case page and the API show of one case to this user: everything staff need to
    decide (masked personal data, the form, the checklist with files, the clock, the actions they
    may take, notices, the timeline), or what the applicant needs to follow it."""
    from onetrip.cases.services.mover import actions_for

    staff = is_staff_viewer(user, case)
    app = case.application
    notice = open_notice(case)
    allowed = [actions.REGISTRY[a] for a in actions_for(case, user)]
    view: dict[str, Any] = {
        "case": case,
        "staff": staff,
        "applicant": {
            "name": mask_name(app.applicant_name) if staff else app.applicant_name,
            "id_number": mask_resident_id(app.applicant_id_number),
            "mobile": mask_mobile(app.applicant_mobile),
            "company": app.company.name if app.company_id else "",  # type: ignore[union-attr]
            "by_proxy": app.submitted_by.role == Role.PROXY_AGENT,
            "proxy_agent": app.submitted_by.real_name if app.submitted_by.role == Role.PROXY_AGENT else "",
            "proxy_consent": app.proxy_consent if staff else "",
            "channel_label": app.get_channel_display(),
        },
        "form": {"address": app.form_data.get("address", ""), "request": app.form_data.get("request", "")},
        "clock": clock.summary(case),
        "step": current_step(case),
        "next_step": next_step(case),
        "notice": notice,
        "notices": list(case.notices.all()),
        "materials": material_lines(case, notice=notice),
        "actions": allowed,
        "primary": [a for a in allowed if a.primary],
        "timeline": timeline(case, for_staff=staff),
        "visits": list(case.visits.all()) if staff else [],
        "violations": list(case.violations.all()) if staff else [],
        "comments": list(case.comments.select_related("author")) if staff else [],
        "procedures": [p.name for p in case.version.special_procedures.all()],
        "documents": printable_documents(case),
        "panels": [],
    }
    hooks.run("case_view", case=case, user=user, view=view)  # e.g. registry records (once-only)
    return view


def apply_initial(actor: Any) -> dict[str, str]:
    """The application form's initial values for this person: what the apps above cases know of
    them (the registries' address, say), through the ``apply_initial`` hook; the first value wins."""
    initial: dict[str, str] = {}
    for answer in hooks.run("apply_initial", actor=actor):
        for key, value in (answer or {}).items():
            initial.setdefault(key, value)
    return initial


# --- The public progress lookup -----------------------------------------------------------------------


def _secret_matches(secret: str) -> Q:
    return Q(application__applicant_mobile=secret) | Q(application__applicant_id_number=secret)


def lookup(number: str, secret: str) -> Case | None:
    """Public progress lookup: the case number with the applicant's mobile number or ID number."""
    number = (number or "").strip()
    secret = (secret or "").strip().upper()
    if not number or not secret:
        return None
    return _base().filter(number=number).filter(_secret_matches(secret)).first()


PROGRESS_CACHE_SECONDS = 3600


def public_progress(number: str, secret: str) -> dict[str, Any] | None:
    """What the public lookup answers (``progress``) for the case number with the applicant's
    mobile or ID number; None when the pair matches no case.

    The answer is cached under the case's id and the time it last changed (every change saves
    the case), in the reader's language: a changed case is looked up under a new key, so nothing
    is ever invalidated and no stale answer is served. A repeated lookup costs one small query."""
    number = (number or "").strip()
    secret = (secret or "").strip().upper()
    if not number or not secret:
        return None
    stamp = Case.objects.filter(number=number).filter(_secret_matches(secret)).values_list("pk", "updated_at").first()
    if stamp is None:
        return None
    key = f"progress:{stamp[0]}:{stamp[1].timestamp():.6f}:{get_language()}"
    answer: dict[str, Any] | None = cache.get(key)
    if answer is None:
        answer = progress(_base().get(pk=stamp[0]))
        cache.set(key, answer, PROGRESS_CACHE_SECONDS)
    return answer


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
        "panels": hooks.public_facts(case),  # what apps above cases add (payment, postal delivery)
    }


# --- Printed notices (受理通知书 / 不予受理通知书 / 一次性告知书) ------------------------------------------

DOCUMENT_KINDS = ("acceptance", "refusal", "notice", "decision")
# Printed with the department's e-seal as a digital signature when an app registers the
# ``seal_document`` hook (licences do): the decision is the result, and results are signed.
SEALED_KINDS = frozenset({"decision"})


@dataclass
class DocumentContent:
    """What one printed notice says, in words; ``onetrip.cases.documents`` lays it out."""

    kind: str
    title: str
    document_number: str
    department: str
    applicant: str
    item: str
    case_number: str
    received_on: dt.date | None
    issued_on: dt.date
    paragraphs: list[str]
    lines: list[tuple[str, str]]  # (material, what is missing or wrong) on a one-time notice
    contact: list[tuple[str, str]]  # (label, value)
    progress_path: str
    seal: str = ""  # the purpose printed in a drawn round seal (only when the PDF is also signed)
    signed_by: str = ""  # the deciding officer, for a decision


def decision_of(case: Case) -> tuple[str, dt.date] | None:
    """The case's decision (``approve`` or ``deny``) and its day, from the trail (a denied case may
    since have been closed), or None before a decision."""
    if case.decided_at is None:
        return None
    action = TrailEntry.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                       action__in=("case.approve", "case.deny")).order_by("-id").values_list(
        "action", flat=True).first()
    if action is None:
        return None
    return action.removeprefix("case."), timezone.localtime(case.decided_at).date()


def printable_documents(case: Case) -> list[dict[str, Any]]:
    """The notices that can be printed for this case now: the acceptance notice once accepted,
    the refusal once refused, each one-time notice."""
    out: list[dict[str, Any]] = []
    if case.accepted_on is not None:
        out.append({"kind": "acceptance", "pk": None, "label": gettext("Acceptance notice (PDF)")})
    if case.refusal_reasons:
        out.append({"kind": "refusal", "pk": None, "label": gettext("Notice of non-acceptance (PDF)")})
    for n in case.notices.order_by("issued_at", "id"):
        out.append({"kind": "notice", "pk": n.pk,
                    "label": gettext("One-time notice of %(d)s (PDF)") % {"d": f"{timezone.localtime(n.issued_at):%Y-%m-%d}"}})
    decision = decision_of(case) if case.decided_at is not None else None
    if decision is not None:
        out.append({"kind": "decision", "pk": None, "label": gettext("Decision to grant the licence (PDF)")
                    if decision[0] == "approve" else gettext("Decision not to grant the licence (PDF)")})
    return out


def join_sentences(a: str, b: str) -> str:
    """Two sentences run together (a space between them in English, none in Chinese)."""
    return gettext("%(a)s %(b)s") % {"a": a, "b": b}


def _event_day(case: Case, action: str) -> dt.date | None:
    entry = TrailEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action=action).order_by(
        "-id").values_list("at", flat=True).first()
    return timezone.localtime(entry).date() if entry else None


def _ymd(day: dt.date | None) -> str:
    return gettext("%(y)s-%(m)s-%(d)s") % {"y": day.year, "m": day.month, "d": day.day} if day else "—"


def document_content(case: Case, kind: str, notice_id: int | None = None) -> DocumentContent | None:
    """The content of one printed notice of ``case`` (None when it does not exist for this case).

    - ``acceptance`` (受理通知书): the time limits in working days and the promised deadline;
    - ``refusal`` (不予受理通知书): the reasons and the remedies;
    - ``notice`` (一次性告知书): every material to supplement with its reason, all at once;
    - ``decision`` (准予 / 不予行政许可决定书): the decision, its legal basis and reasons (a denial
      with the remedies), sealed by the department when a seal is registered."""
    from onetrip.cases.services.effects import REMEDY_TEXT

    version, department, app = case.version, case.department, case.application
    short = department.short_name or department.name
    year = timezone.localdate().year
    lines: list[tuple[str, str]] = []
    suffix = signer = ""
    applied = gettext("On %(d)s you applied for “%(item)s” (case number %(n)s).") % {
        "d": _ymd(case.received_on), "item": version.name, "n": case.number}
    if kind == "acceptance":
        if case.accepted_on is None:
            return None
        issued = case.accepted_on
        title = gettext("Acceptance notice")
        tag = gettext("acc")
        paragraphs = [join_sentences(applied, gettext(
            "The materials are complete and in the legal form; under Article 32 of the Administrative "
            "Licensing Law of the People's Republic of China the application is accepted."))]
        if case.deemed_accepted:
            paragraphs.append(gettext("No notice was given within the legal window, so the application counts as "
                                      "accepted from %(d)s.") % {"d": _ymd(case.received_on)})
        paragraphs.append(gettext(
            "Legal time limit: %(legal)s working days; promised time limit: %(promised)s working days, from "
            "acceptance. Promised decision by %(deadline)s (time taken by special procedures and supplements "
            "does not count).") % {
            "legal": version.legal_limit_days, "promised": version.promised_limit_days,
            "deadline": _ymd(case.promised_deadline)})
    elif kind == "refusal":
        if not case.refusal_reasons:
            return None
        issued = _event_day(case, "case.refuse") or timezone.localdate()
        title = gettext("Notice of non-acceptance")
        tag = gettext("ref")
        paragraphs = [join_sentences(applied, gettext("After examination the application is not accepted, for these reasons:")),
                      case.refusal_reasons, REMEDY_TEXT]
    elif kind == "notice":
        notices = case.notices.prefetch_related("items__requirement")
        # Without a number: the latest notice.
        notice = (notices.filter(pk=notice_id) if notice_id else notices.order_by("-issued_at", "-id")).first()
        if notice is None:
            return None
        issued = timezone.localtime(notice.issued_at).date()
        suffix = f"-{notice.pk}"
        title = gettext("One-time notice of materials to supplement")
        tag = gettext("sup")
        lines = [(i.requirement.name, i.reason or gettext("missing")) for i in notice.items.all()]
        paragraphs = [join_sentences(applied, gettext(
            "The materials are incomplete or not in the legal form. Under Article 32 of the Administrative "
            "Licensing Law we tell you here, once and all at once, every material to supplement:"))]
        if notice.note:
            paragraphs.append(notice.note)
        paragraphs.append(gettext(
            "Bring or upload all of them at once; nothing beyond this list will be asked for. When they are "
            "complete the application is examined again."))
        year = issued.year
    elif kind == "decision":
        decision = decision_of(case)
        if decision is None:
            return None
        action, issued = decision
        if action == "approve":
            title, tag = gettext("Decision to grant the administrative licence"), pgettext("document number", "grant")
            paragraphs = [join_sentences(applied, gettext(
                "After examination the application meets the statutory conditions and standards. Under Article "
                "38(1) of the Administrative Licensing Law of the People's Republic of China we decide to grant "
                "the administrative licence."))]
            if case.decision_reasons:
                paragraphs.append(case.decision_reasons)
        else:
            title, tag = gettext("Decision not to grant the administrative licence"), pgettext("document number", "deny")
            paragraphs = [join_sentences(applied, gettext(
                "After examination the application does not meet the statutory conditions and standards, for "
                "these reasons:")), case.decision_reasons, gettext(
                "Under Article 38(2) of the Administrative Licensing Law of the People's Republic of China we "
                "decide not to grant the administrative licence."), REMEDY_TEXT]
        who = TrailEntry.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                        action=f"case.{action}").order_by("-id").values_list(
            "actor__real_name", "actor_label").first()
        signer = (who[0] or who[1]) if who else ""
    else:
        return None
    if kind != "notice":
        year = issued.year
    contact = [(label, value) for label, value in (
        (gettext("Where"), version.location or department.address),
        (gettext("Window"), version.window),
        (gettext("Office hours"), version.office_hours),
        (gettext("Consultation phone"), version.consultation_phone or department.phone),
        (gettext("Complaint phone"), version.complaint_phone),
    ) if value]
    return DocumentContent(
        kind=kind, title=title,
        document_number=gettext("%(dept)s %(tag)s [%(year)s] No. %(n)s") % {
            "dept": short, "tag": tag, "year": year, "n": f"{case.number}{suffix}"},
        department=department.name, applicant=app.company.name if app.company_id else app.applicant_name,  # type: ignore[union-attr]
        item=version.name, case_number=case.number or "", received_on=case.received_on, issued_on=issued,
        paragraphs=paragraphs, lines=lines, contact=contact, progress_path=f"?number={case.number}",
        signed_by=signer,
    )
