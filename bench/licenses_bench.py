#!/usr/bin/env python
"""E-licence benchmark: certificates issued and signed per second by the job worker, side by side
with approvals per second, and the public verification page beside /healthz, in one run.

    .venv/bin/python bench/licenses_bench.py [--db pg|sqlite] [--cases 200] [--workers 1,2]
                                             [--requests 300] [--only-verify] [--server]

1. A fresh database (PostgreSQL ``onetrip_licenses_bench`` on 127.0.0.1:5432, or a SQLite file
   under bench/out), migrated, with one department, one item producing a licence (5 years) and
   its staff; a fresh district CA under bench/out (keys created on first use, not timed).
2. ``--cases`` applications submitted, accepted and passed to the head (not timed), then each
   approved (timed: the approval's transaction signs the decision with the head's key and
   queues the licence): approvals/s.
3. The issuing job (``licenses.issue``: claim, number, lay out the PDF, sign PAdES B-T with the
   department seal and a timestamp of the district TSA, store, mark valid) run by W worker
   processes at once until nothing is pending: licences/s, and each licence issued once (checked
   in the database: every approved case has exactly one valid licence). Repeated per W, with a
   fresh batch of approvals each time.
4. ``--requests`` GETs of /healthz and of a licence's /verify/<id>/ page through Django's test
   client in this process, alternated: requests/s of each and their ratio (goal ≥ 50 %).
   With ``--server``, also through a real server: gunicorn (one sync worker, on a free port of
   127.0.0.1, against the same database) and ``--concurrency`` client threads (urllib, a new
   connection per request, no cookies: a first visit each time), ``--requests`` GETs of each URL
   in ten alternated blocks (/healthz, then /verify/<id>/, and again), timed per URL.

``--only-verify`` skips the timing of steps 2 and 3: one case is approved and its licence issued
in this process (not timed), then step 4 runs.

Goal (issue D): the signing job keeps up with a busy day's approvals: ratio licences/s ÷
approvals/s. Prints the machine's core count; not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

PG_NAME = os.environ.get("BENCH_DB", "onetrip_licenses_bench")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(db: str) -> str:
    if db == "pg":
        return f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
    return f"sqlite:///{OUT / 'licenses_bench.sqlite3'}"


def recreate(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(OUT / "licence_keys", ignore_errors=True)
    shutil.rmtree(OUT / "licence_media", ignore_errors=True)
    if db == "pg":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
    else:
        (OUT / "licenses_bench.sqlite3").unlink(missing_ok=True)


def setup_django(db: str) -> None:
    os.environ.update(SMS_BACKEND="memory", DATABASE_URL=database_url(db), ONETRIP_VAR_DIR=str(OUT), DJANGO_SETTINGS_MODULE="onetrip.settings",
                      LICENSES_KEY_DIR=str(OUT / "licence_keys"), MEDIA_ROOT=str(OUT / "licence_media"),
                      STATICFILES_BACKEND="plain", ALLOWED_HOSTS="testserver,127.0.0.1")
    import django

    django.setup()


def build() -> dict[str, Any]:
    from django.core.management import call_command

    from onetrip.accounts import services as accounts
    from onetrip.accounts.models import Division, Role
    from onetrip.catalog import services as catalog
    from onetrip.demo.people import uscc
    from onetrip.licenses import services

    call_command("migrate", verbosity=0)
    district = accounts.create_division(actor=None, code="430703", name="常德市鼎城区", level=Division.Level.DISTRICT)
    dept = accounts.create_department(actor=None, code="SCJGJ", name="常德市鼎城区市场监督管理局", division=district,
                                      uscc=uscc("11430703MB1000101"))
    admin = accounts.create_user(actor=None, username="admin", password=PASSWORD, role=Role.CATALOG_ADMIN,
                                 real_name="管理员")
    version = catalog.create_item(
        actor=admin, code="430703-SCJGJ-003", guide={
            "name": "食品经营许可", "kind": "licensing", "department": dept, "legal_basis": "《食品安全法》",
            "acceptance_conditions": "从事食品经营", "legal_limit_days": 20, "promised_limit_days": 5,
            "max_visits": 0, "online": True, "postable": True, "result_name": "食品经营许可证"},
        materials=[{"name": "食品经营许可申请书", "form": "original", "copies": 1}],
        steps=[{"name": "受理", "actor": "综合窗口"}, {"name": "审查", "actor": "承办科室"}])
    catalog.publish_for_seeding(actor=admin, versions=[version], name="基准")
    services.save_licence_type(actor=None, code="SCJGSPJY", name="食品经营许可证", number_prefix="JY",
                               validity_years=5, item_codes=["430703-SCJGJ-003"])
    staff = {r: accounts.create_user(actor=None, username=r, password=PASSWORD, role=r, real_name=f"{r}（演示）",
                                     department=dept) for r in (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD)}
    return {"staff": staff}


PASSWORD = "".join(["Bench", "-2026-", "pass"])  # a bench account, never a real one


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def ready_cases(n: int, start: int, staff: dict[str, Any]) -> list[Any]:
    """n cases at the head's decision (not timed)."""
    from onetrip.accounts import services as accounts
    from onetrip.accounts.models import Role
    from onetrip.cases import services as cases
    from onetrip.demo.people import resident_id

    pdf = _pdf()
    out = []
    for i in range(start, start + n):
        person = accounts.register_citizen(real_name=f"基准{i}", mobile=f"139{i:08d}",
                                           resident_id=resident_id(f"4307031990{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"),
                                           password=PASSWORD)
        app, _ = cases.create_application(actor=person, item_code="430703-SCJGJ-003")
        cases.upload_material(actor=person, application=app, name="食品经营许可申请书", stream=io.BytesIO(pdf),
                              original_name="a.pdf")
        [case] = cases.submit_application(actor=person, application=app)
        case = cases.transition(case=case, action="accept", actor=staff[Role.WINDOW_CLERK])
        case = cases.transition(case=case, action="advance", actor=staff[Role.OFFICER])
        out.append(case)
    return out


