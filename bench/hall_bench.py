#!/usr/bin/env python
"""Hall benchmark on PostgreSQL: concurrent ticket taking and booking a nearly full slot,
measured side by side with /healthz on the same server in the same run.

    .venv/bin/python bench/hall_bench.py [--workers 2,4] [--clients 200] [--seconds 8]
                                         [--client-procs 4] [--bookers 60] [--capacity 5]

1. Drops and recreates the PostgreSQL database ``onetrip_hall_bench`` (``BENCH_DB``) on
   127.0.0.1:5432 (user postgres), migrates it and makes a hall with one area (``bench``,
   prefix Z) and one item, plus the booking citizens with API tokens.
2. For each gunicorn configuration (W sync workers, started as bench/cases_bench.py starts
   them): /healthz req/s with C keep-alive clients, then C clients each taking tickets in a loop
   (POST /api/v1/hall/tickets, each client an enrolled kiosk with its own X-Kiosk-Key; the
   per-kiosk limit is raised for the bench so it does not cap the figure, but every request still
   counts against it): tickets/s, p50/p95/p99; then
   /healthz again. The tickets handed out are checked in the database: duplicates (two tickets
   with one number in one area and day) and gaps (numbers 1…n not all used).
3. Booking: a slot with ``--capacity`` places, all but one already booked; ``--bookers``
   citizens book it at the same moment (POST /api/v1/hall/bookings). Overbookings = booked
   appointments beyond the capacity (goal 0); the answers are counted by status.

Goals (issue C §8): ≥ 300 tickets/s, 0 duplicates; 0 overbookings. The server, PostgreSQL and
the load generator share the machine's cores; the output says how many. Not part of the suite.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB", "onetrip_hall_bench")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
GOAL_TPS = 300.0


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["ONETRIP_VAR_DIR"] = str(OUT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()


def build(bookers: int, capacity: int, kiosks: int) -> dict[str, Any]:
    """Migrate; a hall (open at any hour, so the bench runs whenever), its area and item; the
    slot to race for, all but one place booked; the racing citizens' tokens."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from onetrip.accounts import services as accounts
    from onetrip.accounts.models import Division, Role
    from onetrip.catalog import services as catalog
    from onetrip.demo.people import resident_id, uscc
    from onetrip.hall import rules, services
    from onetrip.hall.models import Area, Hall

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # bench users never log in
    call_command("migrate", verbosity=0)
    district = accounts.create_division(actor=None, code="430703", name="常德市鼎城区", level=Division.Level.DISTRICT)
    department = accounts.create_department(actor=None, code="SCJGJ", name="常德市鼎城区市场监督管理局",
                                            division=district, uscc=uscc("11430703MB0000001"))
    admin = accounts.create_user(actor=None, username="bench.admin", password="x" * 12, role=Role.CATALOG_ADMIN,
                                 real_name="基准", check_password=False)
    version = catalog.create_item(actor=admin, code="430703-BENCH-001", guide={
        "name": "基准事项", "kind": "licensing", "department": department, "legal_limit_days": 15,
        "promised_limit_days": 3, "max_visits": 1, "legal_basis": "《基准条例》", "acceptance_conditions": "无"},
        materials=[{"name": "申请书", "form": "original", "copies": 1}], fees=[], steps=[])
    catalog.publish_for_seeding(actor=admin, versions=[version], name="基准批次")
    hall = Hall(name="基准大厅", open_all_hours=True)
    services.save_config(actor=admin, obj=hall)
    area = Area(hall=hall, code="bench", name="基准区", prefix="Z", slot_capacity=capacity)
    services.save_config(actor=admin, obj=area)
    area.items.add(version.item)
    day = rules.bookable_days(hall, timezone.now())[0]

    def citizen(n: int) -> Any:
        return accounts.create_user(actor=None, username=f"1390000{n:04d}", password="x" * 12, role=Role.CITIZEN,
                                    real_name=f"基准{n}", mobile=f"1390000{n:04d}",
                                    resident_id=resident_id(f"43070319900101{n:03d}"), check_password=False)

    for n in range(capacity - 1):
        services.book(actor=citizen(n), area=area, item=version.item, day=day, start=dt.time(9))
    tokens = [accounts.issue_api_token(user=citizen(100 + n), name="bench") for n in range(bookers)]
    keys = [services.enrol_kiosk(actor=admin, hall=hall, name=f"kiosk {n}")[1] for n in range(kiosks)]
    return {"tokens": tokens, "kiosk_keys": keys, "day": day.isoformat(), "item": version.item.code}


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return -1, repr(exc).encode(), time.perf_counter() - t0
        return response.status, data, time.perf_counter() - t0


