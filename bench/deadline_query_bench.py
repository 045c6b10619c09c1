#!/usr/bin/env python
"""Near-deadline and overdue queries with 1 000 000 open cases on PostgreSQL.

    .venv/bin/python bench/deadline_query_bench.py [--cases 1000000] [--runs 50] [--officers scjg.officer,bdc.officer]
                                                   [--keep]

1. Drops and recreates the PostgreSQL database ``onetrip_bench_q`` on 127.0.0.1:5432 (user
   postgres), migrates it and loads the demo district.
2. Bulk-inserts N ``Case`` rows with one SQL ``INSERT … SELECT generate_series(…)`` (FK
   triggers skipped with session_replication_role = replica; every reference is valid), and
   one ``Application`` per 1000 cases: ~70 % in_review with promised deadlines spread over
   −30..+60 days around today, 10 % submitted, 5 % awaiting_supplement, 5 % approved,
   10 % closed; items, versions and departments taken from the published demo catalogue
   (so cases spread over the departments as the items do). Then VACUUM ANALYZE.
3. Times, after a warm-up, median and p95 of --runs runs each, next to a ``SELECT 1`` round
   trip on the same connection: the exact querysets the application uses —
   ``cases.selectors.inbox(officer, "near")`` and ``inbox(officer, "overdue")`` (first page
   of 50 and ``count()``), and the supervision dashboard's district-wide overdue list (100)
   with its count and its near-deadline count — and prints EXPLAIN (ANALYZE, BUFFERS) of each.
Goal: each ≤ 100 ms. Drops the database at the end unless --keep. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

DB_NAME = "onetrip_bench_q"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
GOAL_MS = 100.0
CASES_PER_APPLICATION = 1000
NO_PARALLEL = "(diag.) overdue count, no parallel"

INSERT_CASES = """
INSERT INTO cases_case (
    number, state, step_index, step_started_on, received_at, received_on, acceptance_due, accepted_on,
    deemed_accepted, paused_since, paused_workdays, pause_counts, promised_deadline, legal_deadline, light,
    warned_on, decided_at, decision_reasons, refusal_reasons, delivery_method, delivery_reference, closed_at,
    visit_count, updated_at, application_id, assignee_id, department_id, item_id, version_id)
SELECT
    'B-' || lpad(g::text, 8, '0'),
    s.state,
    0,
    CASE WHEN s.state <> 'submitted' THEN %(today)s::date + x.off - 20 END,
    (%(today)s::date + x.off - 21)::timestamptz,
    %(today)s::date + x.off - 21,
    CASE WHEN s.state = 'submitted' THEN %(today)s::date + (x.off %% 8) ELSE %(today)s::date + x.off - 14 END,
    CASE WHEN s.state <> 'submitted' THEN %(today)s::date + x.off - 20 END,
    false,
    CASE WHEN s.state = 'awaiting_supplement' THEN %(today)s::date - 3 END,
    0,
    false,
    CASE WHEN s.state IN ('in_review', 'awaiting_supplement') THEN %(today)s::date + x.off
         WHEN s.state IN ('approved', 'closed') THEN %(today)s::date + x.off - 60 END,
    CASE WHEN s.state IN ('in_review', 'awaiting_supplement') THEN %(today)s::date + x.off + 10
         WHEN s.state IN ('approved', 'closed') THEN %(today)s::date + x.off - 50 END,
    CASE WHEN s.state NOT IN ('in_review', 'awaiting_supplement') THEN ''
         WHEN x.off < 0 THEN 'overdue' WHEN x.off <= 4 THEN 'warning' ELSE 'normal' END,
    NULL,
    CASE WHEN s.state IN ('approved', 'closed') THEN (%(today)s::date + x.off - 61)::timestamptz END,
    '', '', '', '',
    CASE WHEN s.state = 'closed' THEN (%(today)s::date + x.off - 55)::timestamptz END,
    0,
    now(),
    %(first_app)s + (g - 1) / %(per_app)s,
    NULL,
    (%(departments)s::bigint[])[x.v],
    (%(items)s::bigint[])[x.v],
    (%(versions)s::bigint[])[x.v]