def approve_all(batch: list[Any], staff: dict[str, Any]) -> float:
    from onetrip.accounts.models import Role
    from onetrip.cases import services as cases

    started = time.perf_counter()
    for case in batch:
        cases.transition(case=case, action="approve", actor=staff[Role.DEPARTMENT_HEAD], data={"reasons": "符合条件"})
    return time.perf_counter() - started


def _worker(db: str, counts: Any, ready: Any, go: Any) -> None:
    setup_django(db)
    from onetrip.accounts.models import Department
    from onetrip.licenses import ca, jobs, pades  # noqa: F401  (warm: pyHanko loaded, keys decrypted)

    ca.department_seal(Department.objects.get(code="SCJGJ")), ca.tsa()
    ready.release()
    go.wait()
    total = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = jobs.issue_pending(limit=20)
        total += done["issued"]
        if done["failed"]:
            print(f"a worker failed to issue {done['failed']} licence(s): see the log above", flush=True)
            break
        if not done["issued"]:
            from onetrip.licenses.models import Licence, LicenceStatus

            if not Licence.objects.filter(status=LicenceStatus.PENDING).exists():
                break
            time.sleep(0.05)
    counts.append(total)


def issue_with(db: str, workers: int) -> tuple[float, list[int]]:
    ctx = multiprocessing.get_context("spawn")
    manager = ctx.Manager()
    counts = manager.list()
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(db, counts, ready, go)) for _ in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()  # started, Django set up, pyHanko imported, keys decrypted: not timed
    started = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    return time.perf_counter() - started, list(counts)


def pages(n: int) -> tuple[float, float]:
    from onetrip.licenses.models import Licence, LicenceStatus

    key = Licence.objects.filter(status=LicenceStatus.VALID).values_list("verification_id", flat=True).first()
    rates = alternate_in_process(["/healthz", f"/verify/{key}/"], n)
    return rates["/healthz"], rates[f"/verify/{key}/"]


