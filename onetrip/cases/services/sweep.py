"""The worker's sweep over cases: deemed acceptance, lights, warnings, overdue flags. Each case is
claimed (by the mover's row lock and state check, or by a conditional update), so several workers
never act on one case twice, and one failing case does not stop the others."""

from __future__ import annotations

import datetime as dt

from onetrip.cases import clock, notifications
from onetrip.cases.models import Case, Light, RuleViolation, State
from onetrip.cases.rules import Refused, record_violation
from onetrip.cases.services.mover import transition
from onetrip.core import jobs, trail


def deem_acceptances(*, day: dt.date, limit: int = 500) -> int:
    """视为受理: submitted cases whose acceptance window passed without a notice. The mover's row
    lock and state check make the claim: a case another worker deemed first is skipped."""
    done = 0

    def deem(pk: int) -> None:
        nonlocal done
        try:
            transition(case=Case(pk=pk), action="deem_accept", actor=None)
        except Refused:
            return  # another worker got there first, or the case moved on
        done += 1

    due = list(Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=day)
               .order_by("acceptance_due", "id").values_list("pk", flat=True)[:limit])
    jobs.for_each(due, deem, label=lambda pk: f"case {pk}")
    return done


def update_lights(*, day: dt.date, limit: int = 500) -> dict[str, int]:
    """Amber near the promised deadline (the officers are warned), red past it (recorded for
    e-supervision once per case). Each case is claimed for the day by a conditional update."""
    done = {"warned": 0, "overdue": 0}

    def light(case: Case) -> None:
        case = Case.objects.select_for_update(of=("self",)).select_related("version", "application").get(pk=case.pk)
        old = case.light
        clock.recompute(case, day)
        case.save(update_fields=["light", "promised_deadline", "legal_deadline", "updated_at"])
        if case.light != old:
            trail.record(actor=None, action="case.light", obj=case,
                         summary={"number": case.number, "from": old, "to": case.light})
        if case.light == Light.WARNING and old != Light.WARNING:
            notifications.queue_staff_warning(case=case)
            done["warned"] += 1
        if case.light == Light.OVERDUE and record_violation(
                case=case, rule=RuleViolation.Rule.OVERDUE, actor=None, once=True,
                detail={"promised_deadline": str(case.promised_deadline)}):
            done["overdue"] += 1

    candidates = Case.objects.filter(state=State.IN_REVIEW, promised_deadline__lte=clock.near_deadline_until(day)
                                     ).exclude(warned_on=day)
    jobs.for_each_claimed(candidates, {"warned_on": day}, light, limit=limit)
    return done


def tick(*, day: dt.date | None = None, limit: int = 500) -> dict[str, int]:
    """One pass of the clock over cases."""
    day = day or clock.today()
    return {"deemed": deem_acceptances(day=day, limit=limit), **update_lights(day=day, limit=limit)}