FROM (
    SELECT g, random() AS r, floor(random() * 91)::int - 30 AS off, 1 + floor(random() * %(n_versions)s)::int AS v
    FROM generate_series(1, %(n)s) AS g
) AS x
CROSS JOIN LATERAL (
    SELECT CASE WHEN x.r < 0.70 THEN 'in_review' WHEN x.r < 0.80 THEN 'submitted'
                WHEN x.r < 0.85 THEN 'awaiting_supplement' WHEN x.r < 0.90 THEN 'approved'
                ELSE 'closed' END AS state
) AS s
"""

INSERT_APPLICATIONS = """
INSERT INTO cases_application (channel, idempotency_key, applicant_name, applicant_id_number, applicant_mobile,
                               form_data, created_at, submitted_at, applicant_id, item_id)
SELECT 'online', '', %(name)s, %(id_number)s, %(mobile)s, '{}'::jsonb, now(), now(), %(applicant)s, %(item)s
FROM generate_series(1, %(n)s)
RETURNING id
"""


def admin_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["ONETRIP_VAR_DIR"] = str(OUT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()


def build(n: int) -> None:
    import contextlib
    import io

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from onetrip.accounts.models import User
    from onetrip.catalog.models import ServiceItem

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo")
    print(f"  migrate + demo district {time.perf_counter() - t0:.1f}s", flush=True)
    items = list(ServiceItem.objects.filter(current__isnull=False).select_related("current").order_by("id"))
    citizen = User.objects.get(username="13907360001")
    today = timezone.localdate()
    t1 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # skip the per-row deferred FK triggers
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SELECT setseed(0.42)")
        n_apps = (n + CASES_PER_APPLICATION - 1) // CASES_PER_APPLICATION
        cursor.execute(INSERT_APPLICATIONS, {"name": citizen.real_name, "id_number": citizen.resident_id,
                                             "mobile": citizen.mobile, "applicant": citizen.pk,
                                             "item": items[0].pk, "n": n_apps})
        app_ids = [row[0] for row in cursor.fetchall()]
        assert app_ids == list(range(app_ids[0], app_ids[0] + n_apps)), "application ids are not consecutive"
        cursor.execute(INSERT_CASES, {
            "today": today, "n": n, "first_app": app_ids[0], "per_app": CASES_PER_APPLICATION,
            "n_versions": len(items),
            "departments": [i.current.department_id for i in items],  # type: ignore[union-attr]
            "items": [i.pk for i in items],
            "versions": [i.current_id for i in items],
        })
    t2 = time.perf_counter()
    connection.cursor().execute("VACUUM ANALYZE cases_case")
    connection.cursor().execute("VACUUM ANALYZE cases_application")
    t3 = time.perf_counter()
    print(f"  inserted {n_apps} applications and {n:,} cases in {t2 - t1:.1f}s; VACUUM ANALYZE {t3 - t2:.1f}s",
          flush=True)


class SqlCatcher:
    """execute_wrapper that remembers the SQL and parameters of what runs inside it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.calls.append((sql, params))
        return execute(sql, params, many, context)


def timed(fn: Callable[[], Any], runs: int, warmup: int = 5) -> tuple[float, float, Any]:
    for _ in range(warmup):
        fn()
    took = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        took.append(time.perf_counter() - t0)
    took.sort()
    return statistics.median(took) * 1000, took[min(len(took) - 1, round(0.95 * (len(took) - 1)))] * 1000, result


def explain(fn: Callable[[], Any]) -> list[str]:
    from django.db import connection

    catcher = SqlCatcher()
    with connection.execute_wrapper(catcher):
        fn()
    lines = []
    with connection.cursor() as cursor:
        for sql, params in catcher.calls:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines += [row[0] for row in cursor.fetchall()]
    return lines


