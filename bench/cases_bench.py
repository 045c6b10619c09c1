#!/usr/bin/env python
"""Case create+submit benchmark over the API on PostgreSQL, measured side by side in one run.

    .venv/bin/python bench/cases_bench.py [--citizens 200] [--configs 2,4,2x4] [--levels 4,8,16]
                                          [--seconds 8] [--client-procs 2] [--no-profile]

1. Drops and recreates the PostgreSQL database ``onetrip_bench`` on 127.0.0.1:5432 (user
   postgres), migrates it, loads the demo district and creates N bench citizens, each with an
   API token (through the application's services; their passwords are hashed with MD5 in this
   set-up only, as they never log in). Picks the published demo item with the
   fewest (but at least one) required materials that no registry supplies.
2. For each gunicorn configuration (``W`` = W sync workers, ``WxT`` = W gthread workers with
   T threads) starts gunicorn on a free loopback port and measures, against that one server:
   - /healthz req/s with C keep-alive clients, before and after the case runs,
   - "case create+submit": POST /api/v1/applications (Idempotency-Key) → one multipart upload
     per missing material → POST …/submit, for C = each of --levels concurrent clients, each
     client with its own citizen's token; cases/s and p50/p95/p99 of the sequence and of
     each request,
   - where the CPU went (gunicorn, PostgreSQL, the client, from /proc) and what PostgreSQL
     backends were doing (pg_stat_activity sampled every 20 ms).
3. Checks in the database that every case number handed out is unique and counts them,
   then (unless --no-profile) runs the same sequence in process, one thread: queries and CPU
   per request, how long each case holds the rows every case must lock in turn (the trail
   head, the day's case-number counter) — which caps cases/s whatever the cores — and the
   cProfile hot spots.

Goal (from the issue): ≥ 200 cases/s with p99 ≤ 250 ms. The server, PostgreSQL and the load
generator share the machine's cores; the output says how many. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import http.client
import io
import json
import multiprocessing
import os
import pstats
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MEDIA = OUT / "cases_bench_media"
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB", "onetrip_bench")  # another name lets two checkouts run side by side
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PROGRESS_CONCURRENCY = 8


def _real_pdf() -> bytes:
    """A real one-page PDF: uploads are opened with pypdf, not just sniffed."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _real_pdf()
GOAL_CPS = 200.0
GOAL_P99_MS = 250.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Set-up (main process only)
# ---------------------------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["ONETRIP_VAR_DIR"] = str(OUT)
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()


def build(citizens: int) -> list[str]:
    """Migrate, load the demo district, create the bench citizens; return their API tokens."""
    from django.core.management import call_command

    from onetrip.accounts import services as accounts
    from onetrip.demo.people import resident_id

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t1 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo")
    t2 = time.perf_counter()
    import datetime as dt

    from django.test.utils import override_settings

    tokens = []
    # The bench citizens only ever use API tokens: hash their passwords with a fast hasher (in
    # this set-up process only) instead of spending ~0.2 s of Argon2 on each.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for i in range(citizens):
            born = dt.date(1990, 1, 1) + dt.timedelta(days=i * 7)  # ≥ 1990: division 430703 existed
            user = accounts.register_citizen(
                real_name=f"压测{i:04d}（演示）", mobile=f"1390000{i:04d}",
                resident_id=resident_id(f"430703{born:%Y%m%d}{700 + i % 300:03d}"),
                password=f"Bench-citizen-{i:04d}-x",
            )
            tokens.append(accounts.issue_api_token(user=user, name="cases bench"))
    t3 = time.perf_counter()
    print(f"  migrate {t1 - t0:.1f}s, demo district {t2 - t1:.1f}s, {citizens} citizens + tokens {t3 - t2:.1f}s",
          flush=True)
    return tokens