def alternate_in_process(paths: list[str], n: int, client: Any = None) -> dict[str, float]:
    """n GETs of each path through Django's test client in this process, alternated (one of
    each, then again), so that the machine's other load falls on all alike: requests/s per path."""
    from django.test import Client

    client = client or Client()
    for path in paths:
        client.get(path)
    spent = dict.fromkeys(paths, 0.0)
    for _ in range(n):
        for path in paths:
            t = time.perf_counter()
            status = client.get(path).status_code
            spent[path] += time.perf_counter() - t
            assert status == 200, (path, status)
    return {path: n / s for path, s in spent.items()}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hammer(url: str, n: int, threads: int) -> float:
    """n GETs of url from `threads` threads (a new connection each): requests/s."""
    import threading
    import urllib.request

    left = [n]
    lock = threading.Lock()
    errors: list[str] = []

    def run() -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    r.read()
                    if r.status != 200:
                        errors.append(str(r.status))
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(repr(exc))

    pool = [threading.Thread(target=run) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    spent = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests to {url}, e.g. {errors[0]}")
    return n / spent


def served_pages(db: str, n: int, threads: int) -> tuple[float, float]:
    from onetrip.licenses.models import Licence, LicenceStatus

    key = Licence.objects.filter(status=LicenceStatus.VALID).values_list("verification_id", flat=True).first()
    rates = alternate_served(["/healthz", f"/verify/{key}/"], n, threads)
    return rates["/healthz"], rates[f"/verify/{key}/"]


def alternate_served(paths: list[str], n: int, threads: int, workers: int = 1) -> dict[str, float]:
    """n GETs of each path through gunicorn (``workers`` sync workers, a free port of 127.0.0.1,
    this checkout's code, the database of DATABASE_URL) from ``threads`` client threads, in ten
    alternated blocks: requests/s per path."""
    import subprocess
    import urllib.request

    port = _free_port()
    env = dict(os.environ, DEBUG="0", PYTHONPATH=str(ROOT))  # this checkout's code, whatever is installed
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "onetrip.wsgi", "--workers",
                               str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT,
                              env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        for path in paths:
            _hammer(base + path, 50, threads)  # warm: connections, templates, translations, page caches
        spent = dict.fromkeys(paths, 0.0)
        block = max(n // 10, threads)
        for _ in range(10):  # alternated in short blocks, so that the machine's other load falls on all alike
            for path in paths:
                spent[path] += block / _hammer(base + path, block, threads)
        return {path: 10 * block / s for path, s in spent.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only-verify", action="store_true", help="only step 4 (one licence issued, not timed)")
    parser.add_argument("--server", action="store_true", help="step 4 also through gunicorn")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads against the server")
    args = parser.parse_args()
    recreate(args.db)
    setup_django(args.db)
    world = build()
    from onetrip.licenses import ca

    ca.root(), ca.tsa()  # the CA exists before timing (licenses_init)
    print(f"cores: {os.cpu_count()}, database: {args.db}, cases per round: {args.cases}")
    start = 0
    from django.db import connection

    from onetrip.licenses.models import Licence, LicenceStatus

    if args.only_verify:
        from onetrip.licenses import jobs

        approve_all(ready_cases(1, 0, world["staff"]), world["staff"])
        assert jobs.issue_pending() == {"issued": 1, "failed": 0}
    for w in [] if args.only_verify else [int(x) for x in args.workers.split(",")]:
        batch = ready_cases(args.cases, start, world["staff"])
        start += args.cases
        approve_s = approve_all(batch, world["staff"])
        connection.close()
        issue_s, counts = issue_with(args.db, w)
        approvals = args.cases / approve_s
        licences = args.cases / issue_s
        valid = Licence.objects.filter(case__in=batch, status=LicenceStatus.VALID).count()
        print(f"workers={w}: approvals {approvals:.1f}/s (signed decisions, licences queued) | issued and signed "
              f"{licences:.1f} licences/s ({counts} per worker) | ratio licences/approvals {licences / approvals:.2f} | "
              f"valid licences {valid}/{args.cases}")
    healthz, verify = pages(args.requests)
    print(f"pages (in-process test client): /healthz {healthz:.0f} req/s, /verify/<id>/ {verify:.0f} req/s, "
          f"ratio {verify / healthz:.0%} (goal >= 50%)")
    if args.server:
        connection.close()
        healthz, verify = served_pages(args.db, args.requests, args.concurrency)
        print(f"pages (gunicorn, 1 sync worker, {args.concurrency} client threads): /healthz {healthz:.0f} req/s, "
              f"/verify/<id>/ {verify:.0f} req/s, ratio {verify / healthz:.0%} (goal >= 50%)")


if __name__ == "__main__":
    main()
