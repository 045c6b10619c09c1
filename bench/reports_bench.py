#!/usr/bin/env python
"""Reform metrics on PostgreSQL over 1 000 000 finished cases and 3 000 000 ratings (issue E).

    .venv/bin/python bench/reports_bench.py [--cases 1000000] [--ratings 3000000] [--requests 30]
                                            [--regenerate] [--server] [--concurrency 4] [--explain]

1. The database ``onetrip_reports_bench`` (``BENCH_DB``) on 127.0.0.1:5432 (user postgres): made
   once and kept — migrated, the demo district loaded (``demo --no-history``), then with
   set-based SQL (``INSERT … SELECT`` over ``generate_series``, FK triggers skipped with
   session_replication_role = replica; every reference is valid) N finished cases (state closed)
   over the last twelve months (weekdays: a weekend's draw moves to the Friday before, so a
   Friday holds about three days' cases, some 8 000), spread over the demo catalogue's items (skewed: some
   items much busier) and so over their departments, one application each (60 % online, 40 % at
   a window); 0, 1 or 2 trips (with their ``Visit`` rows), 3 % not accepted, 6 % denied, the rest
   approved; ~6 % decided after the promised deadline; 2 % deemed accepted; one-time notices on
   14 % (2 % with a second one, 1 % of them a repeated-notice violation); materials supplied by a
   registry on 35 % (10 % also an e-licence); ratings at all five levels: one online per case for
   65 % of them (10 % by default), one per recorded trip for 85 % of the trips, and the rest
   per hall ticket (hall tickets made for them, served at the demo hall's windows in turn), up
   to M; the on-site ratings name their window; a rectification for each poor rating,
   closed for the older ones. Then VACUUM ANALYZE. A second run finds the data and skips this
   (``--regenerate`` drops the database and makes it again); the time taken is printed.
2. The rollup job from nothing (rollups and mark deleted): ``reports.services.roll_up`` over
   every day, timed, with the time of one day's ``roll_day`` split into its queries; then the
   incremental run (today only), timed.
3. The pages of a logged-in supervisor (``jiancha``) through Django's test client in this
   process: /reports/ (this month; the last twelve months; the busiest department) and
   /reports/cases/ (this month, its first and last page; twelve months, first and last page; the
   department this month, and its last page of twelve months), ``--requests`` each after a warm-up:
   p50 and p95. Goals: ≤ 300 ms for pages served from the rollups, ≤ 2 s for pages that read
   raw cases.
4. /performance/ (public, cached for visitors) against /healthz, alternated in the same run:
   through the test client, and with ``--server`` through gunicorn (one sync worker,
   ``--concurrency`` client threads, a new connection per request): requests/s and the ratio.

``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the queries of one day's rollup and of the
drill-down. The server, PostgreSQL and the clients share the machine's cores; the load average is
printed with the figures. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DB", "onetrip_reports_bench")
os.environ.update(SMS_BACKEND="memory", ALLOWED_HOSTS="testserver,127.0.0.1", STATICFILES_BACKEND="plain")

import deadline_query_bench as queries  # noqa: E402  (timed, explain, admin_execute)
import hall_bench as hall  # noqa: E402  (setup_django on BENCH_DB, pct)
import licenses_bench as pages  # noqa: E402  (alternate_in_process, alternate_served)

DB_NAME = hall.DB_NAME
MARK_PREFIX = "R-"  # the bench's case numbers
ROLLUP_GOAL_MS, RAW_GOAL_MS = 300.0, 2000.0

DRAW = """
CREATE TEMP TABLE bench_draw ON COMMIT DROP AS
SELECT g, v, online, outcome, visits, notices, repeated, waived, licence, rated, by_default, deemed, level,
       closed_on, decided_on, decided_on - span AS accepted_on, decided_on - span - (g %% 2) AS received_on,
       CASE WHEN late THEN decided_on - 1 - (g %% 5) ELSE decided_on + (g %% 9) END AS promised_deadline,
       (closed_on + time '09:00' + r_time * interval '8 hours') AT TIME ZONE 'Asia/Shanghai' AS closed_at,
       (decided_on + time '10:00' + r_time * interval '6 hours') AT TIME ZONE 'Asia/Shanghai' AS decided_at,
       paused
