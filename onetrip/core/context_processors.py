from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

LARGE_TEXT_COOKIE = "large_text"


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page needs that does not depend on who is looking: the site's name and the
    large-text preference. Capabilities come from ``onetrip.accounts.context_processors``."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    }
