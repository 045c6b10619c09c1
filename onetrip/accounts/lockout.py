"""Failed log-ins: shut out one address, slow down everyone else.

Two rules, so that nobody can lock a citizen out of their own account just by knowing the
mobile number it logs in with:

1. **Account and address together** (django-axes, ``AXES_LOCKOUT_PARAMETERS``): after
   ``LOGIN_FAILURE_LIMIT`` failures for one account from one address, that address may not
   try that account for ``LOGIN_LOCKOUT_MINUTES``. Other addresses, the owner's phone among
   them, are not affected.
2. **The account as a whole slows down** (``SlowdownBackend`` below): after
   ``LOGIN_SLOWDOWN_AFTER`` failures from any addresses, each further attempt must wait
   ``5 s × 2^(failures − LOGIN_SLOWDOWN_AFTER)`` after the last failure, at most
   ``LOGIN_SLOWDOWN_MAX_SECONDS``. The owner is never shut out for longer than that, while
   guessing from many addresses gets a few tries an hour. An attempt refused for waiting is
   not counted (so waiting cannot be made longer than the cap, and never turns into rule 1).
   The count is forgotten a day after the last failure, and cleared when the owner unlocks
   the account or resets the password with a code sent to its mobile.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import LoginFailures, User

FIRST_WAIT_SECONDS = 5
FORGET_AFTER = dt.timedelta(days=1)


def _failures_of(username: str) -> LoginFailures | None:
    return LoginFailures.objects.filter(user__username=username).first()


def wait_seconds(username: str, *, now: dt.datetime | None = None) -> int:
    """How long this account must wait before its password may be tried again (0: now)."""
    row = _failures_of(username)
    now = now or timezone.now()
    if row is None or now - row.last_at > FORGET_AFTER:
        return 0
    beyond = row.count - settings.LOGIN_SLOWDOWN_AFTER
    if beyond < 0:
        return 0
    delay = min(FIRST_WAIT_SECONDS * 2 ** min(beyond, 30), settings.LOGIN_SLOWDOWN_MAX_SECONDS)
    remaining = (row.last_at + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def record_failure(username: str) -> None:
    """Count a wrong password for an existing account (unknown names are not tracked)."""
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if user_id is None:
        return
    now = timezone.now()
    with transaction.atomic():
        row, created = LoginFailures.objects.select_for_update().get_or_create(
            user_id=user_id, defaults={"count": 1, "last_at": now})
        if not created:
            row.count = 1 if now - row.last_at > FORGET_AFTER else row.count + 1
            row.last_at = now
            row.save(update_fields=["count", "last_at"])


def clear_failures(user: User) -> None:
    """Forget the account's failures everywhere: the account-wide count and every address's
    lock-out. For the owner, after proving they hold the account's mobile."""
    from axes.utils import reset

    LoginFailures.objects.filter(user=user).delete()
    reset(username=user.username)


class SlowdownBackend(ModelBackend):
    """Checks the password like Django's ``ModelBackend``, after the account's wait is over,
    and counts a wrong one. Listed after axes' backend, which refuses locked addresses first;
    a refusal here is marked as a lock-out so that axes neither counts it nor lets it through."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if request is None or username is None or password is None:
            return None
        wait = wait_seconds(username)
        if wait:
            request.onetrip_wait_seconds = wait  # type: ignore[attr-defined]
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username)
            raise PermissionDenied  # do not let a later backend check the same password again
        return user


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any,
                     **kwargs: Any) -> HttpResponse:
    """What a refused log-in gets: JSON for the API, a page for people; 429 with Retry-After."""
    wait = getattr(request, "onetrip_wait_seconds", None)
    retry_after = wait or settings.LOGIN_LOCKOUT_MINUTES * 60
    if wait:
        detail = _("Too many failed log-ins for this account: wait %(seconds)s seconds and try again.") % {
            "seconds": wait}
    else:
        detail = _("Too many failed attempts from this address: this account is locked here for %(minutes)s "
                   "minutes. Its owner can unlock it now with a code sent to its mobile.") % {
            "minutes": settings.LOGIN_LOCKOUT_MINUTES}
    if request.path.startswith("/api/"):
        result: HttpResponse = JsonResponse({"detail": detail, "retry_after": retry_after}, status=429)
    else:
        result = render(request, "accounts/locked_out.html",
                        {"wait": wait, "minutes": settings.LOGIN_LOCKOUT_MINUTES}, status=429)
    result["Retry-After"] = str(retry_after)
    return result


def axes_username(request: HttpRequest, credentials: Any = None) -> str:
    """The username axes records for a failed log-in: at most as long as a username can be (a
    longer one names no account, and would not fit the log's column on PostgreSQL)."""
    value = (credentials or {}).get("username") if isinstance(credentials, dict) else None
    if value is None:
        value = request.POST.get("username", "") if request is not None else ""
    return str(value)[:150]
