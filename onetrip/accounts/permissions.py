"""Who may see and do what: the one place where roles meet capabilities.

Every view, API endpoint and admin page asks ``can(user, Capability.X)``; the role ×
capability table below is the whole policy and is tested as a matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from onetrip.accounts.models import Role

R = TypeVar("R", bound=HttpResponseBase)


class Capability(StrEnum):
    """What a role may do outside a case. Who may act on a case (accept, advance, decide…) is
    the business of the action registry (``onetrip.cases.actions``: each action names its actors
    and the item's review steps name theirs); published guides are open to everyone."""

    VIEW_OWN_PROFILE = "view_own_profile"
    APPLY = "apply"  # apply for an item for oneself or one's company
    APPLY_AS_PROXY = "apply_as_proxy"  # apply on a citizen's behalf
    WORK_INBOX = "work_inbox"  # see the case inbox (window intake or department back office)
    VIEW_PERSONAL_DATA = "view_personal_data"  # see unmasked ID numbers (logged)
    SUPERVISE = "supervise"
    EDIT_CATALOG = "edit_catalog"  # drafts, bundles
    PUBLISH_CATALOG = "publish_catalog"
    EXCHANGE_CATALOG = "exchange_catalog"  # Excel export / import
    MANAGE_CALENDAR = "manage_calendar"  # load a year's holidays, correct single days (workcalendar)
    VIEW_DRAFTS = "view_drafts"
    ADMIN_SITE = "admin_site"  # enter /admin/
    MANAGE_PEOPLE = "manage_people"  # departments, users, roles
    VERIFY_COMPANY_REPS = "verify_company_reps"  # confirm or reject a company's self-registered representative
    HAND_OUT_RESULTS = "hand_out_results"  # the result window (综合窗口出件): hand results over, ID checked
    CALL_TICKETS = "call_tickets"  # sit at a hall window: call tickets, give walk-in tickets, check in appointments
    MANAGE_HALL = "manage_hall"  # configure the hall: areas, their items, opening hours, windows
    MANAGE_LICENCES = "manage_licences"  # the department's e-licences: suspend, revoke, renew (its own only)
    ANSWER_SUPERVISION = "answer_supervision"  # the department's cards (its head appeals) and orders (it replies)
    WORK_HOTLINE = "work_hotline"  # the 12345 desk: register calls, dispatch, decide extensions, return visits
    HANDLE_HOTLINE = "handle_hotline"  # the department's hotline tickets: acknowledge, return, extend, reply
    EDIT_KNOWLEDGE = "edit_knowledge"  # write, correct, review and retire knowledge-base articles
    APPROVE_KNOWLEDGE = "approve_knowledge"  # approve articles proposed for one's own department


_EVERYONE: set[Capability] = set()
_LOGGED_IN = _EVERYONE | {Capability.VIEW_OWN_PROFILE}
_CATALOG_ADMIN = _LOGGED_IN | {
    Capability.EDIT_CATALOG,
    Capability.PUBLISH_CATALOG,
    Capability.EXCHANGE_CATALOG,
    Capability.VIEW_DRAFTS,
    Capability.MANAGE_CALENDAR,
    Capability.MANAGE_HALL,
    Capability.ADMIN_SITE,
    Capability.EDIT_KNOWLEDGE,
}

POLICY: dict[str | None, frozenset[Capability]] = {
    None: frozenset(_EVERYONE),  # anonymous visitor
    Role.CITIZEN: frozenset(_LOGGED_IN | {Capability.APPLY}),
    Role.COMPANY_REP: frozenset(_LOGGED_IN | {Capability.APPLY}),
    Role.PROXY_AGENT: frozenset(_LOGGED_IN | {Capability.APPLY_AS_PROXY}),
    Role.WINDOW_CLERK: frozenset(
        _LOGGED_IN | {Capability.VIEW_PERSONAL_DATA, Capability.WORK_INBOX,
                      Capability.VERIFY_COMPANY_REPS, Capability.HAND_OUT_RESULTS,
                      Capability.CALL_TICKETS}
    ),
    Role.OFFICER: frozenset(
        _LOGGED_IN | {Capability.VIEW_PERSONAL_DATA, Capability.WORK_INBOX, Capability.MANAGE_LICENCES,
                      Capability.ANSWER_SUPERVISION, Capability.HANDLE_HOTLINE, Capability.APPROVE_KNOWLEDGE}
    ),
    Role.DEPARTMENT_HEAD: frozenset(
        _LOGGED_IN | {Capability.VIEW_PERSONAL_DATA, Capability.WORK_INBOX, Capability.MANAGE_LICENCES,
                      Capability.ANSWER_SUPERVISION, Capability.HANDLE_HOTLINE, Capability.APPROVE_KNOWLEDGE}
    ),
    Role.SUPERVISOR: frozenset(
        _LOGGED_IN | {Capability.SUPERVISE, Capability.VIEW_DRAFTS, Capability.VIEW_PERSONAL_DATA}
    ),
    Role.CATALOG_ADMIN: frozenset(_CATALOG_ADMIN),
    Role.SYSTEM_ADMIN: frozenset(_CATALOG_ADMIN | {Capability.MANAGE_PEOPLE, Capability.SUPERVISE}),
    # 12345 热线 operators (话务员) take calls and run the centre's side of each ticket; they see
    # callers in full (they call them back), never case files.
    Role.HOTLINE_OPERATOR: frozenset(_LOGGED_IN | {Capability.WORK_HOTLINE, Capability.EDIT_KNOWLEDGE}),
}


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return str(user.role)


def can(user: Any, capability: Capability) -> bool:
    return capability in POLICY.get(role_of(user), frozenset())


def capabilities_of(user: Any) -> frozenset[Capability]:
    return POLICY.get(role_of(user), frozenset())


def require(*capabilities: Capability) -> Callable[[Callable[..., R]], Callable[..., R | HttpResponse]]:
    """View decorator: anonymous visitors are sent to log in, others without any of the
    capabilities get 403."""

    def decorator(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
            if any(can(request.user, capability) for capability in capabilities):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        return wrapped

    return decorator
