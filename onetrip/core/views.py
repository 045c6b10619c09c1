from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onetrip.core.context_processors import LARGE_TEXT_COOKIE


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a round trip; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "error": exc.__class__.__name__}, status=503)
    return JsonResponse({"status": "ok"})


def _back(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    return target


@require_GET
def toggle_large_text(request: HttpRequest) -> HttpResponse:
    """Large-text mode for older readers: a cookie, so it works without JavaScript. A plain link
    (a display preference, nothing to protect), so public pages carry no CSRF token and can be
    cached."""
    response = HttpResponseRedirect(_back(request))
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        response.delete_cookie(LARGE_TEXT_COOKIE)
    else:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@require_GET
def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the page language (a cookie read by ``LanguageMiddleware``)."""
    response = HttpResponseRedirect(_back(request))
    if code in {c for c, _name in settings.LANGUAGES}:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
