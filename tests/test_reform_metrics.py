"""The reform metrics (reports.metrics) on a small data set computed by hand: three cases finished
on Fri 21 Nov 2025 (and one withdrawn, not counted), their counters rolled up by day, department
and item, and the dashboard and drill-down that read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onetrip.accounts.models import Role
from onetrip.cases import services
from onetrip.cases.models import Application, Case, State
from onetrip.reports import metrics, selectors
from onetrip.reports import services as reports
from onetrip.reports.models import DailyRollup, RollupMark

from .conftest import apply, at, make_department, make_user, supplement

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 11, 21)
CLOSED_AT = dt.datetime(2025, 11, 21, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def finish(case, **fields):
    Case.objects.filter(pk=case.pk).update(state=State.CLOSED, closed_at=CLOSED_AT, **fields)


@pytest.fixture
def data(citizen, item, staff):
    """1: online, no trip, deemed accepted, decided Wed 19 (2 working days; promised by Thu 20).
    2: online, one trip, one one-time notice, decided Fri 21 (4 working days: late).
    3: at the window, two trips, not accepted (no decision).
    4: withdrawn (not counted)."""
    with at("2025-11-17"):
        one = services.transition(case=apply(citizen, key="1"), action="accept", actor=staff.clerk)
        two = apply(citizen, key="2")
        two = services.issue_notice(case=two, actor=staff.clerk,
                                    items=[{"material": "个体工商户登记（备案）申请书", "reason": "未签字"}])
        two = services.transition(case=supplement(two, citizen), action="accept", actor=staff.clerk)
        three = services.transition(case=apply(citizen, key="3"), action="refuse", actor=staff.clerk,
                                    data={"reasons": "不属于本部门职权范围"})
        four = services.transition(case=apply(citizen, key="4"), action="withdraw", actor=citizen)
    finish(one, visit_count=0, deemed_accepted=True,
           decided_at=dt.datetime(2025, 11, 19, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    finish(two, visit_count=1, decided_at=CLOSED_AT)
    finish(three, visit_count=2)
    Application.objects.filter(pk=three.application_id).update(channel="window")
    Case.objects.filter(pk=four.pk).update(closed_at=CLOSED_AT)  # withdrawn: state stays withdrawn
    return [Case.objects.get(pk=c.pk) for c in (one, two, three)]


def test_each_metric_on_a_hand_computed_set(data, item):
    one, two, three = data
    assert [c.pk for c in metrics.finished_cases(DAY, DAY).order_by("id")] == [one.pk, two.pk, three.pk]
    by_id = {row["id"]: f for row, f in metrics.facts_of(metrics.finished_cases(DAY, DAY))}
    facts = [by_id[c.pk] for c in data]
    assert [f["workdays_used"] for f in facts] == [2, 4, 0]
    assert [f["on_time"] for f in facts] == [1, 0, 0]
    assert [f["notices"] for f in facts] == [0, 1, 0]
    m = item.materials.filter(required=True).count()
    assert [f["materials"] for f in facts] == [m, m, m]
    got = metrics.compute(metrics.add_up(facts))
    assert got["finished"] == 3
    assert got["one_trip_rate"] == pytest.approx(2 / 3)  # trips 0 and 1 of 0, 1, 2
    assert got["zero_trip_rate"] == pytest.approx(1 / 3)
    assert got["online_share"] == pytest.approx(2 / 3)
    assert got["on_time_rate"] == pytest.approx(1 / 2)  # of the two decided
    assert got["avg_workdays"] == pytest.approx(3)  # (2 + 4) / 2
    assert got["avg_promised"] == pytest.approx(3) and got["avg_legal"] == pytest.approx(15)
    assert got["deemed"] == 1
    assert got["notices_per_case"] == pytest.approx(1 / 3)
    assert got["waived_rate"] == 0 and got["licence_reuse"] == 0


def test_no_cases_give_no_rate_rather_than_a_division_by_zero():
    got = metrics.compute({})
    assert got["finished"] == 0 and got["one_trip_rate"] is None and got["on_time_rate"] is None


def test_the_daily_rollup_gives_the_same_figures_and_runs_incrementally(data):
    result = reports.roll_up(today=dt.date(2025, 11, 22), first=dt.date(2025, 11, 20))
    assert result == {"days": 3, "rows": 1}  # 20, 21 (one department and item), 22
    assert RollupMark.objects.get().day == DAY  # 22 is today: rolled again next time
    row = DailyRollup.objects.get()
    assert (row.day, row.finished, row.decided, row.one_trip) == (DAY, 3, 2, 2)
    figures = selectors.figures(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    assert figures == metrics.compute(metrics.add_up(f for _row, f in metrics.facts_of(metrics.finished_cases(DAY, DAY))))
    assert figures["finished"] == len(data)
    assert reports.roll_up(today=dt.date(2025, 11, 22)) == {"days": 1, "rows": 0}  # only today again
    # A day rolled again replaces its rows (no double counting).
    reports.roll_day(DAY)
    assert DailyRollup.objects.get().finished == 3


def test_the_dashboard_and_its_drill_down_for_the_supervisor_and_a_department(data, staff):
    reports.roll_up(today=dt.date(2025, 11, 22), first=DAY)
    c = Client()
    c.force_login(make_user(Role.SUPERVISOR))
    page = c.get("/reports/?since=2025-11-01&until=2025-11-30").content.decode()
    assert "67%" in page and "50%" in page  # one trip 2/3, on time 1/2
    assert data[0].department.name in page  # the departments ranked
    cases = c.get("/reports/cases/?since=2025-11-21&until=2025-11-21").content.decode()
    assert all(case.number in cases for case in data)
    officer = Client()
    officer.force_login(staff.officer)
    assert "67%" in officer.get("/reports/?since=2025-11-01&until=2025-11-30&department=999").content.decode()
    citizen = Client()
    citizen.force_login(data[0].application.applicant)
    assert citizen.get("/reports/").status_code == 404
    assert c.get("/reports/?since=garbage&until=2025-13-45").status_code == 200  # a bad date: this month


def test_the_drill_down_pages_through_the_finished_cases_in_closing_order(data, staff):
    """Closing time, then id; the withdrawn case left out; a page past the last shows the last."""
    one, two, three = data
    Case.objects.filter(pk=one.pk).update(closed_at=CLOSED_AT + dt.timedelta(hours=1))
    page, cases = selectors.finished_page(DAY, DAY, department_id=None, number="1", per_page=2)
    assert [c.pk for c in cases] == sorted([two.pk, three.pk]) and page.paginator.count == 3
    assert cases[0].version.name and cases[0].department.name
    page, cases = selectors.finished_page(DAY, DAY, department_id=None, number="9", per_page=2)
    assert [c.pk for c in cases] == [one.pk] and page.number == 2 and not page.has_next()
    assert selectors.finished_page(DAY, DAY, department_id=one.department_id + 1000, number="1")[1] == []
    c = Client()
    c.force_login(make_user(Role.SUPERVISOR))
    html = c.get(f"/reports/cases/?since={DAY}&until={DAY}&page=x").content.decode()
    assert html.index(two.number) < html.index(one.number) and three.number in html


def test_the_public_performance_page_shows_final_days_only_and_is_cached_until_the_next_day(data, client):
    client.cookies["django_language"] = "zh-hans"
    assert "尚未公布数据" in client.get("/performance/").content.decode()
    reports.roll_up(today=dt.date(2025, 11, 22), first=DAY)  # 21 final, 22 partial
    first = client.get("/performance/")
    page = first.content.decode()
    assert "2025-01-01" in page and "2025-11-21" in page and "67%" in page and "2025-11" in page
    assert data[0].department.name in page
    assert "张测试" not in page and data[0].number not in page  # figures, never people or cases
    assert client.get("/performance/")["X-Page-Cache"] == "hit"
    reports.roll_up(today=dt.date(2025, 11, 23))  # the 22nd becomes final: a new key
    assert "X-Page-Cache" not in client.get("/performance/")
    assert "2025-11-22" in client.get("/performance/").content.decode()


def test_the_monthly_report_is_made_once_the_month_is_final_as_pdf_with_charts_and_excel(data, settings):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from onetrip.reports.models import MonthlyReport

    reports.roll_up(today=dt.date(2025, 11, 30), first=dt.date(2025, 11, 20))
    assert reports.monthly_due(today=dt.date(2025, 12, 1)) is None  # 30 Nov not final yet
    reports.roll_up(today=dt.date(2025, 12, 1))
    report = reports.monthly_due(today=dt.date(2025, 12, 1))
    assert report is not None and report.month == dt.date(2025, 11, 1)
    assert reports.monthly_due(today=dt.date(2025, 12, 2)) is None and MonthlyReport.objects.count() == 1
    with report.pdf.open("rb") as f:
        pdf = f.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "2025-11" in text and "最多跑一次" in text and "66.7%" in text and "50.0%" in text
    assert data[0].department.name in text and "87.9%" in text  # the chart's reference line label
    with report.xlsx.open("rb") as f:
        wb = load_workbook(io.BytesIO(f.read()))
    metrics_sheet = wb.worksheets[0]
    values = {row[0]: row[1] for row in metrics_sheet.iter_rows(min_row=3, values_only=True)}
    assert values["办结件数"] == 3 and values["最多跑一次"] == pytest.approx(0.6667, abs=1e-4)
    assert wb.worksheets[2].max_row == 2  # one rollup row, under its header
    c = Client()
    c.force_login(make_user(Role.SUPERVISOR))
    assert "2025-11" in c.get("/reports/monthly/").content.decode()
    response = c.get(f"/reports/monthly/{report.pk}.pdf")
    assert response.status_code == 200 and response.content == pdf
    assert c.get(f"/reports/monthly/{report.pk}.xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert c.get(f"/reports/monthly/{report.pk}.doc").status_code == 404


def test_satisfaction_and_cards_roll_up_by_department(data, citizen):
    """On 21 Nov: ratings 非常满意, 基本满意, 不满意 and a default 满意 (a fifth, 非常不满意, voided by the
    supervisor): satisfaction 3 ÷ 4, one of four by default; a yellow and a red card."""
    from onetrip.ratings.models import Rating
    from onetrip.supervision.models import Card

    one, two, three = data
    extra = apply(citizen, key="5")
    rated = dt.datetime(2025, 11, 21, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for case, level, default, voided in ((one, 5, False, None), (two, 3, False, None), (three, 2, False, None),
                                         (Case.objects.get(application__idempotency_key="4"), 4, True, None),
                                         (extra, 1, False, rated)):
        Rating.objects.create(channel="online", level=level, is_default=default, department=case.department,
                              case=case, rated_at=rated, voided_at=voided)
    for colour in ("yellow", "red"):
        Card.objects.create(key=f"t:{colour}", colour=colour, reason="violation", department=one.department,
                            issued_at=rated, issued_on=DAY)
    # 12345: two complaints that day naming the department (a third merged into the first counts
    # once), a consultation, and a complaint of the next day.
    from onetrip.hotline.models import Ticket

    def ticket(n, kind="complaint", at=rated, main=None):
        return Ticket.objects.create(number=f"12345-T{n}", kind=kind, channel="phone", text="窗口态度差", caller_mobile="13907360099",
                                     department=one.department, created_at=at, received_on=at.date(), main=main)

    first = ticket(1)
    ticket(2), ticket(3, main=first), ticket(4, kind="consultation"), ticket(5, at=rated + dt.timedelta(days=1))
    reports.roll_up(today=dt.date(2025, 11, 22), first=DAY)
    got = selectors.figures(DAY, DAY)
    assert got["complaints"] == 2
    assert got["ratings"] == 4 and got["satisfaction_rate"] == pytest.approx(3 / 4)
    assert got["default_share"] == pytest.approx(1 / 4)
    assert (got["yellow_cards"], got["red_cards"]) == (1, 1)
    assert got["rectification_on_time_rate"] is None  # none closed
    [(department, figures)] = selectors.by_department(DAY, DAY)
    assert department == one.department and figures["satisfaction_rate"] == pytest.approx(3 / 4)
    assert selectors.monthly(DAY, DAY)[0][1]["ratings"] == 4


def test_the_metrics_api_answers_from_the_rollups_within_the_viewers_scope(data, staff):
    reports.roll_up(today=dt.date(2025, 11, 22), first=DAY)
    c = Client()
    c.force_login(make_user(Role.SUPERVISOR))
    body = c.get("/api/v1/metrics", {"since": "2025-11-01", "until": "2025-11-30"}).json()
    got = {m["code"]: m["value"] for m in body["metrics"]}
    assert got["finished"] == 3 and got["one_trip_rate"] == pytest.approx(2 / 3) and body["department"] is None
    assert c.get("/api/v1/metrics", {"since": "2025-11-30", "until": "2025-11-01"}).status_code == 400
    officer = Client()
    officer.force_login(make_user(Role.OFFICER, make_department(data[0].department.division, code="ZJJ", name="区住建局")))
    other = officer.get("/api/v1/metrics", {"since": "2025-11-01", "until": "2025-11-30",
                                            "department": data[0].department_id}).json()
    assert {m["code"]: m["value"] for m in other["metrics"]}["finished"] == 0  # their own department only
    citizen = Client()
    citizen.force_login(data[0].application.applicant)
    assert citizen.get("/api/v1/metrics").status_code == 403


def test_the_windows_metrics_on_a_hand_computed_set(data, district, settings):
    """Per window: tickets served and their wait, the cases taken in and their trips, the ratings on
    the window's pad. Window 1 serves three tickets in the period (waits of 10, 20 and 0 minutes)
    that led to case 1 (no trip) and case 3 (two trips); a no-show and a ticket of another day do
    not count; of three ratings, one is voided."""
    from onetrip.hall.models import Ticket
    from onetrip.ratings.models import Rating

    from .hall_fixtures import build_hall, moment

    world = build_hall(district)
    w1 = world.windows[0]
    one, _two, three = data

    def ticket(seq, day=DAY, state="done", wait=0, case=None):
        queued = moment(day, 9, 0)
        return Ticket.objects.create(area=world.a, day=day, seq=seq, number=f"A{seq:03d}", token=f"t{seq}",
                                     channel="kiosk", state=state, taken_at=queued, queued_at=queued,
                                     called_at=queued + dt.timedelta(minutes=wait), window=w1, case=case)

    t1, t2, t3 = ticket(1, wait=10, case=one), ticket(2, wait=20, case=three), ticket(3)
    ticket(4, state="no_show", wait=5)
    ticket(5, day=DAY + dt.timedelta(days=1), wait=50, case=one)
    for t, level, voided in ((t1, 5, None), (t2, 2, None), (t3, 4, moment(DAY, 12))):
        Rating.objects.create(channel="onsite", level=level, ticket=t, window=w1, rated_at=moment(DAY, 11),
                              voided_at=voided)
    assert selectors.by_window(DAY, DAY) == []  # read from the rollups: nothing before the day is rolled
    reports.roll_day(DAY)
    reports.roll_day(DAY + dt.timedelta(days=1))
    [(window, got)] = selectors.by_window(DAY, DAY)
    assert window == w1
    assert got == {"served": 3, "avg_wait_minutes": 10.0, "taken_in": 2, "one_trip_rate": pytest.approx(1 / 2),
                   "ratings": 2, "satisfaction_rate": pytest.approx(1 / 2)}
    c = Client()
    c.force_login(make_user(Role.SUPERVISOR))
    page = c.get(f"/reports/?since={DAY}&until={DAY}").content.decode()
    assert f"{world.a.name} · {w1}" in page and "10.0" in page
    assert selectors.by_window(DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=1)) == []
    [api] = c.get("/api/v1/metrics", {"since": str(DAY), "until": str(DAY)}).json()["windows"]
    assert (api["window"], api["number"], api["area"]) == (w1.pk, 1, world.a.name)
    assert {m["code"]: m["value"] for m in api["metrics"]}["avg_wait_minutes"] == 10.0


def _plans(run):
    """Each SELECT that ``run`` makes with its plan: on PostgreSQL the indexes searched and their
    conditions, as "name[condition]" (sequential scans discouraged: its planner reads a whole small
    table rather than an index); on SQLite the query plan's lines. [(sql, plan)]"""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def searched(node):
        if "Index Name" in node:
            yield f"{node['Index Name']}[{node.get('Index Cond', '')}]"
        for child in node.get("Plans", []):
            yield from searched(child)

    with CaptureQueriesContext(connection) as ctx:
        run()
    postgres = connection.vendor == "postgresql"
    out = []
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query in ctx.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue
            if postgres:
                cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                raw = cursor.fetchone()[0]
                plan = raw if isinstance(raw, list) else json.loads(raw)
                out.append((query["sql"], " ".join(searched(plan[0]["Plan"]))))
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                out.append((query["sql"], " ".join(str(row) for row in cursor.fetchall())))
    return out