def _thread(task: dict[str, Any], k: int, out: dict[str, Any]) -> None:
    client = Client(task["port"])
    lat: list[float] = []
    numbers: list[str] = []
    statuses: collections.Counter[int] = collections.Counter()
    mode = task["mode"]
    while time.time() < task["start_at"]:
        time.sleep(0.001)
    if mode == "book":
        token = task["tokens"][k]
        body = json.dumps({"area": "bench", "item": task["item"], "day": task["day"], "start": "09:00"}).encode()
        status, _, took = client.call("POST", "/api/v1/hall/bookings", body,
                                      {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        statuses[status] += 1
        lat.append(took)
    while mode != "book" and time.time() < task["end_at"]:
        if mode == "healthz":
            status, _, took = client.call("GET", "/healthz")
        else:
            status, data, took = client.call("POST", "/api/v1/hall/tickets", b'{"area": "bench"}',
                                             {"Content-Type": "application/json",
                                              "X-Kiosk-Key": task["tokens"][k]})
            if status == 201:
                numbers.append(json.loads(data)["number"])
        statuses[status] += 1
        lat.append(took)
    out.update(lat=lat, numbers=numbers, statuses=statuses, last=time.time())


def client_task(task: dict[str, Any]) -> dict[str, Any]:
    results: list[dict[str, Any]] = [{} for _ in range(task["threads"])]
    threads = [threading.Thread(target=_thread, args=(task, k, results[k])) for k in range(task["threads"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"results": results}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see bench/out/hall_bench_gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def run_phase(pool: Any, procs: int, port: int, mode: str, concurrency: int, seconds: float,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    start_at = time.time() + 1.0
    procs = min(procs, concurrency)
    tasks = []
    tokens = (extra or {}).get("tokens", [])
    for p in range(procs):
        n = concurrency // procs + (1 if p < concurrency % procs else 0)
        first = sum(concurrency // procs + (1 if q < concurrency % procs else 0) for q in range(p))
        tasks.append({**(extra or {}), "mode": mode, "port": port, "threads": n, "start_at": start_at,
                      "end_at": start_at + seconds, "tokens": tokens[first:first + n]})
    returned = pool.map(client_task, tasks, chunksize=1)
    results = [r for t in returned for r in t["results"]]
    elapsed = max(r["last"] for r in results) - start_at
    statuses: collections.Counter[int] = collections.Counter()
    for r in results:
        statuses.update(r["statuses"])
    return {"elapsed": elapsed, "lat": [x for r in results for x in r["lat"]],
            "numbers": [n for r in results for n in r["numbers"]], "statuses": statuses,
            "requests": sum(statuses.values()), "rps": sum(statuses.values()) / elapsed}


def check_tickets() -> dict[str, int]:
    """Duplicates and gaps per area and day, from the database."""
    from django.db.models import Count, Max

    from onetrip.hall.models import Ticket

    rows = Ticket.objects.values("area", "day").annotate(n=Count("id"), distinct=Count("seq", distinct=True),
                                                         top=Max("seq"))
    return {"tickets": sum(r["n"] for r in rows), "duplicates": sum(r["n"] - r["distinct"] for r in rows),
            "gaps": sum(r["top"] - r["distinct"] for r in rows)}


def check_slot() -> dict[str, int]:
    from onetrip.hall.models import Appointment, Slot

    slot = Slot.objects.get()
    booked = Appointment.objects.filter(slot=slot, state="booked").count()
    return {"capacity": slot.capacity, "counter": slot.booked, "appointments": booked,
            "overbookings": max(0, booked - slot.capacity)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="2,4", help="gunicorn sync worker counts to try, comma-separated")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--bookers", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    recreate_database()
    setup_django()
    t0 = time.perf_counter()
    data = build(args.bookers, args.capacity, args.clients)
    print(f"set-up {time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores shared by server, PostgreSQL and "
          f"clients; load average {os.getloadavg()[0]:.1f}", flush=True)
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    summary = []
    with ctx.Pool(args.client_procs) as pool:
        for workers in [int(w) for w in args.workers.split(",")]:
            port = free_port()
            env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "HALL_KIOSK_TICKETS_PER_MINUTE": "100000"}
            cmd = [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--log-level", "warning", "--backlog", "2048"]
            log = (OUT / "hall_bench_gunicorn.log").open("ab")
            server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
            print(f"\n== gunicorn: {workers} sync workers (port {port})", flush=True)
            try:
                wait_up(port, server)
                run_phase(pool, args.client_procs, port, "healthz", 8, 1.0)  # warm up
                before = run_phase(pool, args.client_procs, port, "healthz", args.clients, args.seconds)
                tickets = run_phase(pool, args.client_procs, port, "tickets", args.clients, args.seconds,
                                    {"tokens": data["kiosk_keys"]})
                after = run_phase(pool, args.client_procs, port, "healthz", args.clients, args.seconds)
            finally:
                server.terminate()
                server.wait(timeout=15)
                log.close()
            tps = len(tickets["numbers"]) / tickets["elapsed"]
            print(f"  /healthz before   {before['rps']:7.0f} req/s  p99 {pct(before['lat'], 99):7.1f} ms  "
                  f"statuses {dict(before['statuses'])}")
            print(f"  take a ticket     {tps:7.0f} tickets/s  p50 {pct(tickets['lat'], 50):6.1f}  "
                  f"p95 {pct(tickets['lat'], 95):6.1f}  p99 {pct(tickets['lat'], 99):7.1f} ms  "
                  f"statuses {dict(tickets['statuses'])}")
            print(f"  /healthz after    {after['rps']:7.0f} req/s  p99 {pct(after['lat'], 99):7.1f} ms")
            print(f"  ticket/healthz ratio {tps / before['rps']:.2f}", flush=True)
            summary.append((workers, tps, pct(tickets["lat"], 99), before["rps"]))
        checked = check_tickets()
        print(f"\ntickets in the database: {checked['tickets']}, duplicates {checked['duplicates']}, "
              f"gaps {checked['gaps']}", flush=True)
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(max(int(w) for w in args.workers.split(","))), "--log-level", "warning"]
        log = (OUT / "hall_bench_gunicorn.log").open("ab")
        server = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"}, stdout=log,
                                  stderr=log)
        try:
            wait_up(port, server)
            booking = run_phase(pool, args.client_procs, port, "book", args.bookers, 0,
                                {"tokens": data["tokens"], "day": data["day"], "item": data["item"]})
        finally:
            server.terminate()
            server.wait(timeout=15)
            log.close()
    slot = check_slot()
    print(f"booking one slot with {args.capacity} places, {args.capacity - 1} taken, {args.bookers} at once: "
          f"answers {dict(booking['statuses'])}, p99 {pct(booking['lat'], 99):.0f} ms; slot counter "
          f"{slot['counter']}/{slot['capacity']}, booked appointments {slot['appointments']}, "
          f"overbookings {slot['overbookings']}")
    print("\nsummary (goal ≥ 300 tickets/s, 0 duplicates, 0 overbookings):")
    for workers, tps, p99, health in summary:
        print(f"  {workers} workers: {tps:.0f} tickets/s (p99 {p99:.0f} ms) vs /healthz {health:.0f} req/s "
              f"{'MEETS' if tps >= GOAL_TPS else 'BELOW'} the goal")
    print(f"  duplicates {checked['duplicates']}, gaps {checked['gaps']}, overbookings {slot['overbookings']}")


if __name__ == "__main__":
    main()
