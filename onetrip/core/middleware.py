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
        if str(request.META.get("SERVER_SOFTWARE", "")).startswith("gunicorn"):
            # The body is not read, so the connection cannot be reused: gunicorn closes it on this
            # header instead of reading the body through. (A hop-by-hop header is not the
            # application's to send under PEP 3333; other servers, like the development server,
            # refuse it with a 500, and close or drain the connection themselves.)
            response["Connection"] = "close"
        return response


class RefuseNulMiddleware:
    """Text with a NUL character is refused with 400 before any view sees it: no form or API
    field has a use for one, and PostgreSQL cannot store it (it would be a server error there,
    not on SQLite). Uploaded files are binary and not checked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request contains a NUL character, which no field may hold.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in k or "\x00" in v for k, values in request.GET.lists() for v in values):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type.startswith("application/json"):
                body = request.body
                return b"\x00" in body or b"\\u0000" in body.lower()
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                return any("\x00" in k or "\x00" in v for k, values in request.POST.lists() for v in values)
        return False
