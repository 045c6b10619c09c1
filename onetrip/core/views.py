from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
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


# --- Error pages ------------------------------------------------------------------------------
# Chinese-first like every page (the language middleware has already chosen the language),
# each with a way back. The 500 page is rendered from a plain template without the request
# or any context processor, so it shows even when the database is down.


def _safe_referer(request: HttpRequest) -> str:
    target = request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception.args[0]) if exception and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "403.html", {"message": message, "back_url": _safe_referer(request),
                                        "next_path": request.get_full_path()}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", {"back_url": _safe_referer(request)}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page carries its style inline (it must show when static files are broken), so it
    gets its own Content-Security-Policy that allows exactly that style block, by its hash."""
    html = loader.get_template("500.html").render()
    response = HttpResponseServerError(html)
    styles = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL))
    none = "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {styles or none}; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return response


# --- The trail's published checkpoints ----------------------------------------------------------
# Public and read-only, so that anyone (an auditor, a journalist, a citizen) can keep copies the
# database administrator cannot reach and later run ``verify_trail --checkpoints`` against them.

TRAIL_DIGEST_CHECKPOINTS = 500  # the page shows the newest checkpoints, grouped by day


@require_GET
def trail_checkpoints(request: HttpRequest) -> HttpResponse:
    """全程留痕公示: each day's checkpoints with their roots, hashes and signatures."""
    from onetrip.core import trail
    from onetrip.core.models import TrailCheckpoint

    newest = list(TrailCheckpoint.objects.order_by("-number")[:TRAIL_DIGEST_CHECKPOINTS])
    days: dict[Any, list[Any]] = {}
    for cp in newest:
        days.setdefault(timezone.localdate(cp.sealed_at), []).append(cp)
    digest = [{"day": day, "checkpoints": cps, "entries": sum(cp.count for cp in cps), "closing": cps[0]}
              for day, cps in days.items()]
    public_key = trail.published_public_key()
    return render(request, "core/trail_checkpoints.html", {
        "days": digest, "key_id": trail.key_id(public_key) if public_key else "",
        "public_key_pem": trail.public_key_pem(public_key) if public_key else ""})


@require_GET
def trail_checkpoints_file(request: HttpRequest) -> StreamingHttpResponse:
    """Every checkpoint (from ``?since=N``) as JSON lines, each with the entries it seals."""
    from onetrip.core import trail

    try:
        since = max(1, int(request.GET.get("since", "1")))
    except ValueError:
        since = 1
    response = StreamingHttpResponse(trail.published_lines(since), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trail-checkpoints.jsonl"'
    return response


@require_GET
def trail_public_key(request: HttpRequest) -> HttpResponse:
    from onetrip.core import trail

    public_key = trail.published_public_key()
    if public_key is None:
        raise Http404("no trail signing key on this server")
    response = HttpResponse(trail.public_key_pem(public_key), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="trail-public-key.pem"'
    return response
