#!/usr/bin/env python
"""Fault harness: case submissions over the API while web workers and job workers are killed.

    .venv/bin/python bench/faults.py [--submissions 10000] [--clients 16] [--web-workers 2]
                                     [--threads 4] [--deem 600] [--keep]

1. Recreates the PostgreSQL database ``wt_faults_bench`` (127.0.0.1:5432, user postgres),
   migrates it, creates one published item with one required material, ``--clients`` citizens
   with API tokens, and ``--deem`` cases submitted 20 days ago (set up under time-machine in
   this process only: the servers and workers run on the real clock) that are due for deemed
   acceptance (视为受理). ``ACCEPTANCE_WINDOW_WORKDAYS=1`` for every process.
2. Starts two gunicorn masters on two ports (``--web-workers`` processes × ``--threads`` each),
   sharing the database, and two job workers (``manage.py worker --interval 1``).
3. ``--clients`` threads run ``--submissions`` submissions between them, alternating between the
   two servers: POST /api/v1/applications with an Idempotency-Key → upload each missing
   material → submit. On a timeout, a connection error or a 5xx the client starts the
   submission again with the same key (create answers the same application and says what is
   still missing; submit is idempotent).
4. Faults: ``kill -9`` one job worker as soon as it deems cases and restarts it; as the
   submissions pass 25 %, 50 % and 75 %, ``kill -9`` one or two gunicorn workers (their
   master forks new ones) and, at 50 %, the other job worker (restarted with ``--force``).
5. Stops everything and checks in the database: no submission lost (every key a client sent
   has exactly one application, and every acknowledged one is submitted), none duplicated, no
   half-written case (each submitted case has a number, a received date and its case.submit
   trail entry; each application its application.create entry; each material its upload
   entry), deemed acceptance at most once per case, case numbers unique across both servers,
   and ``manage.py verify_trail``. Prints the figures; exits 1 if an invariant is broken.

Cases submitted during the run cannot be deemed within it (their acceptance window ends on a
later working day); only the seeded cases are. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "faults"
DB_NAME = "wt_faults_bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def _real_pdf() -> bytes:
    """A real one-page PDF: uploads are opened with pypdf, not just sniffed."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _real_pdf()
ITEM = "430703-FAULT-001"
MATERIAL = "故障演练申请书"
ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "0",
    "ONETRIP_VAR_DIR": str(OUT / "var"),
    "MEDIA_ROOT": str(OUT / "media"),
    "SECRET_KEY": "fault-harness-key-" + "x" * 40,
    "STATICFILES_BACKEND": "plain",
    "SMS_BACKEND": "memory",
    "EMAIL_BACKEND": "memory",
    "LOG_LEVEL": "ERROR",
    "DEBUG": "0",
    "ACCEPTANCE_WINDOW_WORKDAYS": "1",
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- set-up ---------------------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django() -> None:
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()


def build(clients: int, deem: int) -> list[str]:
    """Migrate, one item, the citizens and their tokens, and cases due for deemed acceptance."""
    import io

    import time_machine
    from django.core.management import call_command
    from django.test.utils import override_settings

    from onetrip.accounts import services as accounts
    from onetrip.accounts.models import Division, Role
    from onetrip.cases import services as cases
    from onetrip.catalog import services as catalog
    from onetrip.demo.people import resident_id, uscc

    call_command("migrate", verbosity=0)
    district = Division.objects.get_or_create(code="430703", defaults={"name": "常德市鼎城区", "level": "district"})[0]
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        department = accounts.create_department(actor=None, code="FAULT", name="常德市鼎城区故障演练局",
                                                division=district, uscc=uscc("11430703MB0000001"))
        admin = accounts.create_user(actor=None, username="fault-admin", password=uuid.uuid4().hex + "-Aa1",
                                     role=Role.CATALOG_ADMIN, real_name="演练管理员", department=department)
        version = catalog.create_item(
            actor=admin, code=ITEM, materials=[{"name": MATERIAL, "form": "original", "copies": 1}],
            guide={"name": "故障演练登记", "name_en": "Fault drill registration", "kind": "licensing",
                   "department": department, "legal_basis": "演练", "acceptance_conditions": "演练",
                   "legal_limit_days": 15, "promised_limit_days": 3, "max_visits": 1, "online": True,
                   "postable": True},
            steps=[{"name": "受理", "actor": "综合窗口"}, {"name": "审查", "actor": "承办科室"}])
        catalog.publish_for_seeding(actor=admin, versions=[version], name="演练批次")
        tokens, people = [], []
        for i in range(clients + 1):
            born = dt.date(1990, 1, 1) + dt.timedelta(days=i * 7)
            user = accounts.register_citizen(real_name=f"演练{i:03d}", mobile=f"1390731{i:04d}",
                                             resident_id=resident_id(f"430703{born:%Y%m%d}{500 + i:03d}"),
                                             password=uuid.uuid4().hex + "-Aa1")
            people.append(user)
            tokens.append(accounts.issue_api_token(user=user, name="fault harness"))
    # Cases received 20 days ago (a weekday), never accepted: due for deemed acceptance.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    while past.weekday() >= 5:
        past -= dt.timedelta(days=1)
    with time_machine.travel(past, tick=True):
        for n in range(deem):
            application, _ = cases.create_application(actor=people[-1], item_code=ITEM, idempotency_key=f"deem-{n}")
            cases.upload_material(actor=people[-1], application=application, name=MATERIAL,
                                  stream=io.BytesIO(PDF), original_name="old.pdf")
            cases.submit_application(actor=people[-1], application=application)
    return tokens[:clients]


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_pids(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)  # noqa: S607
    return [int(p) for p in done.stdout.split()]