FROM (
    SELECT g, v, r_ch < 0.60 AS online,
           CASE WHEN r_out < 0.03 THEN 'not_accepted' WHEN r_out < 0.09 THEN 'denied' ELSE 'approved' END AS outcome,
           CASE WHEN r_ch < 0.60 THEN (CASE WHEN r_vis < 0.70 THEN 0 WHEN r_vis < 0.95 THEN 1 ELSE 2 END)
                ELSE (CASE WHEN r_vis < 0.88 THEN 1 ELSE 2 END) END AS visits,
           CASE WHEN r_notice < 0.02 THEN 2 WHEN r_notice < 0.14 THEN 1 ELSE 0 END AS notices,
           r_notice < 0.01 AS repeated, r_waive < 0.35 AS waived, r_waive < 0.10 AS licence,
           r_rate < 0.65 AS rated, r_rate < 0.065 AS by_default, r_misc < 0.02 AS deemed,
           CASE WHEN r_level < 0.68 THEN 5 WHEN r_level < 0.86 THEN 4 WHEN r_level < 0.94 THEN 3
                WHEN r_level < 0.97 THEN 2 ELSE 1 END AS level,
           closed_on, closed_on - floor(r_time * 3)::int AS decided_on, 1 + floor(r_span * 15)::int AS span,
           r_late < 0.06 AS late, r_time,
           CASE WHEN r_notice < 0.14 THEN 1 + floor(r_misc * 5)::int ELSE 0 END AS paused
    FROM (
        SELECT g, v, r_ch, r_out, r_vis, r_notice, r_waive, r_rate, r_level, r_misc, r_late, r_time, r_span,
               day - CASE extract(isodow FROM day) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS closed_on
        FROM (
            SELECT g, 1 + floor(%(n_items)s * random() ^ 2)::int AS v, random() AS r_ch, random() AS r_out,
                   random() AS r_vis, random() AS r_notice, random() AS r_waive, random() AS r_rate,
                   random() AS r_level, random() AS r_misc, random() AS r_late, random() AS r_time,
                   random() AS r_span, %(today)s::date - floor(random() * 365)::int AS day
            FROM generate_series(1, %(n)s) AS g
        ) AS a
    ) AS b
) AS c;
ALTER TABLE bench_draw ADD PRIMARY KEY (g);
"""

STATEMENTS = [
    # One application per case; its channel is the case's.
    """INSERT INTO cases_application (id, channel, idempotency_key, applicant_name, applicant_id_number,
           applicant_mobile, form_data, created_at, submitted_at, applicant_id, submitted_by_id, item_id, proxy_consent)
       SELECT %(app0)s + g, CASE WHEN online THEN 'online' ELSE 'window' END, '', %(name)s, %(id_number)s,
              %(mobile)s, '{}'::jsonb, received_on::timestamptz, received_on::timestamptz, %(citizen)s,
              CASE WHEN online THEN %(citizen)s ELSE %(clerk)s END, (%(items)s::bigint[])[v], ''
       FROM bench_draw""",
    """INSERT INTO cases_case (id, number, state, step_index, step_role, step_started_on, received_at, received_on,
           acceptance_due, accepted_on, deemed_accepted, paused_since, paused_workdays, pause_counts,
           promised_deadline, legal_deadline, light, warned_on, decided_at, decision_reasons, refusal_reasons,
           delivery_method, delivery_reference, closed_at, visit_count, updated_at, application_id, assignee_id,
           department_id, item_id, version_id)
       SELECT %(case0)s + g, 'R-' || lpad(g::text, 8, '0'), 'closed', 0, '', NULL,
              received_on::timestamptz, received_on, received_on + 5,
              CASE WHEN outcome <> 'not_accepted' THEN accepted_on END, deemed AND outcome <> 'not_accepted', NULL,
              CASE WHEN outcome <> 'not_accepted' THEN paused ELSE 0 END, false,
              CASE WHEN outcome <> 'not_accepted' THEN promised_deadline END,
              CASE WHEN outcome <> 'not_accepted'
                   THEN promised_deadline + ((%(legal)s::int[])[v] - (%(promised)s::int[])[v]) END,
              '', NULL, CASE WHEN outcome <> 'not_accepted' THEN decided_at END,
              CASE WHEN outcome = 'approved' THEN '符合条件' ELSE '' END,
              CASE WHEN outcome = 'denied' THEN '不符合条件' WHEN outcome = 'not_accepted' THEN '不属于受理范围' ELSE '' END,
              CASE WHEN outcome = 'approved' AND visits < 2 AND online THEN 'post' ELSE '' END, '',
              closed_at, visits, closed_at, %(app0)s + g, NULL, (%(departments)s::bigint[])[v],
              (%(items)s::bigint[])[v], (%(versions)s::bigint[])[v]
       FROM bench_draw""",
    """INSERT INTO cases_visit (id, reason, at, note, case_id, recorded_by_id, proxy_agent_id)
       SELECT %(visit0)s + 2 * g + k, CASE WHEN k = 1 AND NOT online THEN 'submit' WHEN k = 1 THEN 'pickup'
                                           ELSE 'supplement' END,
              CASE WHEN k = 1 THEN received_on::timestamptz ELSE closed_at END, '', %(case0)s + g, %(clerk)s, NULL
       FROM bench_draw CROSS JOIN LATERAL generate_series(1, visits) AS k""",
    """INSERT INTO cases_onetimenotice (issued_at, note, supplemented_at, case_id, issued_by_id)
       SELECT received_on::timestamptz + k * interval '1 hour', '', received_on::timestamptz + interval '2 days',
              %(case0)s + g, %(clerk)s
       FROM bench_draw CROSS JOIN LATERAL generate_series(1, notices) AS k""",
    """INSERT INTO supervision_ruleviolation (rule, at, detail, actor_id, case_id, department_id)
       SELECT 'repeated_notice', received_on::timestamptz + interval '2 hours', '{"materials": ["申请书"]}'::jsonb,
              %(clerk)s, %(case0)s + g, (%(departments)s::bigint[])[v]
       FROM bench_draw WHERE repeated""",
    """INSERT INTO registries_waivedmaterial (name, registry, reference, provider, snapshot, found, created_at, case_id)
       SELECT m.name, m.registry, m.reference, 'bench', '{}'::jsonb, true, received_on::timestamptz, %(case0)s + g
       FROM bench_draw CROSS JOIN LATERAL (VALUES ('居民身份证', 'population', %(id_number)s, true),
                                                  ('营业执照', 'licence', 'JY14307030000001', licence)) AS m(name, registry,
                                                                                                          reference, keep)
       WHERE waived AND m.keep""",
    # 一事一评: one online rating per case for 65 % of them, some by default (15 days after the result).
    """INSERT INTO ratings_rating (id, channel, level, aspects, comment, is_default, rated_at, voided_at, case_id,
           clerk_id, department_id, rater_id, ticket_id, visit_id, window_id)
       SELECT %(rating0)s + g, 'online', CASE WHEN by_default THEN 4 ELSE level END, '{}'::jsonb, '', by_default,
              closed_at + CASE WHEN by_default THEN interval '15 days' ELSE r_time * interval '3 days' END,
              NULL, %(case0)s + g, NULL, (%(departments)s::bigint[])[v], %(citizen)s, NULL, NULL, NULL
       FROM (SELECT *, (g %% 997) / 997.0 AS r_time FROM bench_draw) AS d
       WHERE rated AND closed_at + CASE WHEN by_default THEN interval '15 days' ELSE r_time * interval '3 days' END
                       < now()""",
    # 一次一评: a rating per recorded trip for 85 % of them, on the rating pad.
    """INSERT INTO ratings_rating (id, channel, level, aspects, comment, is_default, rated_at, voided_at, case_id,
           clerk_id, department_id, rater_id, ticket_id, visit_id, window_id)
       SELECT %(rating0)s + %(n)s + 2 * g + k, 'onsite', l.level, '{}'::jsonb, '', false,
              v.at + interval '5 minutes', NULL, NULL, %(clerk)s, (%(departments)s::bigint[])[d.v], NULL, NULL, v.id,
              (%(windows)s::bigint[])[1 + d.g %% cardinality(%(windows)s::bigint[])]
       FROM bench_draw d CROSS JOIN LATERAL generate_series(1, visits) AS k
       JOIN cases_visit v ON v.id = %(visit0)s + 2 * d.g + k
       CROSS JOIN LATERAL (SELECT random() AS r) AS x
       CROSS JOIN LATERAL (SELECT CASE WHEN x.r < 0.72 THEN 5 WHEN x.r < 0.88 THEN 4 WHEN x.r < 0.95 THEN 3
                                       WHEN x.r < 0.98 THEN 2 ELSE 1 END AS level) AS l
       WHERE random() < 0.85""",
]

TICKETS = """
INSERT INTO hall_ticket (id, day, seq, number, token, channel, priority, due_at, state, taken_at, queued_at, called_at,
                         call_count, started_at, finished_at, area_id, case_id, clerk_id, holder_id,
                         transferred_from_id, window_id, kiosk_id)
