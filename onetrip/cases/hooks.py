"""Hooks: small extension points of the case lifecycle that the apps above cases (floor 4) fill,
so that cases never imports them (as the action registry and the job registry do).

Each hook point has a name, a documented signature, and a list of functions that apps register
in their ``AppConfig.ready`` (``hooks.register("company_applicant", my_check)``). Cases calls
them in registration order; with nothing registered a hook point does nothing.

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
========================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

POINTS = ("company_applicant", "submitted", "case_view", "apply_initial", "timeline_details")

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
