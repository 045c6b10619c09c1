"""Who is asking, and how often: the client's address behind trusted proxies, and fixed-window
rate limits kept in the database so that every web process sees the same count."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.conf import settings
from django.db import connections, router
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
    """Count one attempt for ``key``; return False when the limit for this window is used up.

    One statement: the counter is created, incremented, or restarted for a new window, and its
    count read back. On PostgreSQL the table is UNLOGGED (no WAL, so counting costs no disk
    flush); a crash empties it, which only resets the counts."""
    now = timezone.now()
    seconds = int(window.total_seconds())
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=dt.UTC)
    connection = connections[router.db_for_write(RateCounter)]
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    window_start = RateCounter._meta.get_field("window_start").get_db_prep_save(start, connection)
    # The table and column names come from the models; the values are parameters.
    sql = (
        f'INSERT INTO {table} ("key", "window_start", "count") VALUES (%s, %s, 1) '  # noqa: S608
        f'ON CONFLICT ("key") DO UPDATE SET '
        f'"count" = CASE WHEN {table}."window_start" = EXCLUDED."window_start" THEN {table}."count" + 1 ELSE 1 END, '
        f'"window_start" = EXCLUDED."window_start" RETURNING "count"')
    with connection.cursor() as cursor:
        cursor.execute(sql, [key[:200], window_start])
        count = cursor.fetchone()[0]
    return int(count) <= limit
