"""The client's address behind trusted proxies, and the database-backed rate limit."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from onetrip.core.ratelimit import client_address, hit

from .conftest import apply

ROOT = Path(__file__).resolve().parent.parent


def _request(remote: str = "10.0.0.2", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(_request("198.51.100.4", "1.2.3.4")) == "198.51.100.4"


def test_one_trusted_proxy_means_the_right_most_entry(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request(forwarded="1.2.3.4, 203.0.113.7")) == "203.0.113.7"


def test_two_trusted_proxies_mean_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(_request(forwarded="6.6.6.6,203.0.113.7 , 10.0.0.9")) == "203.0.113.7"


def test_a_request_that_bypassed_the_proxies_is_not_believed(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(_request("10.0.0.2", "203.0.113.7")) == "10.0.0.2"
    assert client_address(_request("10.0.0.2")) == "10.0.0.2"


@pytest.mark.django_db
def test_rotating_the_left_most_forwarded_entry_does_not_escape_the_lookup_limit(client, citizen, item, settings):
    settings.TRUSTED_PROXIES = 1
    settings.PROGRESS_LOOKUPS_PER_HOUR = 3
    case = apply(citizen)
    codes = [
        client.get("/api/v1/progress", {"number": case.number, "phone": "13900000000"},
                   HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7", REMOTE_ADDR="10.0.0.2").status_code
        for i in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]
    # The page counts the same way.
    page = client.post("/progress/", {"number": case.number, "secret": "13907360001"},
                      HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert page.status_code == 429
    # Another client behind the same proxy has its own allowance.
    other = client.get("/api/v1/progress", {"number": case.number, "phone": "13907360001"},
                       HTTP_X_FORWARDED_FOR="203.0.113.8", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200


@pytest.mark.django_db
def test_hit_counts_per_key_and_window(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    window = dt.timedelta(hours=1)
    assert [hit("k", limit=2, window=window) for _ in range(3)] == [True, True, False]
    assert hit("other", limit=2, window=window)
    time_machine.move_to(dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC), tick=False)
    assert hit("k", limit=2, window=window)


@pytest.mark.parametrize(("env", "message"), [
    ({"TRUSTED_PROXIES": "-1"}, "TRUSTED_PROXIES must be at least 0"),
    ({"TRUSTED_PROXIES": "two"}, "TRUSTED_PROXIES must be an integer"),
    ({"BEHIND_PROXY": "1"}, "BEHIND_PROXY was replaced by TRUSTED_PROXIES"),
])
def test_the_proxy_setting_is_read_strictly(env, message, tmp_path):
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "onetrip.settings", "ONETRIP_VAR_DIR": str(tmp_path), **env}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=environ, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and message in result.stderr


PG = "concurrent writers need separate connections that really overlap"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_concurrent_hits_from_many_connections_are_all_counted():
    """Eight connections count 25 attempts each at once: the limit lets exactly the first 150
    through, whatever the interleaving (one atomic statement per attempt)."""
    import threading

    from django.db import connection

    allowed: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def client() -> None:
        try:
            barrier.wait(10)
            mine = [hit("busy", limit=150, window=dt.timedelta(hours=1)) for _ in range(25)]
            with lock:
                allowed.extend(mine)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(allowed) == 200
    assert allowed.count(True) == 150
    from onetrip.core.models import RateCounter
    assert RateCounter.objects.get(key="busy").count == 200


@pytest.mark.django_db
@pytest.mark.postgresql(reason="UNLOGGED is a PostgreSQL table kind")
def test_rate_counters_are_not_written_to_the_wal_on_postgresql():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_ratecounter'")
        assert cursor.fetchone()[0] == "u"
