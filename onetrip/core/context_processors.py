from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from onetrip.accounts.permissions import capabilities_of

LARGE_TEXT_COOKIE = "large_text"


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "caps": {str(c) for c in capabilities_of(getattr(request, "user", None))},
    }
