"""The case lifecycle as one table: state × action × who → next state.

``services.transition`` is the only code that moves a case; it looks the action up here,
checks the actor, writes the trail, moves the clock and queues the notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role
from onetrip.cases.models import State

APPLICANT = "applicant"  # the case's own applicant (citizen, company representative or proxy)
SYSTEM = "system"  # the background clock
STEP = "step"  # whoever the item's current review step names

S = State
CLERK, OFFICER, HEAD = Role.WINDOW_CLERK.value, Role.OFFICER.value, Role.DEPARTMENT_HEAD.value


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: decided by the service (e.g. back to where the case was)
    actors: frozenset[str]
    notify: bool = False  # tell the applicant
    label: str = ""


def _t(action: str, sources: set[str], target: str | None, actors: set[str], notify: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), notify)


TABLE: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", {S.DRAFT}, S.SUBMITTED, {APPLICANT}, notify=True),
        _t("accept", {S.SUBMITTED}, S.IN_REVIEW, {CLERK, OFFICER}, notify=True),
        _t("refuse", {S.SUBMITTED}, S.NOT_ACCEPTED, {CLERK, OFFICER}, notify=True),
        _t("issue_notice", {S.SUBMITTED, S.IN_REVIEW}, S.AWAITING_SUPPLEMENT, {CLERK, OFFICER}, notify=True),
        _t("supplement", {S.AWAITING_SUPPLEMENT}, None, {APPLICANT, CLERK}, notify=True),
        _t("deem_accept", {S.SUBMITTED}, S.IN_REVIEW, {SYSTEM}, notify=True),
        _t("claim", {S.IN_REVIEW}, S.IN_REVIEW, {OFFICER, HEAD}),
        _t("advance", {S.IN_REVIEW}, S.IN_REVIEW, {STEP}),
        _t("return", {S.IN_REVIEW}, S.IN_REVIEW, {OFFICER, HEAD}),
        _t("suspend", {S.IN_REVIEW}, S.SUSPENDED, {OFFICER, HEAD}, notify=True),
        _t("resume", {S.SUSPENDED}, S.IN_REVIEW, {OFFICER, HEAD}, notify=True),
        _t("approve", {S.IN_REVIEW}, S.APPROVED, {STEP}, notify=True),
        _t("deny", {S.IN_REVIEW}, S.DENIED, {STEP}, notify=True),
        _t("withdraw", {S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.IN_REVIEW, S.SUSPENDED}, S.WITHDRAWN, {APPLICANT},
           notify=True),
        _t("issue_result", {S.APPROVED}, S.RESULT_READY, {CLERK, OFFICER, HEAD}, notify=True),
        _t("deliver", {S.RESULT_READY}, S.DELIVERED, {CLERK, OFFICER}, notify=True),
        _t("close", {S.DELIVERED, S.DENIED, S.NOT_ACCEPTED}, S.CLOSED, {CLERK, OFFICER, HEAD, SYSTEM}),
        _t("comment", {S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.IN_REVIEW, S.SUSPENDED, S.APPROVED, S.RESULT_READY},
           None, {CLERK, OFFICER, HEAD}),
    ]
}

# What the applicant is told comes next, per state.
NEXT_STEP = {
    S.DRAFT: _("Finish the form and submit it."),
    S.SUBMITTED: _("The department checks your materials and decides whether to accept the application."),
    S.AWAITING_SUPPLEMENT: _("Supplement the materials named in the one-time notice."),
    S.NOT_ACCEPTED: _("See the reasons; you may apply again."),
    S.IN_REVIEW: _("The department reviews your application."),
    S.SUSPENDED: _("A special procedure is under way; the clock is paused."),
    S.APPROVED: _("The result is being prepared."),
    S.DENIED: _("See the reasons and your remedies."),
    S.RESULT_READY: _("Pick up the result or wait for it by post."),
    S.DELIVERED: _("Done."),
    S.CLOSED: _("Done."),
    S.WITHDRAWN: _("You withdrew this application."),
}


def allowed_actions(state: str) -> list[str]:
    return [a for a, t in TABLE.items() if state in t.sources]


# Button labels for the actions.
LABELS = {
    "submit": _("Submit"),
    "accept": _("Accept"),
    "refuse": _("Do not accept"),
    "issue_notice": _("Issue a one-time notice"),
    "supplement": _("Supplement"),
    "deem_accept": _("Deem accepted"),
    "claim": _("Claim"),
    "advance": _("Pass to the next step"),
    "return": _("Return to the previous step"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
    "approve": _("Approve"),
    "deny": _("Deny"),
    "withdraw": _("Withdraw"),
    "issue_result": _("Result ready"),
    "deliver": _("Deliver"),
    "close": _("Close"),
    "comment": _("Comment"),
}

# What each action reads like on a timeline.
EVENTS = {
    "submit": _("Submitted"),
    "accept": _("Accepted"),
    "refuse": _("Not accepted"),
    "issue_notice": _("One-time notice issued"),
    "supplement": _("Supplements received"),
    "deem_accept": _("Deemed accepted"),
    "claim": _("Claimed"),
    "advance": _("Passed to the next step"),
    "return": _("Returned to the previous step"),
    "suspend": _("Suspended for a special procedure"),
    "resume": _("Resumed"),
    "approve": _("Approved"),
    "deny": _("Denied"),
    "withdraw": _("Withdrawn"),
    "issue_result": _("Result ready"),
    "deliver": _("Result delivered"),
    "close": _("Closed"),
    "comment": _("Comment"),
    "visit": _("Trip to the office recorded"),
    "light": _("Status light changed"),
    "rule_violation": _("Rule violation recorded"),
}