SELECT %(ticket0)s + t, day, t, 'R' || lpad((t %% 1000)::text, 3, '0'), md5('rbench' || t), 'kiosk', false, NULL,
       'done', at, at, at + interval '10 minutes', 1, at + interval '11 minutes', at + interval '20 minutes',
       (%(window_areas)s::bigint[])[1 + t %% cardinality(%(windows)s::bigint[])], NULL, %(clerk)s, NULL, NULL,
       (%(windows)s::bigint[])[1 + t %% cardinality(%(windows)s::bigint[])], NULL
FROM (SELECT t, day, (day + time '09:00' + random() * interval '8 hours') AT TIME ZONE 'Asia/Shanghai' AS at
      FROM (SELECT t, %(today)s::date - floor(random() * 365)::int AS day FROM generate_series(1, %(n)s) AS t) AS a
      WHERE extract(isodow FROM day) < 6) AS b;
INSERT INTO ratings_rating (id, channel, level, aspects, comment, is_default, rated_at, voided_at, case_id, clerk_id,
                            department_id, rater_id, ticket_id, visit_id, window_id)
SELECT %(rating0)s + 3 * %(cases)s + 10 + t.id - %(ticket0)s, 'onsite',
       CASE WHEN r < 0.70 THEN 5 WHEN r < 0.87 THEN 4 WHEN r < 0.95 THEN 3 WHEN r < 0.98 THEN 2 ELSE 1 END,
       '{}'::jsonb, '', false, t.finished_at + interval '1 minute', NULL, NULL, %(clerk)s,
       (%(departments)s::bigint[])[1 + floor(r2 * cardinality(%(departments)s::bigint[]))::int], NULL, t.id, NULL,
       t.window_id
