"""The actions of the case lifecycle: one record each (see ``onetrip.cases.actions``), with the
effect that performs it. Each effect may change the case and return a target state when the
record leaves it open; it raises Refused/ValidationError before the mover writes anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.cases import clock, rules
from onetrip.cases.actions import APPLICANT, CLERK, HEAD, OFFICER, STEP, SYSTEM, Action, Field, register
from onetrip.cases.models import (
    Case,
    CaseMaterial,
    Handover,
    NoticeItem,
    OneTimeNotice,
    RuleViolation,
    State,
    Visit,
)
from onetrip.cases.rules import Refused
from onetrip.cases.services.mover import RuleBroken
from onetrip.cases.services.numbers import next_case_number
from onetrip.cases.services.visits import add_visit, proxy_agent_of
from onetrip.cases.steps import review_steps
from onetrip.core.identity import mask_resident_id, normalize_resident_id

S = State
Summary = dict[str, Any]

REMEDY_TEXT = (
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。"
)

DELIVERY_METHODS = {"pickup": _("picked up at the window"), "post": _("sent by post")}


def _text(data: dict[str, Any], key: str, *, required: str | None = None, limit: int = 2000) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValidationError({key: [gettext("Enter text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationError({key: [required]})
    return rules.check_length(key, value, limit)


def _set_step(case: Case, index: int, day: dt.date) -> None:
    steps = review_steps(case.version)
    case.step_index = index
    case.step_started_on = day
    case.step_role = steps[min(index, len(steps) - 1)].role


def _submit(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.number = case.number or next_case_number(day)
    case.received_at, case.received_on = timezone.now(), day
    case.acceptance_due = clock.acceptance_due(day)
    summary["number"] = case.number


def _accept(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.accepted_on = day
    _set_step(case, 0, day)


def _deem_accept(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.accepted_on = case.received_on
    case.deemed_accepted = True
    _set_step(case, 0, day)
    summary["deemed_from"] = str(case.received_on)


def _refuse(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.refusal_reasons = _text(data, "reasons", required=gettext("Give the reasons for not accepting."))
    summary["reasons"] = case.refusal_reasons
    findings = data.get("findings")
    if not isinstance(findings, rules.WindowFindings):
        findings = rules.WindowFindings()
    have = set(CaseMaterial.objects.filter(application_id=case.application_id, current=True)
               .values_list("name", flat=True))
    missing = [r.name for r in case.version.materials.all()
               if r.required and not r.registry and r.name not in have]
    if rules.refused_complete(missing=missing, faulty=findings.problems):
        rules.record_violation(case=case, rule=RuleViolation.Rule.REFUSED_COMPLETE, actor=actor, once=True,
                               detail={"reasons": case.refusal_reasons[:300]})


def _notice_items(data: dict[str, Any]) -> list[dict[str, str]]:
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": [gettext("Name every missing or faulty material, at once.")]})
    out = []
    for i in items:
        if not isinstance(i, dict) or not isinstance(i.get("material"), str) or not i["material"].strip():
            raise ValidationError({"items": [gettext("Each item names a material and what is wrong with it.")]})
        reason = i.get("reason", "")
        if not isinstance(reason, str) or len(reason) > 300:
            raise ValidationError({"items": [gettext("Say what is wrong in at most 300 characters.")]})
        out.append({"material": i["material"].strip(), "reason": reason.strip()})
    if len({i["material"] for i in out}) != len(out):
        raise ValidationError({"items": [gettext("A material is named twice.")]})
    return out


def _issue_notice(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    """一次性告知: every missing or faulty material named at once, from the checklist only."""
    assert actor is not None  # the record lets only people issue notices
    items = _notice_items(data)
    note = _text(data, "note")
    requirements = {r.name: r for r in case.version.materials.all()}
    asked = [i["material"] for i in items]
    off = rules.off_checklist(requirements, asked)
    if off:
        raise RuleBroken(
            gettext("Only materials on the published checklist may be asked for; not on it: %(m)s. "
              "This request was recorded for e-supervision.") % {"m": "、".join(off)},
            case=case, rule=RuleViolation.Rule.OFF_CHECKLIST, actor=actor,
            detail={"materials": off, "version": case.version.number})
    earlier = list(NoticeItem.objects.filter(notice__case=case).values_list("requirement__name", flat=True))
    if earlier:
        new = rules.repeated_notice_materials(earlier, asked)
        if new:
            rules.record_violation(case=case, rule=RuleViolation.Rule.REPEATED_NOTICE, actor=actor,
                                   detail={"materials": new})
    notice = OneTimeNotice.objects.create(case=case, issued_by=actor, note=note)
    NoticeItem.objects.bulk_create(
        [NoticeItem(notice=notice, requirement=requirements[i["material"]], reason=i["reason"]) for i in items])
    if case.state == S.IN_REVIEW:
        clock.pause(case, day)
    summary["notice"] = notice.pk
    summary["materials"] = asked


def _supplement(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> str:
    """一次性补正: every material the notice names has a new file, or the applicant says why not."""
    notice = case.notices.filter(supplemented_at__isnull=True).order_by("-issued_at").first()
    if notice is not None:
        lines = list(notice.items.select_related("requirement"))
        named = [i.requirement.name for i in lines]
        fresh = set(CaseMaterial.objects.filter(application_id=case.application_id, current=True, name__in=named,
                                                uploaded_at__gte=notice.issued_at).values_list("name", flat=True))
        explained = data.get("explanations") or {}
        if not isinstance(explained, dict):
            raise ValidationError({"explanations": [gettext("Explanations are given per material.")]})
        missing = rules.unsupplemented(named, fresh, explained)
        if missing:
            raise Refused(gettext("Upload a new file for each material the notice names, or say why you cannot: %(m)s") % {
                "m": "、".join(missing)}, code="supplement_incomplete")
        for line in lines:
            reply = str(explained.get(line.requirement.name, "")).strip()
            if line.requirement.name not in fresh and reply:
                rules.check_length("explanations", reply, 1000)
                NoticeItem.objects.filter(pk=line.pk).update(applicant_reply=reply)
        OneTimeNotice.objects.filter(pk=notice.pk).update(supplemented_at=timezone.now())
        summary["materials"] = sorted(fresh)
        summary["explained"] = [m for m in named if m not in fresh]
    if actor is not None and actor.role == Role.WINDOW_CLERK:
        add_visit(case, Visit.Reason.SUPPLEMENT, actor, summary)
    if case.accepted_on is not None:
        clock.resume(case, day)
        return S.IN_REVIEW
    # Not accepted yet: the supplement is a new receipt, with a new acceptance window.
    case.received_on = day
    case.acceptance_due = clock.acceptance_due(day)
    return S.SUBMITTED


def _claim(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    if case.assignee_id and case.assignee_id != getattr(actor, "pk", None) and not data.get("take_over"):
        raise Refused(gettext("Another officer has claimed this case."), code="claimed")
    case.assignee = actor
    summary["assignee_role"] = getattr(actor, "role", "")


def _advance(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    steps = review_steps(case.version)
    if case.step_index >= len(steps) - 1:
        raise Refused(gettext("This is the last step: approve or deny."), code="last_step")
    summary["step_from"] = steps[case.step_index].name
    _set_step(case, case.step_index + 1, day)
    case.assignee = None
    summary["step_to"] = steps[case.step_index].name
    opinion = _text(data, "opinion")
    if opinion:
        summary["opinion"] = opinion


def _return(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    if case.step_index == 0:
        raise Refused(gettext("The case is at its first step already."), code="first_step")
    steps = review_steps(case.version)
    reason = _text(data, "reason", required=gettext("Say why the case goes back."))
    summary["step_from"] = steps[case.step_index].name
    _set_step(case, case.step_index - 1, day)
    case.assignee = None
    summary.update(step_to=steps[case.step_index].name, reason=reason)


def at_last_step(case: Case) -> bool:
    """A decision (approve, deny) is taken at the item's last review step only."""
    return case.step_index >= len(review_steps(case.version)) - 1


