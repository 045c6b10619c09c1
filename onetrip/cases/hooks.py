"""Extension points of the case lifecycle that the apps above ``cases`` (floor 4: registries,
payments, delivery, licences…) fill in their ``AppConfig.ready``, so that cases never imports them
(as the action registry and the job registry do).

**Named hook points** — ``register(point, func)``; cases calls ``run(point, **kwargs)``, which calls
every function of the point in registration order (with nothing registered, nothing happens):

========================  =====================================================================
``company_applicant``     ``fn(*, actor, company) -> None`` — a company representative is about to
                          apply for ``company``; raise ``rules.Refused`` to refuse
                          (``rules.applicant_identity`` calls it after the account's own check).
``submitted``             ``fn(*, actor, application, cases) -> None`` — inside the submission's
                          transaction, after the cases (those that were drafts: a repeated
                          submission calls nothing) moved to submitted (once-only: registries
                          record the materials they supply). An exception rolls the submission back.
``case_view``             ``fn(*, case, user, view) -> None`` — may add to the dict the case page
                          and the API show (``selectors.case_view``): extra ``panels`` (each a
                          dict with a ``template``) or better sentences on material lines.
``apply_initial``         ``fn(*, actor) -> dict[str, str]`` — initial values of the application
                          form (prefill); the first value given for a field wins.
``timeline_details``      ``fn(*, action, summary, for_staff) -> list[str]`` — sentences for the
                          facts of a trail entry an app wrote on a case (its label comes from
                          ``actions.register_event``).
``seal_document``         ``fn(*, case, pdf, reason) -> bytes`` — signs a printed document of a
                          kind in ``selectors.SEALED_KINDS`` (a decision) with the department's
                          e-seal; the first function registered is used. With none registered the
                          document is printed unsealed, without a drawn seal.
========================  =====================================================================

**Blockers, followers and panels** — for the moves of a case and the case pages:

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
  the staff workbench (``staff``), the public progress page (``public``, plain facts only, as
  the answer is cached) or the application form before submitting (``apply``: its context
  function gets the draft ``Application`` instead of a case): ``{% case_panels "applicant" %}``
  renders them in position order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onetrip.accounts.models import User
    from onetrip.cases.models import Case

# --- named hook points ---------------------------------------------------------------------

POINTS = ("company_applicant", "submitted", "case_view", "apply_initial", "timeline_details", "seal_document")

_hooks: dict[str, list[Callable[..., Any]]] = {name: [] for name in POINTS}


def register(point: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``func`` to a hook point (once: registering the same function again changes nothing)."""
    if point not in _hooks:
        raise ValueError(f"unknown hook point {point!r}; known: {', '.join(POINTS)}")
    if func not in _hooks[point]:
        _hooks[point].append(func)
    return func


def unregister(point: str, func: Callable[..., Any]) -> None:
    """Take a function off a hook point (tests that need cases without an app's hook)."""
    if func in _hooks.get(point, []):
        _hooks[point].remove(func)


def functions(point: str) -> list[Callable[..., Any]]:
    return list(_hooks[point])


def run(point: str, **kwargs: Any) -> list[Any]:
    """Call every function of the hook point with these keyword arguments; their answers in order."""
    return [func(**kwargs) for func in _hooks[point]]


# --- blockers, followers, panels ----------------------------------------------------------------

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
    audiences: frozenset[str]  # applicant | staff | public | apply
    context: Callable[[Any, Any, str], Mapping[str, Any] | None]  # (case, or the application for apply)
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


def panels_for(obj: Any, user: Any, audience: str) -> list[tuple[Panel, Mapping[str, Any]]]:
    """The panels of ``audience`` with their contexts, for a case (or an application, for ``apply``)."""
    out = []
    for p in PANELS:
        if audience in p.audiences:
            ctx = p.context(obj, user, audience)
            if ctx is not None:
                out.append((p, ctx))
    return out


def public_facts(case: Case) -> list[dict[str, Any]]:
    """The public progress page's panels as plain facts (cacheable, no templates)."""
    return [{"title": str(ctx.get("title", "")), "rows": [(str(k), str(v)) for k, v in ctx.get("rows", [])]}
            for _p, ctx in panels_for(case, None, "public")]
