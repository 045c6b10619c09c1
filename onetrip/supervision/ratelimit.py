"""Fixed-window rate limiting kept in the database, so every web process sees the same count."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onetrip.supervision.models import RateCounter


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
