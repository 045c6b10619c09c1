"""一窗受理 at the window: the clerk serving the person has scanned what they brought, marks each
material against the checklist (present / missing / faulty) and decides there and then: the
application is submitted and, in the same transaction, accepted (the clock starts and the case
goes to the department's back office), given the one-time notice naming everything missing or
faulty, or not accepted with reasons. The rule is ``rules.window_check``; the moves are the
lifecycle's own actions (``mover.transition``), so each is on the trail and printable as a notice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases import rules
from onetrip.cases.models import Application, Case, Channel, State
from onetrip.cases.rules import Refused
from onetrip.cases.services.intake import _remember, checklist, known, submit_application
from onetrip.cases.services.mover import transition
from onetrip.core import trail


def take_in(*, actor: User, application: Application, marks: Mapping[str, Mapping[str, str]], decision: str,
            reasons: str = "", note: str = "") -> list[Case]:
    """Submit the window application and accept it, issue the one-time notice, or refuse it, as
    ``rules.window_check`` allows for the clerk's marks. All or nothing. Returns the cases."""
    if actor.role != Role.WINDOW_CLERK or application.channel != Channel.WINDOW:
        raise Refused(_("Only a window clerk takes in a window application."), code="forbidden")
    lines = checklist(application)
    have = set(application.materials.filter(current=True).values_list("name", flat=True))
    problems = rules.window_check(lines, have, marks, decision, reasons)
    with transaction.atomic():
        if not application.cases.filter(state=State.DRAFT).exists():
            raise Refused(_("This application was submitted already: decide on its case page."), code="wrong_state")
        cases = submit_application(actor=actor, application=application,
                                   excused=[] if decision == "accept" else [p["material"] for p in problems])
        out = []
        for case in cases:
            out.append(_decide(case, actor, decision, problems, reasons, note))
        trail.record(actor=actor, action="application.window_check", obj=application, summary={
            "decision": decision, "cases": [c.number for c in out],
            "marks": {name: str(m.get("state") or "") for name, m in marks.items()},
            "problems": [p["material"] for p in problems]})
    _remember(application, **{**known(application), "cases": out})  # the answer shows the cases as decided
    return out


def _decide(case: Case, actor: User, decision: str, problems: list[dict[str, str]], reasons: str,
            note: str) -> Case:
    if decision == "refuse":
        findings = rules.WindowFindings(problems=tuple(p["material"] for p in problems))
        return transition(case=case, action="refuse", actor=actor, data={"reasons": reasons, "findings": findings})
    own = set(case.version.materials.values_list("name", flat=True))
    items: list[dict[str, Any]] = [p for p in problems if p["material"] in own]
    if decision == "notice" and items:
        return transition(case=case, action="issue_notice", actor=actor, data={"items": items, "note": note})
    # accepted; in a bundle, an item with nothing missing of its own is accepted with the notice of the others
    return transition(case=case, action="accept", actor=actor)