def proc_env() -> dict[str, str]:
    env = {**os.environ, **ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@dataclass
class Web:
    port: int
    proc: subprocess.Popen[bytes]


def start_web(workers: int, threads: int, n: int) -> Web:
    port = free_port()
    out = (OUT / f"gunicorn-{n}.log").open("w")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=proc_env(), stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {n} exited; see {OUT}/gunicorn-{n}.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return Web(port, proc)
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def start_worker(n: int, *, force: bool = False) -> subprocess.Popen[bytes]:
    out = (OUT / f"worker-{n}.log").open("a")
    cmd = [sys.executable, "manage.py", "worker", "--interval", "1"] + (["--force"] if force else [])
    return subprocess.Popen(cmd, cwd=ROOT, env=proc_env(), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


# --- clients ---------------------------------------------------------------------------------------


class Retry(Exception):
    pass


@dataclass
class Tally:
    acked: dict[str, list[str]] = field(default_factory=dict)  # key -> case numbers
    retried: set[str] = field(default_factory=set)
    gave_up: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def multipart(name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(self, ports: list[int], token: str, tally: Tally, timeout: float) -> None:
        self.ports, self.token, self.tally, self.timeout = ports, token, tally, timeout
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def call(self, port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
             ) -> tuple[int, Any]:
        conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        self.conns[port] = conn
        try:
            conn.request(method, path, body=body, headers={"Authorization": f"Bearer {self.token}", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self.conns.pop(port, None)
            raise Retry(type(exc).__name__) from None
        if response.status >= 500:
            raise Retry(f"HTTP {response.status}")
        return response.status, json.loads(data) if data else None

    def submit(self, key: str, port: int) -> list[str]:
        status, app = self.call(port, "POST", "/api/v1/applications", json.dumps({"item": ITEM}).encode(),
                                {"Content-Type": "application/json", "Idempotency-Key": key})
        if status not in (200, 201):
            raise RuntimeError(f"create answered {status}: {app}")
        if app["state"] == "draft":
            for name in app["missing"]:
                body, ctype = multipart(name)
                status, out = self.call(port, "POST", f"/api/v1/applications/{app['id']}/materials", body,
                                        {"Content-Type": ctype})
                if status != 201:
                    raise RuntimeError(f"upload answered {status}: {out}")
        status, out = self.call(port, "POST", f"/api/v1/applications/{app['id']}/submit")
        if status != 200 or not all(c["number"] for c in out["cases"]):
            raise RuntimeError(f"submit answered {status}: {out}")
        return [c["number"] for c in out["cases"]]

    def run(self, keys: list[str], attempts: int) -> None:
        for i, key in enumerate(keys):
            with self.tally.lock:
                self.tally.sent.add(key)
            for attempt in range(attempts):
                port = self.ports[(i + attempt) % len(self.ports)]  # a retry may reach the other server
                try:
                    numbers = self.submit(key, port)
                except Retry as exc:
                    with self.tally.lock:
                        self.tally.retried.add(key)
                        self.tally.errors[str(exc)] += 1
                    time.sleep(0.2 + random.random() * 0.3)  # noqa: S311
                    continue
                except RuntimeError as exc:
                    with self.tally.lock:
                        self.tally.errors[str(exc)[:120]] += 1
                        self.tally.gave_up.add(key)
                    break
                with self.tally.lock:
                    self.tally.acked[key] = numbers
                break
            else:
                with self.tally.lock:
                    self.tally.gave_up.add(key)


# --- checks ------------------------------------------------------------------------------------------


def check(tally: Tally, tokens: list[str], deem: int) -> dict[str, Any]:
    from onetrip.accounts.models import ApiToken
    from onetrip.cases.models import Application, Case, CaseMaterial, State
    from onetrip.core.models import TrailEntry

    users = {t.user_id for t in ApiToken.objects.filter(name="fault harness")}
    apps = Application.objects.filter(submitted_by_id__in=users).exclude(idempotency_key__startswith="deem-")
    per_key = collections.Counter(apps.values_list("idempotency_key", flat=True))
    submitted_keys = set(apps.filter(submitted_at__isnull=False).values_list("idempotency_key", flat=True))
    lost = [k for k in tally.acked if per_key[k] == 0 or k not in submitted_keys]
    lost_retried = [k for k in tally.retried if per_key[k] == 0 and k in tally.acked]
    duplicated = [k for k, n in per_key.items() if n > 1]
    unexplained = [k for k in per_key if k not in tally.sent]

    def trail_ids(action: str) -> collections.Counter[str]:
        return collections.Counter(TrailEntry.objects.filter(action=action).values_list("object_id", flat=True))

    submit_entries = trail_ids("case.submit")
    create_entries = trail_ids("application.create")
    upload_entries = trail_ids("material.upload")
    deem_entries = trail_ids("case.deem_accept")
    not_draft = Case.objects.exclude(state=State.DRAFT)
    half = [c for c in not_draft.values("pk", "number", "received_at")
            if not c["number"] or not c["received_at"] or submit_entries[str(c["pk"])] != 1]
    no_create = [a for a in Application.objects.values_list("pk", flat=True) if create_entries[str(a)] != 1]
    materials = collections.Counter(CaseMaterial.objects.values_list("application_id", flat=True))
    upload_mismatch = [a for a, n in materials.items() if upload_entries[str(a)] != n]
    numbers = list(Case.objects.exclude(number=None).values_list("number", flat=True))
    acked_numbers = [n for ns in tally.acked.values() for n in ns]
    db_numbers = dict(Case.objects.filter(application__in=apps).values_list("application__idempotency_key", "number"))
    wrong_number = [k for k, ns in tally.acked.items() if [db_numbers.get(k)] != ns]
    media = OUT / "media" / "materials"
    stored = {p.relative_to(OUT / "media").as_posix() for p in media.rglob("*") if p.is_file()}
    orphans = stored - set(CaseMaterial.objects.values_list("file", flat=True))
    trail = subprocess.run([sys.executable, "manage.py", "verify_trail"], cwd=ROOT, env=proc_env(),  # noqa: S603
                           capture_output=True, text=True, check=False)
    return {
        "submissions sent": len(tally.sent),
        "acknowledged": len(tally.acked),
        "retried (≥1 timeout/connection error/5xx)": len(tally.retried),
        "gave up": len(tally.gave_up),
        "applications for the keys": sum(per_key.values()),
        "LOST (acknowledged, no submitted application)": len(lost) + len(lost_retried),
        "DUPLICATED (a key with 2+ applications)": len(duplicated),
        "applications with a key no client sent": len(unexplained),
        "acknowledged number differs from the database": len(wrong_number),
        "HALF-WRITTEN cases (no number/received/submit entry, or 2+)": len(half),
        "applications without exactly one application.create entry": len(no_create),
        "applications whose upload entries differ from their files": len(upload_mismatch),
        "cases submitted (all, incl. seeded)": not_draft.count(),
        "case numbers": len(numbers),
        "DUPLICATE case numbers": len(numbers) - len(set(numbers)),
        "acknowledged numbers seen twice by clients": len(acked_numbers) - len(set(acked_numbers)),
        "seeded cases due for deemed acceptance": deem,
        "cases deemed accepted (flag)": Case.objects.filter(deemed_accepted=True).count(),
        "case.deem_accept entries": sum(deem_entries.values()),
        "DEEMED TWICE (cases with 2+ deem entries)": sum(1 for n in deem_entries.values() if n > 1),
        "orphan files (stored, no row: a kill between storing and commit)": len(orphans),
        "verify_trail": (trail.stdout or trail.stderr).strip(),
        "_bad": bool(lost or lost_retried or duplicated or unexplained or wrong_number or half or no_create
                     or upload_mismatch or len(numbers) != len(set(numbers)) or trail.returncode != 0
                     or any(n > 1 for n in deem_entries.values())
                     or tally.gave_up),
    }


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per master (two masters)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--deem", type=int, default=600, help="seeded cases due for deemed acceptance")
    parser.add_argument("--timeout", type=float, default=10.0, help="client socket timeout, seconds")
    parser.add_argument("--attempts", type=int, default=20, help="tries per submission before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*(OUT / "media").rglob("*"), *OUT.glob("*.log")]:
        if old.is_file():
            old.unlink()
    t0 = time.monotonic()
    recreate_database()
    setup_django()
    tokens = build(args.clients, args.deem)
    log(f"set up in {time.monotonic() - t0:.0f}s: {args.clients} citizens, {args.deem} cases due for deeming")

    webs = [start_web(args.web_workers, args.threads, n) for n in (1, 2)]
    workers = [start_worker(1), start_worker(2)]
    log(f"two gunicorn masters on ports {webs[0].port}, {webs[1].port} ({args.web_workers} workers × "
        f"{args.threads} threads each); two job workers")
    faults: list[str] = []

    # A job worker killed while it deems cases, restarted.
    from onetrip.cases.models import Case

    deadline = time.monotonic() + 60
    while args.deem and not Case.objects.filter(deemed_accepted=True).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].wait()
    faults.append(f"job worker 1 killed -9 after {Case.objects.filter(deemed_accepted=True).count()} deemed")
    workers[0] = start_worker(1, force=True)

    tally = Tally()
    keys = [f"fault-{n:06d}-{uuid.uuid4().hex[:8]}" for n in range(args.submissions)]
    ports = [w.port for w in webs]
    threads = [threading.Thread(target=Client(ports[c % 2:] + ports[:c % 2], tokens[c], tally, args.timeout).run,
                                args=(keys[c::args.clients], args.attempts)) for c in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()

    def kill_web(web: Web, n: int) -> None:
        children = child_pids(web.proc.pid)
        for pid in children[:n]:
            os.kill(pid, signal.SIGKILL)
        faults.append(f"{min(n, len(children))} gunicorn worker(s) of port {web.port} killed -9 "
                      f"at {len(tally.acked)} acknowledged")

    def kill_worker(i: int) -> None:
        os.kill(workers[i].pid, signal.SIGKILL)
        workers[i].wait()
        faults.append(f"job worker {i + 1} killed -9 at {len(tally.acked)} acknowledged, restarted")
        workers[i] = start_worker(i + 1, force=True)

    def quarter() -> None:
        kill_web(webs[0], 1)

    def half() -> None:
        kill_web(webs[1], 2)
        kill_worker(1)

    def three_quarters() -> None:
        kill_web(webs[0], 1)
        kill_web(webs[1], 1)

    plan = [(0.25, quarter), (0.50, half), (0.75, three_quarters)]

    while any(t.is_alive() for t in threads):
        done = len(tally.acked) + len(tally.gave_up)
        while plan and done >= plan[0][0] * args.submissions:
            plan.pop(0)[1]()
        time.sleep(0.05)
    seconds = time.monotonic() - started
    log(f"{args.submissions} submissions in {seconds:.0f}s ({args.submissions / seconds:.1f}/s)")
    time.sleep(3)  # let the job workers finish a pass
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for web in webs:
        web.proc.send_signal(signal.SIGTERM)
    for p in [*workers, *(w.proc for w in webs)]:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()

    figures = check(tally, tokens, args.deem)
    bad = figures.pop("_bad")
    print("\nFaults injected:")
    for f in faults:
        print(f"  - {f}")
    print("\nClient errors that were retried or ended a submission:")
    for err, n in tally.errors.most_common(8):
        print(f"  {n:6d}  {err}")
    print("\nFigures:")
    for k, v in figures.items():
        print(f"  {k:<66} {v}")
    print("\nRESULT:", "INVARIANT BROKEN" if bad else "all invariants hold")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
