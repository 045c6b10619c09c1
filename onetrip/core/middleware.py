from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Pages are Chinese unless the visitor chose another language with the switch (a cookie);
    a browser's Accept-Language does not override the district's language. API clients may
    ask for a language with Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            if request.path.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """Sets the Content-Security-Policy (``CONTENT_SECURITY_POLICY``, or the one
    ``CONTENT_SECURITY_POLICY_BY_PATH`` names for a path) on every response that has none of its
    own, and refuses a request body larger than ``REQUEST_MAX_BYTES`` from its Content-Length,
    before anything reads it (CSRF checks and forms would read a 1 GB body whole)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._too_large(request) or self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            policy = settings.CONTENT_SECURITY_POLICY_BY_PATH.get(request.path, settings.CONTENT_SECURITY_POLICY)
            response.headers["Content-Security-Policy"] = policy
        return response

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length <= limit:
            return None
        from django.http import JsonResponse
        from django.template import loader
        from django.utils.translation import gettext

        message = gettext("What you sent is too large: a file may be at most %(limit)s MB.") % {
            "limit": round(settings.UPLOAD_MAX_BYTES / 1_048_576, 1)}
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=413)
        else:
            response = HttpResponse(loader.get_template("413.html").render({"message": message}), status=413)
        response["Connection"] = "close"  # the body is not read: the connection cannot be reused
        return response
