"""Who is asking, and how often: the client's address behind trusted proxies, and fixed-window
rate limits kept in the database so that every web process sees the same count."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onetrip.core.models import RateCounter


def _clean(address: str) -> str:
    address = address.strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address[:64]


def client_address(request: Any) -> str:
    """The address of the client as the outermost trusted proxy saw it.

    With ``TRUSTED_PROXIES = N`` (N proxies in front of the web process, each appending the
    address it received the request from to X-Forwarded-For), that is the N-th entry from the
    right: everything to its left was written by the client and proves nothing. With 0 it is
    the connection's own address. A request with fewer entries than N did not come through the
    proxies as configured, so nothing in its header is trusted either.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if trusted <= 0:
        return _clean(remote)
    entries = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    entries = [part for part in entries if part]
    if len(entries) < trusted:
        return _clean(remote)
    return _clean(entries[-trusted])


def hit(key: str, *, limit: int, window: dt.timedelta) -> bool:
    """Count one attempt for ``key``; return False when the limit for this window is used up."""
    now = timezone.now()
    seconds = int(window.total_seconds())
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=dt.UTC)
    key = key[:200]
    updated = RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:
            # Either another process created it for this window, or it is an old window.
            if not RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1):
                RateCounter.objects.filter(key=key).exclude(window_start=start).update(window_start=start, count=1)
    count = RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return count <= limit