def has_earlier_step(case: Case) -> bool:
    return case.step_index > 0


def _at_last_step(case: Case) -> None:
    if not at_last_step(case):
        raise Refused(gettext("The case has review steps left before a decision."), code="not_last_step")


def _approve(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    _at_last_step(case)
    case.decided_at = timezone.now()
    case.decision_reasons = _text(data, "reasons")
    case.step_role = ""


def _deny(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    _at_last_step(case)
    case.decision_reasons = _text(data, "reasons", required=gettext("A denial must state its reasons."))
    case.decided_at = timezone.now()
    case.step_role = ""
    summary.update(reasons=case.decision_reasons, remedies=REMEDY_TEXT)


def _suspend(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    name = _text(data, "procedure")
    procedure = case.version.special_procedures.filter(name=name).first() if name else None
    if procedure is None:
        names = list(case.version.special_procedures.values_list("name", flat=True))
        raise ValidationError({"procedure": [
            gettext("Choose one of this item's special procedures: %(p)s") % {"p": "、".join(names) or gettext("(none)")}]})
    if procedure.excluded_from_limit:
        clock.pause(case, day)
    summary.update(procedure=name, excluded=procedure.excluded_from_limit)


def _resume(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    clock.resume(case, day)


def _withdraw(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    clock.resume(case, day)
    case.closed_at = timezone.now()
    case.step_role = ""
    reason = _text(data, "reason", limit=500)
    if reason:
        summary["reason"] = reason


def _issue_result(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.step_role = ""


def _deliver(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    """送达 by post, with its tracking number. A result collected at the window is handed out
    (``hand_out``: the collector's ID is checked and the trip counted)."""
    method = data.get("method", "post") or "post"
    if method == "pickup":
        raise Refused(gettext("A result collected at the window is handed out at the result window, with the "
                              "collector's ID checked."), code="use_hand_out")
    if method not in DELIVERY_METHODS:
        raise ValidationError({"method": [gettext("Say how the result was delivered: picked up at the window or by post.")]})
    if not case.version.postable:
        raise Refused(gettext("This item's result cannot be posted."), code="not_postable")
    case.delivery_reference = _text(data, "tracking_number", required=gettext("Give the postal tracking number."),
                                     limit=100)
    summary["tracking_number"] = case.delivery_reference
    case.delivery_method = method
    summary["method"] = method


def collected_at_window(case: Case) -> bool:
    """综合窗口出件: a result not sent by post is collected at the result window."""
    return case.delivery_method != "post"


def _hand_out(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    """综合窗口出件: the clerk hands the result over to the applicant (their ID number checked against
    the application's), to a person they authorised (name and a valid resident ID number), or to
    the proxy agent who applied for them; the trip is counted (the agent's as the agent's) and the
    case closes."""
    assert actor is not None  # the record lets only window clerks hand out
    if not collected_at_window(case):
        raise Refused(gettext("This result is to be sent by post."), code="by_post")
    application = case.application
    collector = data.get("collector", "")
    if collector not in Handover.Collector.values:
        raise ValidationError({"collector": [gettext("Say who collects the result.")]})
    raw_id = _text(data, "collector_id_number", required=gettext("Enter the ID number on the collector's ID card."),
                   limit=30)
    try:
        id_number = normalize_resident_id(raw_id)
    except ValidationError as exc:
        raise ValidationError({"collector_id_number": exc.messages}) from None
    agent = None
    if collector == Handover.Collector.APPLICANT:
        if id_number != application.applicant_id_number:
            raise Refused(gettext("This ID number is not the applicant's. Someone else collects only with the "
                                  "applicant's authorisation."), code="not_the_applicant")
        name = application.applicant_name
    elif collector == Handover.Collector.AUTHORISED:
        name = _text(data, "collector_name", required=gettext("Enter the name on the collector's ID card."), limit=100)
    else:
        agent = proxy_agent_of(case)
        if agent is None:
            raise Refused(gettext("No proxy agent applied for this case."), code="no_proxy_agent")
        if agent.resident_id and id_number != agent.resident_id:
            raise Refused(gettext("This ID number is not the proxy agent's."), code="not_the_agent")
        name = agent.real_name
    Handover.objects.create(case=case, collector=collector, collector_name=name, collector_id_number=id_number,
                            handed_by=actor, at=timezone.now())
    case.delivery_method = "pickup"
    case.closed_at = timezone.now()
    case.step_role = ""
    summary.update(method="pickup", collector=collector, collector_id=mask_resident_id(id_number))
    add_visit(case, Visit.Reason.PICKUP, actor, summary, proxy_agent=agent)


def _close(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    case.closed_at = timezone.now()
    case.step_role = ""


def _comment(case: Case, actor: User | None, data: dict[str, Any], day: dt.date, summary: Summary) -> None:
    from onetrip.cases.models import Comment

    assert actor is not None  # the record lets only people comment
    Comment.objects.create(case=case, author=actor,
                           text=_text(data, "text", required=gettext("The comment is empty."), limit=4000))


OPEN = {S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.IN_REVIEW, S.SUSPENDED}

for record in [
    Action("submit", frozenset({S.DRAFT}), S.SUBMITTED, frozenset({APPLICANT, CLERK}),
           label=_("Submit"), event=_("Submitted"), effect=_submit,
           sms=_("Your application %(number)s (%(item)s) was received. You can follow it online with the case number."),
           doc="Submit a draft (the application's submit endpoint does this for every case at once)."),
    Action("accept", frozenset({S.SUBMITTED}), S.IN_REVIEW, frozenset({CLERK, OFFICER}),
           label=_("Accept"), event=_("Application accepted"), effect=_accept, primary=True,
           sms=_("Case %(number)s (%(item)s) was accepted. Promised decision by %(deadline)s."),
           doc="Accept: the materials are complete. Starts the clock."),
    Action("issue_notice", frozenset({S.SUBMITTED, S.IN_REVIEW}), S.AWAITING_SUPPLEMENT, frozenset({CLERK, OFFICER}),
           label=_("Issue a one-time notice"), event=_("One-time notice issued"), effect=_issue_notice,
           fields=(Field("items", _("Missing or faulty materials (checklist only)"), "materials", required=True),
                   Field("note", _("Note"), "textarea")),
           confirm=_("A one-time notice must name everything at once: a second notice for other materials is "
                      "recorded for e-supervision. Issue it?"),
           sms=_("Case %(number)s (%(item)s): materials are missing or need correcting. "
                  "See the one-time notice online and supplement them all at once."),
           doc="data.items = [{material, reason}] from the version's checklist; data.note optional."),
    Action("refuse", frozenset({S.SUBMITTED}), S.NOT_ACCEPTED, frozenset({CLERK, OFFICER}),
           label=_("Do not accept"), event=_("Not accepted"), effect=_refuse,
           fields=(Field("reasons", _("Reasons"), "textarea", required=True),),
           confirm=_("The applicant is told the case is not accepted, with your reasons. This cannot be undone."),
           sms=_("Case %(number)s (%(item)s) was not accepted: %(reasons)s"),
           doc="data.reasons required."),
    Action("supplement", frozenset({S.AWAITING_SUPPLEMENT}), None, frozenset({APPLICANT, CLERK}),
           label=_("Send the supplements"), event=_("Supplements received"), effect=_supplement, primary=True,
           sms=_("Case %(number)s (%(item)s): your supplements were received."),
           doc="Every material the notice names needs a new file, or data.explanations = {material: why not}."),
    Action("deem_accept", frozenset({S.SUBMITTED}), S.IN_REVIEW, frozenset({SYSTEM}),
           label=_("Deem accepted"), event=_("Deemed accepted"), effect=_deem_accept,
           sms=_("Case %(number)s (%(item)s) is deemed accepted from %(received)s, as no notice was given in time. "
                  "Promised decision by %(deadline)s."),
           doc="The worker only."),
    Action("claim", frozenset({S.IN_REVIEW}), S.IN_REVIEW, frozenset({OFFICER, HEAD}),
           label=_("Claim"), event=_("Claimed"), effect=_claim, public=False,
           doc="Take the case into your own list; data.take_over=true takes it from a colleague."),
    Action("advance", frozenset({S.IN_REVIEW}), S.IN_REVIEW, frozenset({STEP}),
           label=_("Pass to the next step"), event=_("Passed to the next step"), effect=_advance, primary=True,
           available=lambda case: not at_last_step(case),
           fields=(Field("opinion", _("Opinion"), "textarea"),),
           doc="Only whoever the current review step names; data.opinion optional."),
    Action("return", frozenset({S.IN_REVIEW}), S.IN_REVIEW, frozenset({OFFICER, HEAD}),
           label=_("Return to the previous step"), event=_("Returned to the previous step"), effect=_return,
           available=has_earlier_step,
           public=False, fields=(Field("reason", _("Why it goes back"), "textarea", required=True),),
           doc="data.reason required."),
    Action("suspend", frozenset({S.IN_REVIEW}), S.SUSPENDED, frozenset({OFFICER, HEAD}),
           label=_("Suspend for a special procedure"), event=_("Suspended for a special procedure"),
           effect=_suspend, fields=(Field("procedure", _("Special procedure"), "procedure", required=True),),
           sms=_("Case %(number)s (%(item)s) is paused for a special procedure (%(procedure)s)."),
           doc="data.procedure: one of the version's special procedures."),
    Action("resume", frozenset({S.SUSPENDED}), S.IN_REVIEW, frozenset({OFFICER, HEAD}),
           label=_("Resume"), event=_("Resumed"), effect=_resume, primary=True,
           sms=_("Case %(number)s (%(item)s) is under review again. Promised decision by %(deadline)s.")),
    Action("approve", frozenset({S.IN_REVIEW}), S.APPROVED, frozenset({STEP}),
           label=_("Approve"), event=_("Approved"), effect=_approve, primary=True, available=at_last_step,
           fields=(Field("reasons", _("Decision notes"), "textarea"),),
           confirm=_("Approve this application? The decision is final."),
           sms=_("Case %(number)s (%(item)s) was approved. The result is being prepared."),
           doc="At the last review step only."),
    Action("deny", frozenset({S.IN_REVIEW}), S.DENIED, frozenset({STEP}),
           label=_("Deny"), event=_("Denied"), effect=_deny, available=at_last_step,
           fields=(Field("reasons", _("Reasons"), "textarea", required=True),),
           confirm=_("Deny this application? The applicant is told your reasons and their remedies."),
           sms=_("Case %(number)s (%(item)s) was denied. See the reasons and your remedies online."),
           doc="At the last review step only; data.reasons required."),
    Action("withdraw", frozenset(OPEN), S.WITHDRAWN, frozenset({APPLICANT}),
           label=_("Withdraw the application"), event=_("Withdrawn"), effect=_withdraw,
           fields=(Field("reason", _("Why (optional)"), "textarea", max_length=500),),
           confirm=_("Withdraw this application? This cannot be undone: to go on later you must apply again."),
           sms=_("Case %(number)s (%(item)s) was withdrawn at your request."),
           doc="The applicant, before a decision; data.reason optional."),
    Action("issue_result", frozenset({S.APPROVED}), S.RESULT_READY, frozenset({CLERK, OFFICER, HEAD}),
           label=_("Result ready"), event=_("Result ready"), effect=_issue_result, primary=True,
           sms=_("Case %(number)s (%(item)s): your result is ready. %(collect)s")),
    Action("hand_out", frozenset({S.RESULT_READY}), S.CLOSED, frozenset({CLERK}),
           label=_("Hand out the result"), event=_("Result handed out at the window"), effect=_hand_out,
           primary=True, available=collected_at_window,
           fields=(Field("collector", _("Who collects"), "collector", required=True),
                   Field("collector_name", _("Name on the ID card (authorised person)"), max_length=100),
                   Field("collector_id_number", _("ID number on the collector's ID card"), required=True,
                         max_length=30)),
           sms=_("Case %(number)s (%(item)s): the result was handed out at the window. The case is closed."),
           doc="综合窗口出件 (window clerks): data.collector = applicant | authorised | proxy_agent, "
               "data.collector_id_number (checked against the application for the applicant), "
               "data.collector_name for an authorised person. Counts the trip and closes the case."),
    Action("deliver", frozenset({S.RESULT_READY}), S.DELIVERED, frozenset({CLERK, OFFICER}),
           label=_("Send the result by post"), event=_("Result delivered"), effect=_deliver,
           available=lambda case: case.version.postable,
           fields=(Field("method", _("How"), "delivery", required=True),
                   Field("tracking_number", _("Tracking number (post)"), required=True, max_length=100)),
           sms=_("Case %(number)s (%(item)s): the result was delivered (%(method)s)."),
           doc="By post: data.method = post, data.tracking_number. (At the window: hand_out.)"),
    Action("close", frozenset({S.DELIVERED, S.DENIED, S.NOT_ACCEPTED}), S.CLOSED,
           frozenset({CLERK, OFFICER, HEAD, SYSTEM}), label=_("Close"), event=_("Closed"), effect=_close),
    Action("comment", frozenset(OPEN | {S.APPROVED, S.RESULT_READY}), None, frozenset({CLERK, OFFICER, HEAD}),
           label=_("Add an internal comment"), event=_("Internal comment"), effect=_comment, public=False,
           fields=(Field("text", _("Comment"), "textarea", required=True, max_length=4000),),
           doc="Staff only; data.text required."),
]:
    register(record)


def issue_notice(*, case: Case, actor: User, items: list[dict[str, str]], note: str = "") -> Case:
    """一次性告知, as a named call: ``transition(action="issue_notice")`` with the materials."""
    from onetrip.cases.services.mover import transition

    return transition(case=case, action="issue_notice", actor=actor, data={"items": list(items), "note": note})
