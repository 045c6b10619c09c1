"""The client's address, for rate limits."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return str(request.META["HTTP_X_FORWARDED_FOR"]).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
