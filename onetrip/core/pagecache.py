"""Whole-page caching of public pages for visitors who are not logged in.

Published guides never change (a new version is a new row), so a page can be cached under a
key that names what it shows: the catalogue's latest publication, the language, the
large-text preference and the host. Any publication changes the key everywhere at once, so a
per-process cache is never stale; visitors with a session (logged in) always get a fresh page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from onetrip.core.context_processors import LARGE_TEXT_COOKIE

View = Callable[..., HttpResponse]


def cached_for_visitors(stamp: Callable[[], Any], timeout: int = 3600) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES or request.GET:
                return view(request, *args, **kwargs)
            key = ":".join(
                str(part)
                for part in (
                    "page", view.__name__, *args, *sorted(kwargs.values()), stamp(), translation.get_language(),
                    request.COOKIES.get(LARGE_TEXT_COOKIE) == "1", request.get_host(), request.is_secure(),
                )
            )
            hit = cache.get(key)
            if hit is not None:
                content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            cacheable = (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not getattr(response, "streaming", False)
            )
            if cacheable:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                cache.set(key, (response.content, response["Content-Type"]), timeout)
            return response

        return wrapped

    return decorator
