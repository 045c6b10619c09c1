from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any,
                     **kwargs: Any) -> HttpResponse:
    """What a locked-out log-in gets: JSON for the API, a page for people. 429 either way."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Too many failed attempts: this account is locked for a while.")},
                            status=429)
    return render(request, "accounts/locked_out.html", status=429)
