from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import security
from ninja.errors import HttpError
from ninja.security import HttpBearer

from onetrip.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token's SHA-256 is looked up."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


CSRF_FAILED = "CSRF check failed: a logged-in browser session must send the csrftoken cookie's value in the " \
              "X-CSRFToken header (or use a bearer token instead)."


class SessionAuth(security.SessionAuth):
    """The browser's Django session. django-ninja's own class checks CSRF before it even looks at
    the session, so a POST with no (or a wrong) bearer token and no session got 403 "CSRF check
    failed" instead of 401. Here CSRF is checked only when a logged-in session would be used: no
    session (or an anonymous one) is simply not this method (→ 401 when no other method applies);
    a logged-in session without the CSRF token is 403."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError as exc:
            if exc.status_code == 403:
                raise HttpError(403, CSRF_FAILED) from None
            raise


token_or_session = [TokenAuth(), SessionAuth()]