FROM (SELECT *, random() AS r, random() ^ 2 AS r2 FROM hall_ticket WHERE id > %(ticket0)s
      ORDER BY id LIMIT %(keep)s) AS t;
DELETE FROM hall_ticket t WHERE id > %(ticket0)s AND NOT EXISTS (SELECT 1 FROM ratings_rating r WHERE r.ticket_id = t.id);
"""

RECTIFICATIONS = """
UPDATE ratings_rating SET voided_at = rated_at + interval '3 days'
WHERE id > %(rating0)s AND level <= 2 AND NOT is_default AND id %% 40 = 0;
INSERT INTO ratings_rectification (started_on, limit_workdays, paused_since, paused_workdays, deadline, light, state,
                                   opened_at, return_visit_answer, return_visit_note, visited_at, measures, closed_at,
                                   closed_on_time, closed_by_id, department_id, rating_id, visited_by_id)
SELECT rated_on, 5, NULL, 0, rated_on + 7, '',
       CASE WHEN voided_at IS NOT NULL THEN 'voided' WHEN closes < now() THEN 'closed' ELSE 'open' END,
       rated_at, CASE WHEN closes < now() THEN 'satisfied' ELSE '' END, '',
       CASE WHEN closes < now() THEN closes - interval '1 hour' END,
       CASE WHEN closes < now() THEN '已整改' ELSE '' END,
       CASE WHEN voided_at IS NULL AND closes < now() THEN closes END,
       CASE WHEN voided_at IS NULL AND closes < now() THEN closes::date <= rated_on + 7 END,
       CASE WHEN voided_at IS NULL AND closes < now() THEN %(clerk)s END, department_id, id,
       CASE WHEN closes < now() THEN %(clerk)s END
