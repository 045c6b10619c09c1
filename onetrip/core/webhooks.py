"""Signed notifications from outside (a payment provider's callback, a carrier's tracking
webhook): the body's HMAC-SHA256 in the ``X-OneTrip-Signature`` header, ``sha256=<hex>``, with a
secret per sender (configured, or derived from SECRET_KEY)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

SIGNATURE_HEADER = "X-OneTrip-Signature"


def secret(configured: str, purpose: str) -> bytes:
    """The configured secret, or one derived from SECRET_KEY for ``purpose``."""
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


def sign(key: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signed(key: bytes, body: bytes, given: str | None) -> bool:
    """Whether ``given`` is the body's signature (compared in constant time)."""
    return hmac.compare_digest((given or "").encode(), sign(key, body).encode())