def access_paths(plan: list[str]) -> str:
    paths = []
    for line in plan:
        text = line.strip().lstrip("-> ").strip()
        for marker in ("Index Only Scan", "Index Scan", "Bitmap Index Scan", "Seq Scan"):
            if text.removeprefix("Parallel ").startswith(marker) and ("cases_case" in text or "case_" in text):
                paths.append(text.split("  (")[0])
                break
    return "; ".join(paths) or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--officers", default="scjg.officer,bdc.officer",
                        help="comma-separated usernames of the officers whose inboxes are timed (a big and a "
                             "small department by default)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB_NAME} afterwards")
    args = parser.parse_args()
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Recreating database {DB_NAME}…", flush=True)
    admin_execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    setup_django()
    from django.db import connection, connections

    try:
        build(args.cases)

        from django.db.models import Count
        from django.utils import timezone

        from onetrip.accounts.models import User
        from onetrip.cases.models import Case, State
        from onetrip.cases.selectors import inbox
        from onetrip.workcalendar import workdays

        officers = [User.objects.select_related("department").get(username=u) for u in args.officers.split(",")]
        today = timezone.localdate()
        near_until = workdays.add_workdays(today, 2)
        states = dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by())
        dept_total = {o.pk: Case.objects.filter(department_id=o.department_id).count() for o in officers}

        def select1() -> Any:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                return cursor.fetchone()

        def dashboard_overdue() -> Any:
            return list(Case.objects.filter(state=State.IN_REVIEW, promised_deadline__lt=today)
                        .select_related("version", "department").order_by("promised_deadline")[:100])

        checks: list[tuple[str, Callable[[], Any]]] = [("SELECT 1 round trip (baseline)", select1)]
        for o in officers:
            name = o.username
            checks += [
                (f"inbox({name}, 'near')[:50]", lambda o=o: list(inbox(o, "near")[:50])),
                (f"inbox({name}, 'near').count()", lambda o=o: inbox(o, "near").count()),
                (f"inbox({name}, 'overdue')[:50]", lambda o=o: list(inbox(o, "overdue")[:50])),
                (f"inbox({name}, 'overdue').count()", lambda o=o: inbox(o, "overdue").count()),
            ]
        checks += [
            ("dashboard overdue list [:100]", dashboard_overdue),
            ("dashboard overdue count", lambda: Case.objects.filter(state=State.IN_REVIEW,
                                                                   promised_deadline__lt=today).count()),
            ("dashboard near count", lambda: Case.objects.filter(state=State.IN_REVIEW, promised_deadline__gte=today,
                                                                promised_deadline__lte=near_until).count()),
            # Diagnostic, not what the application does: the same count without parallel workers.
            (NO_PARALLEL, lambda: Case.objects.filter(state=State.IN_REVIEW, promised_deadline__lt=today).count()),
        ]
        rows = []
        plans = []
        for label, fn in checks:
            if label == NO_PARALLEL:
                with connection.cursor() as cursor:
                    cursor.execute("SET max_parallel_workers_per_gather = 0")
            median, p95, result = timed(fn, args.runs)
            size = result if isinstance(result, int) else len(result) if isinstance(result, list) else ""
            rows.append((label, median, p95, size))
            if fn is not select1:
                plan = explain(fn)
                plans.append((label, plan))
                rows[-1] += (access_paths(plan),)
            if label == NO_PARALLEL:
                with connection.cursor() as cursor:
                    cursor.execute("RESET max_parallel_workers_per_gather")
        baseline = rows[0][1]
        runtime = time.perf_counter() - started

        for label, plan in plans:
            print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {label}")
            for line in plan:
                print("    " + line)
        print()
        print("=" * 100)
        print(f"Deadline queries — PostgreSQL {DB_NAME}, {args.cases:,} cases: "
              + ", ".join(f"{s} {n:,}" for s, n in sorted(states.items(), key=lambda t: -t[1])))
        for o in officers:
            print(f"Officer {o.username}: {o.department.name} ({o.department.code}), {dept_total[o.pk]:,} cases "
                  "in the department.")
        print(f"Today {today}, near = {today}..{near_until}. {os.cpu_count()} cores; "
              f"{args.runs} timed runs each after 5 warm-ups; times include building the queryset and the models "
              "in Django.")
        print(f"{'query':<40} {'rows':>8} {'median ms':>10} {'p95 ms':>8} {'× SELECT 1':>10}  goal ≤ {GOAL_MS:.0f} ms"
              "  access path(s) on cases_case")
        ok = True
        for row in rows:
            label, median, p95, size = row[:4]
            path = row[4] if len(row) > 4 else ""
            verdict = "" if label.startswith(("SELECT 1", "(diag.)")) else ("met" if p95 <= GOAL_MS else "NOT met")
            ok = ok and verdict != "NOT met"
            print(f"{label:<40} {size!s:>8} {median:10.2f} {p95:8.2f} {median / baseline:10.1f}  {verdict:<7}  {path}")
        print(f"All ≤ {GOAL_MS:.0f} ms at p95: {'yes' if ok else 'NO'}. Whole run {runtime:.0f} s.")
    finally:
        connections.close_all()
        if args.keep:
            print(f"Kept database {DB_NAME} ({DATABASE_URL}).")
        else:
            admin_execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
