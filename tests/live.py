"""A real OneTrip server for concurrency tests: gunicorn with several processes and threads, on
a database of its own (a SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL), so that concurrent requests use really separate connections. The in-memory
SQLite test database cannot show a lock conflict: every connection shares one cache.

``python -m tests.live setup`` (run by the fixture with the server's environment) migrates
that database and loads the people, item and cases a test asks for, and prints them as JSON.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Correct-Horse-2026"


@dataclass
class Response:
    status: int
    body: Any


@dataclass
class LiveServer:
    url: str
    log: Path
    data: dict[str, Any] = field(default_factory=dict)

    def request(self, method: str, path: str, body: Any = None, token: str = "", timeout: float = 60) -> Response:
        headers = {"Accept": "application/json"}
        raw = None
        if body is not None:
            raw = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + path, data=raw, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
                status, content = r.status, r.read()
        except urllib.error.HTTPError as exc:
            status, content = exc.code, exc.read()
        try:
            parsed: Any = json.loads(content) if content else None
        except ValueError:
            parsed = content.decode(errors="replace")[:500]
        return Response(status, parsed)

    def token(self, username: str) -> str:
        r = self.request("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
        assert r.status == 201, (r.status, r.body)
        return str(r.body["token"])

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(settings_db: dict[str, Any], tmp: Path) -> tuple[str, Any]:
    """A URL for a database of the server's own, same engine as the suite's, and its cleanup."""
    if settings_db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{tmp / 'live.sqlite3'}", lambda: None
    if settings_db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError(f"no live-server database for {settings_db['ENGINE']}")
    import psycopg

    name = f"onetrip_live_{os.getpid()}_{int(time.time())}"
    conninfo = {"host": settings_db.get("HOST") or "127.0.0.1", "port": settings_db.get("PORT") or 5432,
                "user": settings_db.get("USER") or "postgres", "password": settings_db.get("PASSWORD") or None,
                "dbname": "postgres"}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    user = conninfo["user"] + (f":{conninfo['password']}" if conninfo["password"] else "")
    return f"postgres://{user}@{conninfo['host']}:{conninfo['port']}/{name}", drop


@contextmanager
def live_server(settings_db: dict[str, Any], tmp: Path, *, citizens: int, submitted: int,
                processes: int = 2, threads: int = 8) -> Iterator[LiveServer]:
    url, cleanup = _database_url(settings_db, tmp)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ONETRIP_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "SECRET_KEY": "live-server-test-key-" + "x" * 40,
        "STATICFILES_BACKEND": "plain",
        "SMS_BACKEND": "file",
        "EMAIL_BACKEND": "memory",
        "LOG_LEVEL": "ERROR",
        "DEBUG": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = None
    log = tmp / "server.log"
    try:
        setup = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.live", "setup", str(citizens), str(submitted)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        if setup.returncode != 0:
            raise RuntimeError(f"live-server set-up failed:\n{setup.stdout}\n{setup.stderr}")
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        port = _free_port()
        with log.open("w") as out:
            proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(processes), "--threads", str(threads), "--timeout", "120",
                 "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        server = LiveServer(url=f"http://127.0.0.1:{port}", log=log, data=data)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log_tail()}")
            try:
                if server.request("GET", "/healthz", timeout=5).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        cleanup()


def _setup(citizens: int, submitted: int) -> dict[str, Any]:
    """Runs in the server's environment: migrate, then people, one item and cases."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from onetrip.accounts import services as accounts
    from onetrip.accounts.models import Division, Role
    from onetrip.demo.people import resident_id
    from tests.conftest import apply, make_department, make_item, make_user

    district = Division.objects.get_or_create(code="430703", defaults={"name": "常德市鼎城区", "level": "district"})[0]
    department = make_department(district)
    admin = make_user(Role.CATALOG_ADMIN)
    code = make_item(admin, department).item.code
    clerks = [make_user(Role.WINDOW_CLERK, department).username for _ in range(2)]

    people = []
    for n in range(citizens):
        person = accounts.register_citizen(real_name=f"并发{n}", mobile=f"139073{n:05d}",
                                           resident_id=resident_id(f"43070319900101{n:03d}"), password=PASSWORD)
        draft = apply(person, item_code=code, submit=False)  # materials uploaded, not submitted
        people.append({"username": person.username, "application": draft.application_id})

    applicant = accounts.register_citizen(real_name="并发申请人", mobile="13907399999",
                                          resident_id=resident_id("43070319910101123"), password=PASSWORD)
    cases = [apply(applicant, item_code=code).number for _ in range(submitted)]
    return {"item": code, "clerks": clerks, "citizens": people, "submitted_cases": cases}


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        print(json.dumps(_setup(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        raise SystemExit("usage: python -m tests.live setup CITIZENS SUBMITTED_CASES")