def pick_item(code: str | None) -> tuple[str, str, list[str]]:
    """The published item with the fewest (≥ 1) required non-registry materials."""
    from onetrip.catalog.models import ServiceItem

    best: tuple[int, str, str, list[str]] | None = None
    for item in ServiceItem.objects.select_related("current").filter(current__isnull=False).order_by("code"):
        if code and item.code != code:
            continue
        seen: dict[str, Any] = {}
        for r in item.current.materials.order_by("position"):  # type: ignore[union-attr]
            if r.name not in seen or (r.required and not seen[r.name].required):
                seen[r.name] = r
        missing = [r.name for r in seen.values() if r.required and not r.registry]
        if missing and (best is None or len(missing) < best[0]):
            best = (len(missing), item.code, item.current.name, missing)  # type: ignore[union-attr]
    if best is None:
        raise SystemExit(f"no published item {code or ''} with a required non-registry material")
    return best[1], best[2], best[3]


# ---------------------------------------------------------------------------------------------
# The load generator (runs in --client-procs spawned processes, each with threads)
# ---------------------------------------------------------------------------------------------


def _multipart(name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class _Client:
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


def _health_thread(port: int, start_at: float, end_at: float, out: dict[str, Any]) -> None:
    client = _Client(port)
    while time.time() < start_at:
        time.sleep(0.001)
    n = 0
    errors = 0
    while time.time() < end_at:
        status, _, _ = client.call("GET", "/healthz")
        n += 1
        errors += status != 200
    out["requests"] = n
    out["errors"] = errors
    out["last"] = time.time()


def _progress_thread(port: int, pairs: list[tuple[str, str]], address: str, start_at: float, end_at: float,
                     out: dict[str, Any]) -> None:
    """POST /api/v1/progress with a case number and its applicant's mobile, round the pairs; each
    thread from its own client address (X-Forwarded-For, one trusted proxy)."""
    client = _Client(port)
    headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
    while time.time() < start_at:
        time.sleep(0.001)
    n = errors = 0
    lat: list[float] = []
    while time.time() < end_at:
        number, phone = pairs[n % len(pairs)]
        status, _, took = client.call("POST", "/api/v1/progress",
                                      json.dumps({"number": number, "phone": phone}).encode(), headers)
        n += 1
        errors += status != 200
        lat.append(took)
    out.update(requests=n, errors=errors, lat=lat, last=time.time())


def _cases_thread(port: int, token: str, item: str, start_at: float, end_at: float, out: dict[str, Any]) -> None:
    client = _Client(port)
    auth = {"Authorization": f"Bearer {token}"}
    lat: dict[str, list[float]] = {"sequence": [], "create": [], "upload": [], "submit": []}
    numbers: list[str] = []
    errors: collections.Counter[str] = collections.Counter()
    samples: dict[str, str] = {}
    requests = 0

    def fail(step: str, status: int, body: bytes) -> None:
        key = f"{step} HTTP {status}"
        errors[key] += 1
        samples.setdefault(key, body[:300].decode(errors="replace"))

    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < end_at:
        t0 = time.perf_counter()
        headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        status, body, took = client.call("POST", "/api/v1/applications", json.dumps({"item": item}).encode(), headers)
        requests += 1
        if status != 201:
            fail("create", status, body)
            continue
        lat["create"].append(took)
        application = json.loads(body)
        ok = True
        for name in application["missing"]:
            payload, ctype = _multipart(name)
            status, body, took = client.call("POST", f"/api/v1/applications/{application['id']}/materials", payload,
                                             {**auth, "Content-Type": ctype})
            requests += 1
            if status != 201:
                fail("upload", status, body)
                ok = False
                break
            lat["upload"].append(took)
        if not ok:
            continue
        status, body, took = client.call("POST", f"/api/v1/applications/{application['id']}/submit", b"", auth)
        requests += 1
        number = json.loads(body)["cases"][0]["number"] if status == 200 else None
        if not number:
            fail("submit", status, body)
            continue
        lat["submit"].append(took)
        lat["sequence"].append(time.perf_counter() - t0)
        numbers.append(number)
    out.update(lat=lat, numbers=numbers, errors=errors, samples=samples, requests=requests, last=time.time())


def client_task(task: dict[str, Any]) -> dict[str, Any]:
    """One client process: one thread per token (or per connection for /healthz)."""
    cpu0 = os.times()
    results: list[dict[str, Any]] = []
    threads = []
    for k in range(task["threads"]):
        out: dict[str, Any] = {}
        results.append(out)
        if task["mode"] == "healthz":
            args: tuple[Any, ...] = (task["port"], task["start_at"], task["end_at"], out)
            threads.append(threading.Thread(target=_health_thread, args=args))
        elif task["mode"] == "progress":
            args = (task["port"], task["pairs"], f"10.{task['proc']}.{k // 250}.{k % 250 + 1}", task["start_at"],
                    task["end_at"], out)
            threads.append(threading.Thread(target=_progress_thread, args=args))
        else:
            args = (task["port"], task["tokens"][k], task["item"], task["start_at"], task["end_at"], out)
            threads.append(threading.Thread(target=_cases_thread, args=args))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu1 = os.times()
    return {"results": results, "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)}


# ---------------------------------------------------------------------------------------------
# Measuring (main process)
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see bench/out/cases_bench_gunicorn.log")
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


def machine_busy(seconds: float) -> float:
    """Cores busy (whole machine) over ``seconds``: what else runs here before we start."""

    def busy() -> float:
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        return (sum(parts) - parts[3] - parts[4]) / CLK_TCK

    b0, t0 = busy(), time.time()
    time.sleep(seconds)
    return (busy() - b0) / (time.time() - t0)


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def _our_postgres_pids() -> set[int]:
    """Backends of the bench database plus PostgreSQL's own background processes (WAL writer…)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE (datname = %s OR datname IS NULL) "
                            "AND pid <> pg_backend_pid()", (DB_NAME,)).fetchall()
    return {row[0] for row in rows}


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds so far: the gunicorn tree, this benchmark's PostgreSQL processes, the machine."""
    pg_pids = _our_postgres_pids()
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _proc_stat(int(entry))
            if st:
                procs[int(entry)] = st
    gunicorn = {server_pid} | {pid for pid, (_, ppid, _) in procs.items() if ppid == server_pid}
    snap = {"gunicorn": sum(procs[p][2] for p in gunicorn if p in procs),
            "postgres": sum(procs[p][2] for p in pg_pids if p in procs),
            "wall": time.time()}
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    snap["machine_busy"] = (sum(parts) - parts[3] - parts[4]) / CLK_TCK  # minus idle and iowait
    return snap


class ActivitySampler:
    """Samples pg_stat_activity of the bench database: what the server's backends are doing."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.counts: collections.Counter[str] = collections.Counter()
        self.lock_waits: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ActivitySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'on CPU'), left(query, 70) "
                    "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'", (DB_NAME,)).fetchall()
                self.samples += 1
                for state, wait, query in rows:
                    if state == "idle":
                        continue
                    if state == "active":
                        self.counts[f"active, {wait}"] += 1
                        if wait.startswith("Lock:"):
                            self.lock_waits[" ".join(query.split())] += 1
                    else:
                        self.counts[state] += 1
                time.sleep(self.interval)

    def report(self) -> list[str]:
        if not self.samples:
            return []
        lines = [f"{n / self.samples:5.2f}  {what}" for what, n in self.counts.most_common(6)]
        total = sum(self.lock_waits.values())
        for query, n in self.lock_waits.most_common(2):
            lines.append(f"       lock waits {n / total * 100:3.0f}% in: {query}")
        return lines


class Phase:
    """One measured phase: runs the client processes and collects everything."""

    def __init__(self, pool: Any, procs: int, port: int, server_pid: int) -> None:
        self.pool, self.procs, self.port, self.server_pid = pool, procs, port, server_pid

    def run(self, mode: str, concurrency: int, seconds: float, tokens: list[str] | None = None,
            item: str = "", sample: bool = False, pairs: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        start_at = time.time() + 0.5
        end_at = start_at + seconds
        procs = min(self.procs, concurrency)
        tasks = []
        for p in range(procs):
            n = concurrency // procs + (1 if p < concurrency % procs else 0)
            first = sum(concurrency // procs + (1 if q < concurrency % procs else 0) for q in range(p))
            tasks.append({"mode": mode, "port": self.port, "threads": n, "start_at": start_at, "end_at": end_at,
                          "item": item, "tokens": (tokens or [])[first:first + n], "pairs": pairs or [], "proc": p})
        sampler = ActivitySampler() if sample else contextlib.nullcontext()
        while time.time() < start_at - 0.05:
            time.sleep(0.01)
        before = cpu_snapshot(self.server_pid)
        with sampler:
            returned = self.pool.map(client_task, tasks, chunksize=1)
        after = cpu_snapshot(self.server_pid)
        results = [r for t in returned for r in t["results"]]
        elapsed = max(r["last"] for r in results) - start_at
        wall = after["wall"] - before["wall"]
        cpu = {k: (after[k] - before[k]) / wall for k in ("gunicorn", "postgres", "machine_busy")}
        cpu["client"] = sum(t["cpu"] for t in returned) / wall
        cpu["client_max_proc"] = max(t["cpu"] for t in returned) / wall
        cpu["others"] = max(0.0, cpu["machine_busy"] - cpu["gunicorn"] - cpu["postgres"] - cpu["client"])
        out: dict[str, Any] = {"elapsed": elapsed, "cpu": cpu, "procs": procs,
                               "activity": sampler.report() if isinstance(sampler, ActivitySampler) else []}
        if mode in ("healthz", "progress"):
            out["requests"] = sum(r["requests"] for r in results)
            out["rps"] = out["requests"] / elapsed
            out["errors"] = sum(r["errors"] for r in results)
            out["lat"] = {"request": [x for r in results for x in r.get("lat", [])]}
            return out
        lat: dict[str, list[float]] = collections.defaultdict(list)
        errors: collections.Counter[str] = collections.Counter()
        samples: dict[str, str] = {}
        for r in results:
            for k, v in r["lat"].items():
                lat[k].extend(v)
            errors.update(r["errors"])
            samples.update(r["samples"])
        out.update(lat=lat, numbers=[n for r in results for n in r["numbers"]], errors=errors, samples=samples,
                   requests=sum(r["requests"] for r in results))
        out["cps"] = len(out["numbers"]) / elapsed
        out["rps"] = out["requests"] / elapsed
        return out


def run_config(workers: int, threads: int, args: argparse.Namespace, pool: Any, tokens: list[str],
               item: str) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "PORT": str(port),
           # The progress lookup's rate limit raised for the bench; its clients come through "one proxy".
           "PROGRESS_LOOKUPS_PER_HOUR": str(10**9), "TRUSTED_PROXIES": "1"}
    cmd = [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--log-level", "warning", "--backlog", "2048"]
    if threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    log = (OUT / "cases_bench_gunicorn.log").open("ab")  # the console SMS backend prints here
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    label = f"{workers} sync workers" if threads == 1 else f"{workers} gthread workers × {threads} threads"
    print(f"\n== gunicorn: {label} (pid {server.pid}, port {port})", flush=True)
    result: dict[str, Any] = {"label": label, "levels": {}}
    try:
        wait_up(port, server)
        phase = Phase(pool, args.client_procs, port, server.pid)
        phase.run("healthz", 4, 1.0)  # warm up every worker
        phase.run("cases", 4, 1.5, tokens[:4], item)
        result["health_before"] = phase.run("healthz", args.health_concurrency, args.health_seconds)
        print(f"  /healthz before: {result['health_before']['rps']:.0f} req/s", flush=True)
        offset = 0
        for c in args.levels:
            mine = [tokens[(offset + k) % len(tokens)] for k in range(c)]
            offset += c
            r = phase.run("cases", c, args.seconds, mine, item, sample=True)
            result["levels"][c] = r
            print(f"  C={c:<3} {r['cps']:6.1f} cases/s  p50 {pct(r['lat']['sequence'], 50):6.1f}  "
                  f"p95 {pct(r['lat']['sequence'], 95):6.1f}  p99 {pct(r['lat']['sequence'], 99):6.1f} ms"
                  f"  errors {sum(r['errors'].values())}", flush=True)
        result["health_after"] = phase.run("healthz", args.health_concurrency, args.health_seconds)
        print(f"  /healthz after:  {result['health_after']['rps']:.0f} req/s", flush=True)
        pairs = progress_pairs()
        result["progress"] = phase.run("progress", PROGRESS_CONCURRENCY, args.seconds, pairs=pairs)
        print(f"  progress lookup: {result['progress']['rps']:.0f} req/s (C={PROGRESS_CONCURRENCY}, "
              f"errors {result['progress']['errors']})", flush=True)
        result["health_last"] = phase.run("healthz", args.health_concurrency, args.health_seconds)
        print(f"  /healthz last:   {result['health_last']['rps']:.0f} req/s", flush=True)
        served = served_requests(result)
        while served < args.rss_requests:  # top up with progress lookups (a real, database-backed request)
            served += phase.run("progress", PROGRESS_CONCURRENCY, 3.0, pairs=pairs)["requests"]
        result["served"] = served
        result["rss"] = worker_rss(server.pid)
        print(f"  after {served} requests: worker RSS {', '.join(f'{v:.0f}' for v in result['rss'])} MB", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return result


def progress_pairs() -> list[tuple[str, str]]:
    """(case number, applicant's mobile) of up to 500 submitted cases: what a citizen types in."""
    from django.db import connections

    from onetrip.cases.models import Case

    pairs = list(Case.objects.exclude(number=None).order_by("-id").values_list("number", "application__applicant_mobile")[:500])
    connections.close_all()
    if not pairs:
        raise SystemExit("no numbered cases for the progress lookup")
    return pairs


def served_requests(result: dict[str, Any]) -> int:
    """Requests the server answered in the measured phases (warm-up aside)."""
    phases = [result[k] for k in ("health_before", "health_after", "progress", "health_last") if k in result]
    return sum(p["requests"] for p in phases) + sum(lv["requests"] for lv in result["levels"].values())


def worker_rss(server_pid: int) -> list[float]:
    """VmRSS of each gunicorn worker (the master's children), MB."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _proc_stat(int(entry))
        if st and st[1] == server_pid:
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
    return sorted(out)


def verify(expected: list[str]) -> tuple[int, int, int, int]:
    """(cases with a number, distinct numbers, numbers the clients saw, of those found in the DB)."""
    from django.db.models import Count

    from onetrip.cases.models import Case

    numbered = Case.objects.exclude(number=None)
    total = numbered.count()
    distinct = numbered.values("number").distinct().count()
    dupes = numbered.values("number").annotate(n=Count("id")).filter(n__gt=1).count()
    assert dupes == 0, f"{dupes} duplicate case numbers"
    seen = set(expected)
    assert len(seen) == len(expected), "the clients were given the same case number twice"
    found = Case.objects.filter(number__in=seen).count()
    return total, distinct, len(seen), found


def profile_in_process(token: str, item: str, iterations: int) -> list[str]:
    """The same sequence through Django's test client in this process, one thread: queries and
    CPU per request, how long each case holds the two rows every case must lock (the trail head
    and the day's case-number counter), and the cProfile hot spots."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    queries: dict[str, list[int]] = collections.defaultdict(list)
    in_execute: dict[str, list[float]] = collections.defaultdict(list)
    wall: dict[str, list[float]] = collections.defaultdict(list)
    cpu: dict[str, list[float]] = collections.defaultdict(list)
    holds: dict[str, list[float]] = collections.defaultdict(list)
    current = {"execute": 0.0}

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Time inside cursor.execute, and for the two rows every case locks, the time from the
        # statement that locks the row to the end of the COMMIT that releases it.
        lock = ("trail chain (this case's, not shared)" if sql.startswith('SELECT "core_trailchain"')
                and "FOR UPDATE" in sql
                else "case-number counter" if sql.startswith('UPDATE "cases_casesequence"') else None)
        t0 = time.perf_counter()
        if lock and connection.in_atomic_block:
            connection.on_commit(lambda: holds[lock].append(time.perf_counter() - t0))
        try:
            return execute(sql, params, many, context)
        finally:
            current["execute"] += time.perf_counter() - t0

    def timed_step(name: str, fn: Any) -> Any:
        current["execute"] = 0.0
        t0, c0 = time.perf_counter(), time.thread_time()
        response = fn()
        wall[name].append(time.perf_counter() - t0)
        cpu[name].append(time.thread_time() - c0)
        in_execute[name].append(current["execute"])
        return response

    def counted_step(name: str, fn: Any) -> Any:
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            response = fn()
        queries[name].append(len(ctx.captured_queries))
        return response

    def sequence(run: Any) -> None:
        r = run("create", lambda: client.post("/api/v1/applications", {"item": item}, content_type="application/json",
                                              HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex))
        assert r.status_code == 201, r.content
        app = r.json()
        for name in app["missing"]:
            r = run("upload", lambda n=name: client.post(
                f"/api/v1/applications/{app['id']}/materials",
                {"name": n, "file": io.BytesIO(PDF)}))  # type: ignore[misc]
            assert r.status_code == 201, r.content
        r = run("submit", lambda: client.post(f"/api/v1/applications/{app['id']}/submit"))
        assert r.status_code == 200 and r.json()["cases"][0]["number"], r.content

    def plain(_name: str, fn: Any) -> Any:
        return fn()

    lines = []
    with contextlib.redirect_stdout(io.StringIO()):  # the console SMS backend
        for _ in range(10):
            sequence(plain)
        for _ in range(10):
            sequence(counted_step)
        with connection.execute_wrapper(timer):
            for _ in range(iterations):
                sequence(timed_step)
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        for _ in range(iterations):
            sequence(plain)
        profiler.disable()
        took = time.perf_counter() - t0

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    per_case_cpu = sum(sum(v) for v in cpu.values()) / iterations * 1000
    per_case_wall = sum(sum(v) for v in wall.values()) / iterations * 1000
    per_case_q = sum(mean(v) * (len(v) / 10) for v in queries.values())
    lines.append(f"\nIn process (Django test client, one thread, no HTTP), {iterations} sequences, no profiler:")
    for name in ("create", "upload", "submit"):
        lines.append(f"  {name:<7} {mean(queries[name]):5.1f} queries  wall {mean(wall[name]) * 1000:5.1f} ms  "
                     f"CPU of this thread {mean(cpu[name]) * 1000:5.1f} ms  inside cursor.execute "
                     f"{mean(in_execute[name]) * 1000:5.1f} ms")
    lines.append(f"  per case: {per_case_q:.0f} queries, {per_case_wall:.0f} ms wall, {per_case_cpu:.0f} ms CPU in the "
                 f"Django process → at most {1000 / per_case_cpu * (os.cpu_count() or 1):.0f} cases/s if all "
                 f"{os.cpu_count()} cores ran only Django (PostgreSQL and the client need CPU too)")
    for lock, values in holds.items():
        per_case = sum(values) / iterations * 1000
        lines.append(f"  {lock:<20} held {mean(values) * 1000:4.1f} ms × {len(values) / iterations:.0f} per case = "
                     f"{per_case:4.1f} ms per case (one holder at a time) → ceiling ≈ {1000 / per_case:.0f} cases/s "
                     "with no other load, whatever the number of cores or workers")
    lines.append(f"  under cProfile: {iterations / took:.0f} cases/s; top functions by own time:")
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(10)
    body = buf.getvalue().splitlines()
    first = next((i for i, line in enumerate(body) if "ncalls" in line), 0)
    lines += ["    " + line.strip()[:150] for line in body[first:] if line.strip()]
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(r"onetrip/", 16)
    body = buf.getvalue().splitlines()
    first = next((i for i, line in enumerate(body) if "ncalls" in line), 0)
    lines.append("  application functions by cumulative time:")
    lines += ["    " + line.strip()[:150] for line in body[first:] if line.strip()]
    return lines


def parse_configs(text: str) -> list[tuple[int, int]]:
    configs = []
    for part in text.split(","):
        workers, _, threads = part.strip().partition("x")
        configs.append((int(workers), int(threads or 1)))
    return configs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--item", default=None, help="item code (default: fewest ≥ 1 materials to upload)")
    parser.add_argument("--configs", type=parse_configs, default=parse_configs("2,4,2x4"),
                        help="gunicorn configurations: W = W sync workers, WxT = W gthread workers × T threads")
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[4, 8, 16],
                        help="concurrent clients for create+submit")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each create+submit level")
    parser.add_argument("--health-seconds", type=float, default=3.0)
    parser.add_argument("--health-concurrency", type=int, default=8)
    parser.add_argument("--client-procs", type=int, default=2, help="load-generator processes (threads inside)")
    parser.add_argument("--profile-iterations", type=int, default=100)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--rss-requests", type=int, default=10_000,
                        help="requests served before the workers' RSS is read (topped up with progress lookups)")
    parser.add_argument("--keep", action="store_true", help="keep the database onetrip_bench afterwards")
    args = parser.parse_args()
    if max(args.levels) > args.citizens:
        parser.error("need at least as many citizens as the largest level")
    started = time.perf_counter()
    background = machine_busy(2.0)
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(MEDIA, ignore_errors=True)
    (OUT / "cases_bench_gunicorn.log").write_bytes(b"")
    print(f"Recreating database {DB_NAME}…", flush=True)
    recreate_database()
    setup_django()
    tokens = build(args.citizens)
    code, name, uploads = pick_item(args.item)
    print(f"  item {code} {name}: {len(uploads)} upload(s) per case ({'、'.join(uploads)})", flush=True)

    from django.db import connections

    connections.close_all()
    results = []
    with multiprocessing.get_context("spawn").Pool(args.client_procs) as pool:
        for workers, threads in args.configs:
            results.append(run_config(workers, threads, args, pool, tokens, code))

    numbers = [n for res in results for lv in res["levels"].values() for n in lv["numbers"]]
    total, distinct, seen, found = verify(numbers)
    profile = [] if args.no_profile else profile_in_process(tokens[-1], code, args.profile_iterations)
    runtime = time.perf_counter() - started

    best = max(((res, c, lv) for res in results for c, lv in res["levels"].items()), key=lambda t: t[2]["cps"])
    cores = os.cpu_count()
    print()
    print("=" * 100)
    print(f"Case create+submit over the API — PostgreSQL {DB_NAME}, item {code} ({len(uploads)} upload/case), "
          f"{args.citizens} citizens")
    print(f"Machine: {cores} cores, SHARED by gunicorn, PostgreSQL and the load generator "
          f"({args.client_procs} client processes, threads inside, keep-alive http.client); "
          f"before the run, other programs kept {background:.2f} of {cores} cores busy ('others' below).")
    print(f"Per request: create = POST /api/v1/applications, upload = POST …/materials (×{len(uploads)}), "
          f"submit = POST …/submit; latencies in ms; {args.seconds:g} s per level.")
    print("gunicorn's sync workers close the connection after every response (the client reconnects); gthread "
          "workers keep it alive.")
    for res in results:
        hb, ha = res["health_before"]["rps"], res["health_after"]["rps"]
        health = (hb + ha) / 2
        print(f"\n-- gunicorn {res['label']}:  /healthz {health:.0f} req/s (before {hb:.0f}, after {ha:.0f}; "
              f"C={args.health_concurrency})")
        print(f"   {'C':>3} {'cases/s':>8} {'req/s':>7} {'cases/healthz':>13} {'API req/healthz':>15} "
              f"{'seq p50':>8} {'p95':>6} {'p99':>6} | {'create p50/p95/p99':>18} | {'upload p50/p95/p99':>18} | "
              f"{'submit p50/p95/p99':>18} | {'err':>3} | CPU cores: gunicorn pg client(max/proc) others = machine")
        for c, lv in res["levels"].items():
            lat = lv["lat"]

            def three(values: list[float]) -> str:
                return f"{pct(values, 50):.0f}/{pct(values, 95):.0f}/{pct(values, 99):.0f}"

            cpu = lv["cpu"]
            print(f"   {c:>3} {lv['cps']:8.1f} {lv['rps']:7.0f} {lv['cps'] / health * 100:12.1f}% "
                  f"{lv['rps'] / health * 100:14.1f}% {pct(lat['sequence'], 50):8.1f} {pct(lat['sequence'], 95):6.1f} "
                  f"{pct(lat['sequence'], 99):6.1f} | {three(lat['create']):>18} | {three(lat['upload']):>18} | "
                  f"{three(lat['submit']):>18} | {sum(lv['errors'].values()):>3} | "
                  f"{cpu['gunicorn']:.2f} {cpu['postgres']:.2f} {cpu['client']:.2f}({cpu['client_max_proc']:.2f}) "
                  f"{cpu['others']:.2f} = {cpu['machine_busy']:.2f}/{cores}")
            for key, n in lv["errors"].items():
                print(f"       {n} × {key}: {lv['samples'][key][:160]}")
        top = max(res["levels"], key=lambda k: res["levels"][k]["cps"])
        print(f"   PostgreSQL backends at C={top} (average number in each state, pg_stat_activity every 20 ms):")
        for line in res["levels"][top]["activity"]:
            print(f"     {line}")
    res, c, lv = best
    p99 = pct(lv["lat"]["sequence"], 99)
    print(f"\nBest: {lv['cps']:.1f} cases/s with gunicorn {res['label']} at C={c} (p99 {p99:.0f} ms). "
          f"Goal ≥ {GOAL_CPS:.0f} cases/s: {'MET' if lv['cps'] >= GOAL_CPS else 'NOT met'}; "
          f"p99 ≤ {GOAL_P99_MS:.0f} ms at that load: {'MET' if p99 <= GOAL_P99_MS else 'NOT met'}.")
    under = [(r["label"], c2, lv2["cps"]) for r in results for c2, lv2 in r["levels"].items()
             if pct(lv2["lat"]["sequence"], 99) <= GOAL_P99_MS]
    if under:
        lbl, c2, cps = max(under, key=lambda t: t[2])
        print(f"Best with p99 ≤ {GOAL_P99_MS:.0f} ms: {cps:.1f} cases/s ({lbl}, C={c2}).")
    cpu = lv["cpu"]
    if cpu["client_max_proc"] > 0.9:
        print(f"NOTE: a client process used {cpu['client_max_proc']:.2f} of a core — the load generator may limit.")
    else:
        print(f"Load generator: {cpu['client']:.2f} cores in all, at most {cpu['client_max_proc']:.2f} per process "
              "(not saturating a core), but it takes that CPU from the server on this shared machine.")
    print(f"Case numbers: {total} numbered cases in the database (incl. demo and profile runs), {distinct} distinct "
          f"(unique: {'yes' if total == distinct else 'NO'}); the clients received {seen} distinct numbers, "
          f"{found} of them found in the database.")
    for line in profile:
        print(line)
    command = " ".join([Path(sys.executable).name, *sys.argv])
    print(f"\nFigures (issue G §2; ratios against /healthz on the same server in the same run; printed by "
          f"`BENCH_DB={DB_NAME} {command}` in {ROOT}):")
    for res in results:
        health = (res["health_before"]["rps"] + res["health_after"]["rps"] + res["health_last"]["rps"]) / 3
        print(f"  gunicorn {res['label']}, /healthz {health:.0f} req/s (mean of before, after, last):")
        for c, lv in res["levels"].items():
            print(f"    case sequence C={c:<3} API requests/healthz {lv['rps'] / health * 100:5.1f}% (goal >= 20%), "
                  f"{lv['cps']:.1f} cases/s, sequence p99 {pct(lv['lat']['sequence'], 99):.0f} ms"
                  f"{' (goal <= 250 ms at C=8)' if c == 8 else ''}")
        pr = res["progress"]
        print(f"    progress lookup (POST /api/v1/progress) C={PROGRESS_CONCURRENCY}: {pr['rps'] / health * 100:5.1f}% of "
              f"/healthz (goal >= 70%), p99 {pct(pr['lat']['request'], 99):.0f} ms, errors {pr['errors']}")
        print(f"    worker RSS after {res['served']} requests: {', '.join(f'{v:.0f}' for v in res['rss'])} MB "
              "(goal <= 150 MB)")
    per_case = next((line for line in profile if "per case:" in line), "")
    if per_case:
        print(f"  queries per case (in process):{per_case.split('per case:')[1].split(',')[0]} (goal <= 20)")
    print(f"Whole run: {runtime:.0f} s.")
    if not args.keep:
        connections.close_all()
        drop_database()
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    main()