FROM (SELECT *, (rated_at AT TIME ZONE 'Asia/Shanghai')::date AS rated_on,
             rated_at + (1 + id %% 9) * interval '1 day' AS closes
      FROM ratings_rating WHERE id > %(rating0)s AND level <= 2 AND NOT is_default) AS r;
"""


def load(n: int, m: int) -> None:
    """The demo district, then the bench's cases and ratings (see the module's docstring)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from onetrip.accounts.models import User
    from onetrip.catalog.models import ServiceItem
    from onetrip.hall.models import Window

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-history")
    print(f"  migrate + demo district {time.perf_counter() - t0:.1f} s", flush=True)
    items = list(ServiceItem.objects.filter(current__isnull=False).select_related("current").order_by("id"))
    citizen, clerk = User.objects.get(username="13907360001"), User.objects.get(username="chuangkou")
    windows = list(Window.objects.order_by("id"))
    today = timezone.localdate()
    t1 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # skip the per-row deferred FK triggers
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SELECT setseed(0.42)")

        def top(table: str) -> int:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1000 FROM {table}")  # noqa: S608 (our own names)
            return int(cursor.fetchone()[0])

        params: dict[str, Any] = {
            "n": n, "cases": n, "today": today, "n_items": len(items), "name": citizen.real_name,
            "id_number": citizen.resident_id, "mobile": citizen.mobile, "citizen": citizen.pk, "clerk": clerk.pk,
            "items": [i.pk for i in items], "versions": [i.current_id for i in items],
            "departments": [i.current.department_id for i in items],  # type: ignore[union-attr]
            "promised": [i.current.promised_limit_days for i in items],  # type: ignore[union-attr]
            "legal": [i.current.legal_limit_days for i in items],  # type: ignore[union-attr]
            "app0": top("cases_application"), "case0": top("cases_case"), "visit0": top("cases_visit"),
            "rating0": top("ratings_rating"), "ticket0": top("hall_ticket"),
            "windows": [w.pk for w in windows], "window_areas": [w.area_id for w in windows],
        }
        for sql in [*DRAW.split(";\n"), *STATEMENTS]:
            if sql.strip():
                cursor.execute(sql, params)
        cursor.execute("SELECT count(*) FROM ratings_rating WHERE id > %(rating0)s", params)
        so_far = int(cursor.fetchone()[0])
        tickets = max(0, m - so_far)
        for sql in [*TICKETS.split(";\n"), *RECTIFICATIONS.split(";\n")]:  # weekends dropped: ~5/7 kept
            if sql.strip():
                cursor.execute(sql, {**params, "n": int(tickets * 1.45) + 100, "keep": tickets})
        print(f"  {so_far:,} ratings of cases and trips, {tickets:,} of hall tickets", flush=True)
        for table in ("cases_application", "cases_case", "cases_visit", "hall_ticket", "ratings_rating"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    t2 = time.perf_counter()
    connection.cursor().execute("VACUUM ANALYZE")
    print(f"  inserted {n:,} finished cases and their rows in {t2 - t1:.1f} s; VACUUM ANALYZE "
          f"{time.perf_counter() - t2:.1f} s", flush=True)


def ensure_data(n: int, m: int, regenerate: bool) -> None:
    import psycopg

    with psycopg.connect(queries.PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    if exists and not regenerate:
        with psycopg.connect(hall.DATABASE_URL.replace("postgres://", "postgresql://")) as conn:
            try:
                found = conn.execute("SELECT count(*) FROM cases_case WHERE number LIKE %s",
                                     [MARK_PREFIX + "%"]).fetchone()
            except psycopg.errors.UndefinedTable:
                found = None
        if found and found[0] >= n:
            print(f"data: {DB_NAME} already holds {found[0]:,} bench cases (--regenerate to make them again)")
            hall.setup_django()
            return
    print(f"data: making {DB_NAME} …", flush=True)
    queries.admin_execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    hall.setup_django()
    t0 = time.perf_counter()
    load(n, m)
    print(f"data: generated in {time.perf_counter() - t0:.1f} s", flush=True)


def census() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        out = []
        for label, sql in (("finished cases", "SELECT count(*) FROM cases_case WHERE state = 'closed'"),
                           ("ratings", "SELECT count(*) FROM ratings_rating"),
                           ("visits", "SELECT count(*) FROM cases_visit"),
                           ("notices", "SELECT count(*) FROM cases_onetimenotice"),
                           ("waived materials", "SELECT count(*) FROM registries_waivedmaterial"),
                           ("rectifications", "SELECT count(*) FROM ratings_rectification")):
            cursor.execute(sql)
            out.append(f"{label} {cursor.fetchone()[0]:,}")
    return ", ".join(out)


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def time_rollup(explain: bool) -> None:
    from django.utils import timezone

    from onetrip.reports import metrics, services
    from onetrip.reports.models import DailyDepartmentRollup, DailyRollup, RollupMark

    DailyRollup.objects.all().delete()
    DailyDepartmentRollup.objects.all().delete()
    RollupMark.objects.all().delete()
    today = timezone.localdate()
    print(f"\n== rollup ({load_average()})", flush=True)
    t0 = time.perf_counter()
    full = services.roll_up(max_days=400)
    took = time.perf_counter() - t0
    print(f"  full roll_up from nothing: {full['days']} days, {full['rows']:,} rows in {took:.1f} s "
          f"({took / max(full['days'], 1) * 1000:.0f} ms a day)", flush=True)
    t0 = time.perf_counter()
    again = services.roll_up()
    print(f"  incremental roll_up (today): {again['days']} day(s), {again['rows']} rows in "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms", flush=True)
    day = today - dt.timedelta(days=1)
    while day.weekday() >= 5:  # the last weekday before today: a busy day
        day -= dt.timedelta(days=1)
    parts = {
        "fact_rows (cases, notices, violations, waived)": lambda: list(metrics.fact_rows(
            metrics.finished_cases(day, day))),
        "facts_of (the rows + facts in Python)": lambda: metrics.facts_of(metrics.finished_cases(day, day)),
        "department_facts (ratings, rectifications, cards)": lambda: metrics.department_facts(day),
        "roll_day (all of it, with the writes)": lambda: services.roll_day(day),
    }
    n_cases = metrics.finished_cases(day, day).count()
    print(f"  one day ({day}, {n_cases:,} cases finished), p50/p95 of 5 runs:")
    for label, fn in parts.items():
        p50, p95, _ = queries.timed(fn, 5, warmup=1)
        print(f"    {label:<52} {p50:8.0f} / {p95:8.0f} ms")
    if explain:
        for label, fn in list(parts.items())[:3:2]:
            print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {label}")
            for line in queries.explain(fn):
                print("    " + line)


def time_pages(n: int, explain: bool) -> None:
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from onetrip.accounts.models import Department, User
    from onetrip.reports import metrics

    client = Client()
    client.force_login(User.objects.get(username="jiancha"))
    today = timezone.localdate()
    year_ago = (today - dt.timedelta(days=364)).isoformat()
    big = Department.objects.filter(cases__state="closed").annotate(n=Count("cases")).order_by("-n").first()
    since = today.replace(day=1)
    month_cases = metrics.finished_cases(since, today).count()
    last_page = max(1, (month_cases + 49) // 50)
    year = metrics.finished_cases(dt.date.fromisoformat(year_ago), today)
    year_last = max(1, (year.count() + 49) // 50)
    big_last = max(1, (year.filter(department=big).count() + 49) // 50)
    checks = [
        ("/reports/ (this month)", "/reports/", ROLLUP_GOAL_MS),
        ("/reports/ (twelve months)", f"/reports/?since={year_ago}", ROLLUP_GOAL_MS),
        (f"/reports/ (department {big.code if big else '-'})", f"/reports/?department={big.pk if big else ''}",
         ROLLUP_GOAL_MS),
        ("/reports/cases/ (this month, page 1)", "/reports/cases/", RAW_GOAL_MS),
        (f"/reports/cases/ (this month, page {last_page})", f"/reports/cases/?page={last_page}", RAW_GOAL_MS),
        ("/reports/cases/ (twelve months, page 1)", f"/reports/cases/?since={year_ago}", RAW_GOAL_MS),
        (f"/reports/cases/ (twelve months, page {year_last})", f"/reports/cases/?since={year_ago}&page={year_last}",
         RAW_GOAL_MS),
        ("/reports/cases/ (one department, this month)", f"/reports/cases/?department={big.pk if big else ''}",
         RAW_GOAL_MS),
        (f"/reports/cases/ (one department, twelve months, page {big_last})",
         f"/reports/cases/?since={year_ago}&department={big.pk if big else ''}&page={big_last}", RAW_GOAL_MS),
    ]
    print(f"\n== supervisor's pages, test client, {n} requests each ({load_average()}; "
          f"{month_cases:,} cases finished this month)", flush=True)
    print(f"  {'page':<58} {'p50 ms':>8} {'p95 ms':>8}  goal")
    for label, url, goal in checks:
        def get(url: str = url) -> Any:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        p50, p95, _ = queries.timed(get, n, warmup=2)
        print(f"  {label:<58} {p50:8.0f} {p95:8.0f}  ≤ {goal:.0f} ms {'met' if p95 <= goal else 'NOT met'}",
              flush=True)
    if explain:
        print("\n--- EXPLAIN (ANALYZE, BUFFERS): /reports/cases/ (twelve months, page 1)")
        for line in queries.explain(lambda: client.get(f"/reports/cases/?since={year_ago}")):
            print("    " + line)


def compare_public(n: int, server: bool, threads: int) -> None:
    from django.test import Client

    print(f"\n== /performance/ beside /healthz ({load_average()})", flush=True)
    rates = pages.alternate_in_process(["/healthz", "/performance/"], n, Client())
    print(f"  test client, alternated, {n} each: /healthz {rates['/healthz']:.0f} req/s, /performance/ "
          f"{rates['/performance/']:.0f} req/s, ratio {rates['/performance/'] / rates['/healthz']:.0%}", flush=True)
    if server:
        from django.db import connections

        connections.close_all()
        rates = pages.alternate_served(["/healthz", "/performance/"], max(n, 300), threads)
        print(f"  gunicorn, 1 sync worker, {threads} client threads: /healthz {rates['/healthz']:.0f} req/s, "
              f"/performance/ {rates['/performance/']:.0f} req/s, ratio "
              f"{rates['/performance/'] / rates['/healthz']:.0%} ({load_average()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=3_000_000)
    parser.add_argument("--requests", type=int, default=30, help="requests per page (p50/p95)")
    parser.add_argument("--regenerate", action="store_true", help=f"drop {DB_NAME} and make the data again")
    parser.add_argument("--server", action="store_true", help="also /performance/ and /healthz through gunicorn")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads against the server")
    parser.add_argument("--explain", action="store_true", help="print the plans of the rollup's and drill-down's queries")
    parser.add_argument("--skip-rollup", action="store_true", help="keep the rollups as they are (pages only)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores shared by PostgreSQL, the server and the clients; {load_average()}", flush=True)
    ensure_data(args.cases, args.ratings, args.regenerate)
    print(f"data: {census()}", flush=True)
    if not args.skip_rollup:
        time_rollup(args.explain)
    time_pages(args.requests, args.explain)
    compare_public(max(args.requests * 10, 100), args.server, args.concurrency)


if __name__ == "__main__":
    main()
