from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onetrip.accounts.permissions import capabilities_of


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """``caps``: what the person looking at the page may do, for menus and links."""
    return {"caps": {str(c) for c in capabilities_of(getattr(request, "user", None))}}
