"""Extension points of a case for the apps above ``cases`` (payments, delivery, licences…), filled
in their ``AppConfig.ready``. Cases never imports those apps; it asks these registries.

- **Blockers** (:func:`register_blocker`): "the case waits for X where the law says so". Before
  an action's effect runs, the mover asks every blocker registered for that action; the first
  that answers with a sentence refuses the action (``Refused``, code ``blocked``) and nothing is
  written. ``can_act`` asks them too, so a blocked action is not offered. Example: payments
  blocks ``issue_result`` while a bill the law makes the result wait for is unpaid.
- **Followers** (:func:`register_follower`): run inside the mover's transaction after an
  action's effect and the new state are set, before the case is saved and the trail entry
  appended; they may write their own rows (a bill raised on acceptance, a shipment created when
  the result is ready) and refuse (then the whole action is rolled back). They get
  ``(case, actor, action, data, summary)``; what they add to ``summary`` goes on the trail entry.
- **Panels** (:func:`register_panel`): a section an app adds to the case page (``applicant``),
  the staff workbench (``staff``) or the public progress page (``public``, plain facts only, as
  the answer is cached): ``{% case_panels "applicant" %}`` renders them in position order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onetrip.accounts.models import User
    from onetrip.cases.models import Case

Blocker = Callable[["Case"], "str | None"]  # a sentence saying what the case waits for, or None
Follower = Callable[["Case", "User | None", str, dict[str, Any], dict[str, Any]], None]


@dataclass(frozen=True)
class _Blocker:
    name: str
    actions: frozenset[str]
    check: Blocker


@dataclass(frozen=True)
class _Follower:
    name: str
    actions: frozenset[str]
    run: Follower


@dataclass(frozen=True)
class Panel:
    """A section of a case page. ``context(case, user, audience)`` returns the template's context,
    or None to show nothing; for ``public`` it returns a dict of plain facts
    (``{"title": str, "rows": [(label, value), …]}``) as the public answer is cached."""

    name: str
    audiences: frozenset[str]  # applicant | staff | public
    context: Callable[[Case, Any, str], Mapping[str, Any] | None]
    template: str = ""  # for applicant/staff
    position: int = 100


BLOCKERS: list[_Blocker] = []
FOLLOWERS: list[_Follower] = []
PANELS: list[Panel] = []


def _unique(name: str, registry: list[Any]) -> None:
    if any(r.name == name for r in registry):
        raise ValueError(f"{name!r} is registered twice")


def register_blocker(name: str, actions: set[str] | frozenset[str], check: Blocker) -> None:
    _unique(name, BLOCKERS)
    BLOCKERS.append(_Blocker(name, frozenset(actions), check))


def register_follower(name: str, actions: set[str] | frozenset[str], run: Follower) -> None:
    _unique(name, FOLLOWERS)
    FOLLOWERS.append(_Follower(name, frozenset(actions), run))


def register_panel(panel: Panel) -> None:
    _unique(panel.name, PANELS)
    PANELS.append(panel)
    PANELS.sort(key=lambda p: p.position)


def blocking(case: Case, action: str) -> str | None:
    """What keeps ``action`` from happening to ``case`` now (the first blocker's sentence), or None."""
    for b in BLOCKERS:
        if action in b.actions:
            reason = b.check(case)
            if reason:
                return reason
    return None


def follow(case: Case, actor: User | None, action: str, data: dict[str, Any], summary: dict[str, Any]) -> None:
    for f in FOLLOWERS:
        if action in f.actions:
            f.run(case, actor, action, data, summary)


def panels_for(case: Case, user: Any, audience: str) -> list[tuple[Panel, Mapping[str, Any]]]:
    out = []
    for p in PANELS:
        if audience in p.audiences:
            ctx = p.context(case, user, audience)
            if ctx is not None:
                out.append((p, ctx))
    return out


def public_facts(case: Case) -> list[dict[str, Any]]:
    """The public progress page's panels as plain facts (cacheable, no templates)."""
    return [{"title": str(ctx.get("title", "")), "rows": [(str(k), str(v)) for k, v in ctx.get("rows", [])]}
            for _p, ctx in panels_for(case, None, "public")]
