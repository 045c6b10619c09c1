"""The purchase's transitions, defined once: the states each action starts from, where it leads
and who does it. The mover (``services._move``) checks and records every one; pages and the API
offer the actions that ``allowed`` lists.

    draft ──publish──▶ published ──select──▶ selected ──contract──▶ contracted ──deliver──▶ delivered
    published ──select (too few / no valid bid)──▶ failed          delivered ──return──▶ contracted
    draft/published/selected ──cancel──▶ cancelled                 delivered ──confirm──▶ completed
    contracted ──pause / resume──▶ contracted (the clock stops and restarts)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onetrip.agencies.models import PurchaseState as S

OWNER = "owner"
AGENCY = "agency"  # the winning agency's accounts
ANYONE = "anyone"  # any signed-in person (the draw after the deadline is anyone's to run)


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    targets: frozenset[str]
    actors: frozenset[str]
    label: Promise


TABLE: dict[str, Action] = {a.name: a for a in [
    Action("publish", frozenset({S.DRAFT}), frozenset({S.PUBLISHED}), frozenset({OWNER}), _("Publish")),
    # also after the selection, when the winner refuses the contract (a violation the admin records)
    Action("cancel", frozenset({S.DRAFT, S.PUBLISHED, S.SELECTED}), frozenset({S.CANCELLED}), frozenset({OWNER}),
           _("Cancel")),
    Action("select", frozenset({S.PUBLISHED}), frozenset({S.SELECTED, S.FAILED}), frozenset({OWNER, ANYONE}),
           _("Make the selection")),
    Action("contract", frozenset({S.SELECTED}), frozenset({S.CONTRACTED}), frozenset({OWNER}),
           _("Record the contract")),
    Action("pause", frozenset({S.CONTRACTED}), frozenset({S.CONTRACTED}), frozenset({OWNER}),
           _("Pause the clock for the owner's delay")),
    Action("resume", frozenset({S.CONTRACTED}), frozenset({S.CONTRACTED}), frozenset({OWNER}),
           _("Resume the clock")),
    Action("deliver", frozenset({S.CONTRACTED}), frozenset({S.DELIVERED}), frozenset({AGENCY}),
           _("Deliver the report")),
    Action("return", frozenset({S.DELIVERED}), frozenset({S.CONTRACTED}), frozenset({OWNER}),
           _("Return the report")),
    Action("confirm", frozenset({S.DELIVERED}), frozenset({S.COMPLETED}), frozenset({OWNER}),
           _("Confirm the report")),
]}


def allowed(action: str, state: str, target: str) -> bool:
    a = TABLE.get(action)
    return a is not None and state in a.sources and target in a.targets
