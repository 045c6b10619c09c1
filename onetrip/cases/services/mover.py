"""The one function that moves a case.

``transition`` locks the case, checks the state, then the actor, and only then runs the
action's effect (where the reform's rules are applied); it recomputes the clock, saves, queues
the applicant's SMS and appends the trail entry. A rule broken by a member of staff who may act
(e.g. asking for a material off the checklist) is refused *and* recorded for e-supervision;
nothing else is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases import actions, clock, hooks, notifications
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused, is_applicant, record_violation
from onetrip.cases.steps import review_steps
from onetrip.core import trail


class RuleBroken(Refused):
    """Refused because a reform rule was broken by someone allowed to act: the breach is recorded
    (after the refused change is rolled back)."""

    def __init__(self, message: str, *, case: Case, rule: str, actor: User | None, detail: dict[str, Any]):
        super().__init__(message, code=rule)
        self.case, self.rule, self.actor, self.detail = case, rule, actor, detail


def check_actor(case: Case, action: actions.Action, actor: User | None) -> None:
    """Who may do ``action`` on this case now; raises Refused (code ``forbidden`` or
    ``not_your_department``) otherwise."""
    if actor is None:
        if actions.SYSTEM not in action.actors:
            raise Refused(_("Only a person can do this."), code="forbidden")
        return
    role = str(actor.role)
    if actions.APPLICANT in action.actors and is_applicant(case, actor):
        return
    if actions.STEP in action.actors:
        steps = review_steps(case.version)
        step = steps[min(case.step_index, len(steps) - 1)]
        if role != step.role:
            raise Refused(_("This step (%(s)s) is for the %(r)s.") % {"s": step.name, "r": Role(step.role).label},
                          code="forbidden")
    elif role not in action.actors:
        raise Refused(_("Your role may not “%(a)s” on this case.") % {"a": action.label}, code="forbidden")
    if role in (Role.OFFICER, Role.DEPARTMENT_HEAD) and actor.department_id != case.department_id:
        raise Refused(_("This case belongs to another department."), code="not_your_department")


def can_act(user: Any, case: Case, action: str) -> bool:
    """Whether ``user`` may do ``action`` on ``case`` in its present state (the mover still checks)."""
    a = actions.get(action)
    if a is None or case.state not in a.sources or (a.available is not None and not a.available(case)):
        return False
    try:
        check_actor(case, a, user if getattr(user, "is_authenticated", False) else None)
    except Refused:
        return False
    return True


def actions_for(case: Case, user: Any) -> list[str]:
    """The actions this user may do on the case now, in the registry's order."""
    return [name for name in actions.allowed_in(case.state) if can_act(user, case, name)]


def transition(*, case: Case, action: str, actor: User | None, data: Mapping[str, Any] | None = None,
               locked: bool = False) -> Case:
    """Perform ``action`` on ``case`` as ``actor`` (None = the background worker).

    ``locked``: the caller already holds the case's row lock in the current transaction and
    read it with its version, application, item and department (``submit_application`` does,
    for all the cases of an application at once); the case is not read again."""
    try:
        # A caller that holds the lock runs this inside its own transaction and rolls all of it
        # back on any error: no savepoint of our own is needed then.
        with transaction.atomic(savepoint=not locked):
            return _move(case=case, action=action, actor=actor, data=data, locked=locked)
    except RuleBroken as broken:
        with transaction.atomic():
            record_violation(case=broken.case, rule=broken.rule, actor=broken.actor, detail=broken.detail)
        raise


def _move(*, case: Case, action: str, actor: User | None, data: Mapping[str, Any] | None, locked: bool) -> Case:
    a = actions.get(action)
    if a is None:
        raise Refused(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action")
    if not locked:
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("version", "application__applicant", "item", "department")
            .filter(pk=case.pk).first()
        )
        if fresh is None:
            raise Refused(_("No such case."), code="not_found")
        case = fresh
    if case.state not in a.sources:
        raise Refused(
            _("“%(a)s” is not possible while the case is “%(s)s”.") % {"a": a.label, "s": case.get_state_display()},
            code="wrong_state",
        )
    check_actor(case, a, actor)
    data = dict(data or {})
    day = clock.today()
    summary: dict[str, Any] = {"number": case.number, "action": action, "from": case.state}
    target = a.target
    if a.effect is not None:
        target = a.effect(case, actor, data, day, summary) or target
    if target is not None:
        case.state = target
    clock.recompute(case, day)
    case.save()
    summary["to"] = case.state
    # Apps above cases act in the same transaction (e.g. sign a decision); see cases.hooks.
    hooks.run_after_action(case=case, action=action, actor=actor, summary=summary)
    if a.notify:
        notifications.queue(case=case, action=action, data=summary)
    # Last, so that the trail's head row stays locked for as short a time as possible.
    trail.record(actor=actor, action=f"case.{action}", obj=case, summary=summary)
    return case