def test_a_days_rollup_and_the_drill_down_find_their_rows_by_index_not_by_reading_every_case(data):
    """Over a million finished cases and three million ratings the rollup reads one day of each
    (bench/reports_bench.py): the finished cases by ``case_closed_at``, the ratings by
    ``ratings_rated_at``, the rectifications by ``ratings_rect_closed_at``, each searched by its
    time (not read whole); the drill-down pages through the cases in that index's order (a
    department's in ``case_dept_closed_at``'s)."""
    import re

    from django.db import connection

    expected = {"cases_case": ("case_(dept_)?closed_at", "closed_at"),  # on a tiny table either will do
                "ratings_rating": ("ratings_rated_at", "rated_at"),
                "ratings_rectification": ("ratings_rect_closed_at", "closed_at")}
    plans = _plans(lambda: reports.roll_day(DAY))
    plans += _plans(lambda: selectors.finished_page(DAY, DAY, department_id=None, number="1"))
    plans += _plans(lambda: selectors.finished_page(DAY, DAY, department_id=data[0].department_id, number="1"))
    postgres = connection.vendor == "postgresql"
    seen = set()
    for sql, plan in plans:
        for table, (index, column) in expected.items():
            if f'FROM "{table}"' in sql and f'"{column}" >=' in sql:
                seen.add(table)
                if postgres:
                    assert re.search(rf"\b{index}\[[^\]]*\b{column} >=", plan), (sql, plan)
                else:  # SQLite's planner, without statistics, may pick another index, but reads no whole table
                    assert f"SCAN {table}" not in plan, plan
    assert seen == set(expected)
