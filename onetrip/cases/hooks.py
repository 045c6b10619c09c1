"""Extension points that apps above ``cases`` fill, so that cases never imports them.

- **After an action** (:func:`after_action`): a function called by the mover
  (``services.mover.transition``) once an action's effect has run and the case is saved, inside
  the same transaction and before the trail entry is written, with the case, the action's
  name, the actor and the trail summary (which it may extend: what it adds goes on the trail).
  If it raises, the whole action is rolled back. Licences use it to sign each decision and to
  queue the certificate of an approved case.
- **Case panels** (:func:`case_panel`): a function that, given a case, the viewer and whether the
  viewer is staff, returns a :class:`Panel` (a template and its context) or None. The case page
  (the staff workbench and the applicant's page) shows every panel returned, in registration
  order; the API leaves them out.

Register in your ``AppConfig.ready``; registering the same function twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onetrip.accounts.models import User
    from onetrip.cases.models import Case

AfterAction = Callable[["Case", str, "User | None", dict[str, Any]], None]


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFunc = Callable[["Case", Any, bool], "Panel | None"]

_after: list[tuple[frozenset[str] | None, AfterAction]] = []
_panels: list[PanelFunc] = []


def after_action(func: AfterAction, *, actions: Iterable[str] | None = None) -> AfterAction:
    """Call ``func(case, action, actor, summary)`` after each of ``actions`` (None: every action)."""
    names = frozenset(actions) if actions is not None else None
    if not any(f is func and n == names for n, f in _after):
        _after.append((names, func))
    return func


def run_after_action(*, case: Case, action: str, actor: User | None, summary: dict[str, Any]) -> None:
    """The mover's call: every hook registered for ``action``, in registration order."""
    for names, func in list(_after):
        if names is None or action in names:
            func(case, action, actor, summary)


def case_panel(func: PanelFunc) -> PanelFunc:
    """Show what ``func(case, viewer, staff)`` returns on the case page."""
    if func not in _panels:
        _panels.append(func)
    return func


def panels_for(case: Case, viewer: Any, staff: bool) -> list[Panel]:
    return [p for p in (func(case, viewer, staff) for func in list(_panels)) if p is not None]
