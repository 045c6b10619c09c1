#!/usr/bin/env python
"""Trail benchmark: full verification of a large trail, and the cost of appending under concurrency.

    .venv/bin/python bench/trail_bench.py [--db sqlite|pg] [--entries 1000000]
                                          [--writers 1,8] [--appends 300] [--skip-verify]

1. Creates a fresh database (SQLite file ``bench/out/trail_bench.sqlite3``, or the PostgreSQL
   database ``onetrip_trail_bench`` on 127.0.0.1:5432, user postgres), migrates it, and builds
   N entries with bulk inserts, three per case (one chain per case), hashed exactly as
   ``trail.record`` hashes them (``trail.row_hash``).
2. Seals them with the seal job's function (checkpoints of 10 000 entries, each signed with
   an Ed25519 key in ``bench/out/trail_bench_key.pem``), writes the published checkpoints file,
   and times ``verify`` in full against the file and the public key (what ``verify_trail
   --checkpoints FILE --public-key FILE`` does), then ``verify --since`` the last checkpoint.
   Goal (issue G §1): full verification of 1 000 000 entries in at most 30 s.
3. (PostgreSQL only) Appends with ``trail.record`` from W threads at once (each its own
   connection, each entry its own transaction, each thread on its own cases), for each W of
   --writers: entries/s and the latency per entry (mean, p50, p99).

Not part of the test suite. The machine's cores are shared with PostgreSQL and anything else
running; the output says how many there are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

PG_DB = "onetrip_trail_bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def setup(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "pg":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        path = OUT / "trail_bench.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    key = OUT / "trail_bench_key.pem"
    key.unlink(missing_ok=True)
    os.environ["TRAIL_SIGNING_KEY_FILE"] = str(key)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n: int) -> float:
    """N entries, three per case, bulk-inserted with the hashes ``record`` would compute."""
    from django.db import transaction

    from onetrip.core import trail
    from onetrip.core.models import TrailChain, TrailEntry

    started = time.perf_counter()
    base = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    heads: dict[str, tuple[int, str]] = {}
    actions = ("case.submit", "case.accept", "case.approve")
    batch: list[TrailEntry] = []
    for i in range(n):
        case = i // 3
        chain = f"cases.case:{case}"
        seq, prev = heads.get(chain, (0, ""))
        row = [None, chain, seq + 1, base + dt.timedelta(microseconds=37 * i), None, "system", "system",
               actions[i % 3], "cases.case", str(case), {"number": f"430703-2026-{case:08d}", "step": i % 3},
               prev, "", None]
        row[12] = trail.row_hash(row)
        heads[chain] = (seq + 1, row[12])
        batch.append(TrailEntry(**{f: v for f, v in zip(trail.ENTRY_FIELDS, row, strict=True) if f != "id"}))
        if len(batch) == 20_000:
            with transaction.atomic():
                TrailEntry.objects.bulk_create(batch, batch_size=5000)
            batch = []
    with transaction.atomic():
        TrailEntry.objects.bulk_create(batch, batch_size=5000)
        TrailChain.objects.bulk_create([TrailChain(key=k, count=c, last_hash=h) for k, (c, h) in heads.items()],
                                       batch_size=5000)
    return time.perf_counter() - started


def timed(label: str, func):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func()
    took = time.perf_counter() - started
    print(f"  {label:<58} {took:8.2f} s", flush=True)
    return result, took


def verification(n: int) -> None:
    from onetrip.core import trail
    from onetrip.core.models import TrailCheckpoint

    print(f"building {n:,} entries ...", flush=True)
    took = build(n)
    print(f"  {'build (bulk insert, hashes as record computes them)':<58} {took:8.2f} s", flush=True)
    sealed, _ = timed("seal (trail.seal, 10 000 entries a checkpoint)",
                      lambda: trail.seal(limit=10_000, max_checkpoints=10_000))
    assert sealed == n, sealed
    path = OUT / "trail_bench_checkpoints.jsonl"
    timed("write the published checkpoints file (with leaves)",
          lambda: path.write_text("".join(trail.published_lines()), encoding="utf-8"))
    public = trail.get_signer().public_key()

    def full() -> trail.Verdict:
        with open(path, encoding="utf-8") as lines:
            published = trail.load_published(lines, public)
        return trail.verify(published=published, public_key=public)

    verdict, full_took = timed("verify in full against the file and the public key", full)
    assert verdict.ok and verdict.checked == n, verdict
    verdict, _ = timed("verify in full, database and public key only", lambda: trail.verify(public_key=public))
    assert verdict.ok, verdict
    last = TrailCheckpoint.objects.order_by("-number").values_list("number", flat=True)[0]
    verdict, _ = timed(f"verify --since {last} (the last checkpoint)",
                       lambda: trail.verify(public_key=public, since=last))
    assert verdict.ok, verdict
    size = path.stat().st_size / 1e6
    print(f"  => {n:,} entries verified in {full_took:.1f} s ({n / full_took:,.0f} entries/s; goal ≤ 30 s), "
          f"{last} checkpoints, published file {size:.0f} MB", flush=True)


def run_writers(w: int, per_writer: int) -> tuple[list[float], float]:
    """W threads, each appending ``per_writer`` entries on its own cases; latencies and wall time."""
    from django.db import connections, transaction

    from onetrip.core import trail

    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(w)

    def writer(index: int) -> None:
        mine: list[float] = []
        try:
            barrier.wait()
            for i in range(per_writer):
                started = time.perf_counter()
                with transaction.atomic():
                    trail.record(actor=None, action="case.submit", object_type="cases.case",
                                 object_id=f"w{w}-{index}-{i // 3}", summary={"i": i})
                mine.append(time.perf_counter() - started)
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(w)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started


def appends(writers: list[int], per_writer: int) -> None:
    print(f"appending {per_writer} entries per writer, each in its own transaction:", flush=True)
    for w in writers:
        latencies, took = run_writers(w, per_writer)
        ms = sorted(x * 1000 for x in latencies)
        print(f"  {w} writer(s): {len(ms) / took:7.0f} entries/s; per entry mean {statistics.fmean(ms):5.2f} ms, "
              f"p50 {ms[len(ms) // 2]:5.2f} ms, p99 {ms[int(len(ms) * 0.99)]:5.2f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--writers", default="1,8")
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    setup(args.db)
    print(f"trail bench on {args.db} ({os.cpu_count()} cores shared with the database and anything else running)")
    if not args.skip_verify:
        verification(args.entries)
    if args.db == "pg":
        appends([int(w) for w in args.writers.split(",")], args.appends)


if __name__ == "__main__":
    main()
