"""Retrying clients against a real server whose workers are killed: every submission a client
made, retried with the same Idempotency-Key after a dropped connection, ends as exactly one
submitted application with its own case number. The small in-suite version of
``bench/faults.py``: gunicorn (two processes) on a PostgreSQL database of its own, real
concurrent connections, the same create sent twice at the same moment, and ``kill -9`` of a
worker in the middle."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PDF
from .live import ROOT, LiveServer, _free_port

pytestmark = [pytest.mark.postgresql(reason="kills a gunicorn worker while concurrent clients write"),
              pytest.mark.xdist_group("live_server")]

CLIENTS = 4
EACH = 4


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, subprocess.Popen[bytes], str]]:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    info = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}
    name = f"wt_faults_retry_{os.getpid()}"
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    user = info["user"] + (f":{info['password']}" if info["password"] else "")
    url = f"postgres://{user}@{info['host']}:{info['port']}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "ONETRIP_VAR_DIR": str(tmp_path / "var"),
           "MEDIA_ROOT": str(tmp_path / "media"), "SECRET_KEY": "fault-retry-key-" + "x" * 40,
           "STATICFILES_BACKEND": "plain", "SMS_BACKEND": "memory", "EMAIL_BACKEND": "memory",
           "LOG_LEVEL": "ERROR", "DEBUG": "0", "DATABASE_CONN_MAX_AGE": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = None
    try:
        setup = subprocess.run([sys.executable, "-m", "tests.live", "setup", str(CLIENTS), "0"],  # noqa: S603
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert setup.returncode == 0, setup.stderr
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        port = _free_port()
        log = tmp_path / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--threads", "4", "--timeout", "60", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        live = LiveServer(url=f"http://127.0.0.1:{port}", log=log, data=data)
        for _ in range(300):
            try:
                if live.request("GET", "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield live, proc, url
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Dropped(Exception):
    pass


def call(port: int, method: str, path: str, token: str, body: bytes = b"",
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"Authorization": f"Bearer {token}", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise Dropped(repr(exc)) from None
    finally:
        conn.close()
    if response.status >= 500:
        raise Dropped(f"HTTP {response.status}")
    return response.status, json.loads(data) if data else None


def multipart(name: str) -> tuple[bytes, str]:
    b = uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n--{b}\r\n"
            f"Content-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def test_retried_submissions_end_as_exactly_one_application_each_while_a_worker_is_killed(server: Any) -> None:
    import psycopg

    live, master, url = server
    port = int(live.url.rsplit(":", 1)[1])
    item = live.data["item"]
    tokens = [live.token(p["username"]) for p in live.data["citizens"]]
    acked: dict[str, list[str]] = {}
    retries: list[str] = []
    same_id: list[bool] = []
    lock = threading.Lock()
    half = threading.Barrier(CLIENTS + 1)

    def create(token: str, key: str) -> tuple[int, Any]:
        return call(port, "POST", "/api/v1/applications", token, json.dumps({"item": item}).encode(),
                    {"Content-Type": "application/json", "Idempotency-Key": key})

    def once(token: str, key: str) -> list[str]:
        # The same create twice at the same moment (a double tap, or a retry racing its original).
        pair: list[Any] = [None, None]
        start = threading.Barrier(2)

        def racer(i: int) -> None:
            start.wait()
            try:
                pair[i] = create(token, key)
            except Dropped as exc:
                pair[i] = exc

        racers = [threading.Thread(target=racer, args=(i,)) for i in (0, 1)]
        for t in racers:
            t.start()
        for t in racers:
            t.join()
        answered = [p for p in pair if not isinstance(p, Dropped)]
        if not answered:
            raise Dropped("both creates dropped")
        if len(answered) == 2:
            with lock:
                same_id.append(answered[0][1]["id"] == answered[1][1]["id"]
                               and sorted(p[0] for p in answered) in ([200, 201], [200, 200]))
        app = answered[0][1]
        for name in app["missing"] if app["state"] == "draft" else []:
            body, ctype = multipart(name)
            status, out = call(port, "POST", f"/api/v1/applications/{app['id']}/materials", token, body,
                               {"Content-Type": ctype})
            assert status == 201, out
        status, out = call(port, "POST", f"/api/v1/applications/{app['id']}/submit", token)
        assert status == 200, out
        return [c["number"] for c in out["cases"]]

    failures: list[BaseException] = []

    def client(c: int) -> None:
        try:
            submit_all(c)
        except BaseException as exc:  # noqa: BLE001 - reported below; the barrier must not wait for it
            failures.append(exc)
            half.abort()

    def submit_all(c: int) -> None:
        for n in range(EACH):
            if n == EACH // 2:
                half.wait()  # every client halfway: the worker is killed now
            key = f"retry-{c}-{n}-{uuid.uuid4().hex[:6]}"
            for _attempt in range(30):
                try:
                    numbers = once(tokens[c], key)
                except Dropped as exc:
                    with lock:
                        retries.append(str(exc))
                    time.sleep(0.2)
                    continue
                with lock:
                    acked[key] = numbers
                break

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        half.wait(timeout=120)
    except threading.BrokenBarrierError:
        pytest.fail(f"a client failed before halfway: {failures!r}; {live.log_tail()}")
    time.sleep(0.3)  # requests in flight
    workers = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True,  # noqa: S603, S607
                             check=False).stdout.split()
    assert len(workers) == 2
    os.kill(int(workers[0]), signal.SIGKILL)
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures

    assert len(acked) == CLIENTS * EACH, (len(acked), retries, live.log_tail())
    assert same_id and all(same_id)
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT a.idempotency_key, a.submitted_at IS NOT NULL, c.number FROM cases_application a "
            "JOIN cases_case c ON c.application_id = a.id WHERE a.idempotency_key LIKE 'retry-%%'").fetchall()
    per_key: dict[str, list[Any]] = {}
    for key, submitted, number in rows:
        per_key.setdefault(key, []).append((submitted, number))
    assert set(per_key) == set(acked)  # none lost, none unexplained
    assert all(len(v) == 1 for v in per_key.values())  # none duplicated
    assert all(v[0][0] and [v[0][1]] == acked[k] for k, v in per_key.items())  # submitted, the number answered
    numbers = [v[0][1] for v in per_key.values()]
    assert len(set(numbers)) == len(numbers)
