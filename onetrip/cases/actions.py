"""Every action on a case, defined once.

One :class:`Action` record carries everything about an action: the states it may start from,
where it leads, who may do it, its button label, the sentence it reads as on a timeline, whether
the applicant sees it, the SMS the applicant gets, the effect that performs it, the fields of its
small form, whether it must be confirmed, and the line the API documentation shows. The one mover
(``services.mover.transition``) looks actions up here; pages and the API render from here.

Apps above ``cases`` (hall, payments, licences…) add their own actions with :func:`register`
in their ``AppConfig.ready`` instead of being called by cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role
from onetrip.cases.models import State

if TYPE_CHECKING:
    from onetrip.accounts.models import User
    from onetrip.cases.models import Case

APPLICANT = "applicant"  # the case's own applicant, or the proxy agent who applied for them
SYSTEM = "system"  # the background worker
STEP = "step"  # whoever the item's current review step names
CLERK, OFFICER, HEAD = Role.WINDOW_CLERK.value, Role.OFFICER.value, Role.DEPARTMENT_HEAD.value

Effect = Callable[["Case", "User | None", dict[str, Any], dt.date, dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class Field:
    """One input of an action's small form (pages render it; the API takes it in ``data``)."""

    name: str
    label: Promise | str
    kind: str = "text"  # text | textarea | select | materials | procedure | delivery
    required: bool = False
    max_length: int = 2000
    help: Promise | str = ""


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the effect decides (e.g. back to where the case was)
    actors: frozenset[str]
    label: Promise | str  # the button
    event: Promise | str  # the timeline sentence, in the past
    public: bool = True  # the applicant sees it on their timeline
    sms: Promise | str | None = None  # the applicant's SMS; %(number)s, %(item)s, %(deadline)s… (see notifications)
    effect: Effect | None = None
    fields: tuple[Field, ...] = ()
    confirm: Promise | str | None = None  # ask before doing it (irreversible or weighty)
    doc: str = ""  # for the API documentation
    primary: bool = False  # the action a page shows first and most prominently
    # Beyond state and actor: whether the case is ready for it (e.g. a decision only at the last
    # review step). Offered only when it says yes; the effect still refuses with the reason.
    available: Callable[[Case], bool] | None = None

    @property
    def notify(self) -> bool:
        return self.sms is not None


REGISTRY: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Add an action. Registering a name twice is a programming error."""
    if action.name in REGISTRY:
        raise ValueError(f"action {action.name!r} is registered twice")
    REGISTRY[action.name] = action
    return action


def get(name: str) -> Action | None:
    return REGISTRY.get(name)


def allowed_in(state: str) -> list[str]:
    """The actions that may start from ``state`` (who may do them is checked separately)."""
    return [a for a, t in REGISTRY.items() if state in t.sources]


def names() -> list[str]:
    return list(REGISTRY)


# Events that are not actions (recorded by the mover's helpers and the worker).
EVENTS: dict[str, Promise] = {
    "visit": _("Trip to the office recorded"),
    "light": _("Status light changed"),
    "rule_violation": _("Rule violation recorded"),
    "personal_data.view": _("Personal data viewed"),
    "material.upload": _("Material uploaded"),
    "application.create": _("Application started"),
    "document.print": _("Notice printed"),
}


def event_label(action: str) -> str:
    a = REGISTRY.get(action)
    if a is not None:
        return str(a.event)
    return str(EVENTS.get(action, _("Other event")))


# What the applicant is told comes next, per state.
NEXT_STEP = {
    State.DRAFT: _("Finish the form and submit it."),
    State.SUBMITTED: _("The department checks your materials and decides whether to accept the application."),
    State.AWAITING_SUPPLEMENT: _("Supplement the materials named in the one-time notice."),
    State.NOT_ACCEPTED: _("See the reasons; you may apply again."),
    State.IN_REVIEW: _("The department reviews your application."),
    State.SUSPENDED: _("A special procedure is under way; the clock is paused."),
    State.APPROVED: _("The result is being prepared."),
    State.DENIED: _("See the reasons and your remedies."),
    State.RESULT_READY: _("Pick up the result or wait for it by post."),
    State.DELIVERED: _("Done."),
    State.CLOSED: _("Done."),
    State.WITHDRAWN: _("You withdrew this application."),
}
