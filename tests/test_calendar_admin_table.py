"""The holiday table an admin loads each year from the State Council's notice: it wins over the
chinesecalendar package for the years it covers, is loaded all or nothing, goes on the trail,
and the working-day calendar uses it as soon as the load commits."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import chinese_calendar
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from onetrip.accounts.models import Role
from onetrip.accounts.permissions import POLICY, Capability
from onetrip.core import trail
from onetrip.core.models import TrailEntry
from onetrip.workcalendar import services as calendar_services
from onetrip.workcalendar import workdays
from onetrip.workcalendar.management.commands.calendar_load import Command as CalendarLoad
from onetrip.workcalendar.models import CalendarYear, Holiday
from onetrip.workcalendar.workdays import (
    SOURCE_ADMIN,
    SOURCE_PACKAGE,
    SOURCE_WEEKDAYS,
    add_workdays,
    add_workdays_with_source,
    is_workday,
    is_workday_with_source,
    year_source,
)

from .conftest import make_user

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "holidays-example.txt"

# Made up for these tests: NOT the State Council's 2027 arrangement.
TABLE_2027 = """\
# 2027, invented for the tests
2027-01-01,holiday,元旦

2027-02-06,holiday,春节   # Saturday
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-14,holiday,春节
2027-02-20,workday,春节   # Saturday, worked
"""


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar caches per process; no test may see another test's holiday table."""
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def load(catalog_admin, django_capture_on_commit_callbacks):
    """Load a table the way production does: the calendar hears of it when the load commits."""

    def _load(year: int, text: str, note: str = "test table") -> CalendarYear:
        entries = calendar_services.parse_holiday_file(text, year=year)
        with django_capture_on_commit_callbacks(execute=True):
            return calendar_services.load_year(actor=catalog_admin, year=year, entries=entries, source_note=note)

    return _load


# --- the file format ----------------------------------------------------------------------------

def test_the_example_file_is_the_2026_arrangement_the_package_knows():
    entries = calendar_services.parse_holiday_file(EXAMPLE.read_text(encoding="utf-8"), year=2026)
    assert {day for day, kind, _ in entries if kind == "holiday"} == {
        day for day in chinese_calendar.constants.holidays if day.year == 2026}
    assert {day for day, kind, _ in entries if kind == "workday"} == {
        day for day in chinese_calendar.constants.workdays if day.year == 2026}
    assert ("2026-02-15", "holiday", "春节") in [(day.isoformat(), k, n) for day, k, n in entries]


def test_comments_and_blank_lines_are_ignored():
    text = "# a comment\n\n  \n2027-01-01,holiday,元旦  # New Year's Day\n\ufeff\n"
    assert calendar_services.parse_holiday_file(text) == [(d("2027-01-01"), "holiday", "元旦")]


@pytest.mark.parametrize(("line", "problem"), [
    ("2027-01-01;holiday;元旦", "expected"),
    ("2027-02-30,holiday,春节", "not a date"),
    ("27-1-1,holiday,元旦", "not a date"),
    ("2027-01-01,day-off,元旦", "unknown kind"),
    ("2027-01-01,holiday,", "name is missing"),
    ("2028-01-01,holiday,元旦", "not in 2027"),
    ("2027-01-05,workday,元旦", "make-up working day is a Saturday or Sunday"),
    ("2027-01-01,holiday,元旦 again", "already on line 2"),
])
def test_a_bad_line_is_named_by_its_number(line, problem):
    text = f"# header\n2027-01-01,holiday,元旦\n{line}\n" if "again" in line else f"# header\n\n{line}\n"
    with pytest.raises(ValidationError) as exc:
        calendar_services.parse_holiday_file(text, year=2027)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("Line 3:") and problem in exc.value.messages[0]


def test_a_file_without_days_is_refused():
    with pytest.raises(ValidationError, match="no days"):
        calendar_services.parse_holiday_file("# nothing yet\n")


# --- loading a year -----------------------------------------------------------------------------

def test_before_2027_is_loaded_it_is_monday_to_friday_and_says_so():
    assert add_workdays_with_source(d("2027-02-05"), 1) == (d("2027-02-08"), SOURCE_WEEKDAYS)
    assert is_workday_with_source(d("2027-02-20")) == (False, SOURCE_WEEKDAYS)


def test_after_an_admin_loads_2027_the_same_computation_uses_the_table_and_says_admin(load):
    assert add_workdays_with_source(d("2027-02-05"), 1) == (d("2027-02-08"), SOURCE_WEEKDAYS)
    load(2027, TABLE_2027)
    assert year_source(2027) == SOURCE_ADMIN
    assert add_workdays_with_source(d("2027-02-05"), 1) == (d("2027-02-15"), SOURCE_ADMIN)
    assert is_workday_with_source(d("2027-02-20")) == (True, SOURCE_ADMIN)  # the make-up Saturday
    assert is_workday_with_source(d("2027-03-06")) == (False, SOURCE_ADMIN)  # an ordinary Saturday
    assert is_workday_with_source(d("2027-03-08")) == (True, SOURCE_ADMIN)  # an ordinary Monday
    # a span from a package year into the loaded year is only as strong as the package
    assert add_workdays_with_source(d("2026-12-31"), 1) == (d("2027-01-04"), SOURCE_PACKAGE)


def test_loading_the_example_file_gives_the_packages_answers_from_the_table(load):
    load(2026, EXAMPLE.read_text(encoding="utf-8"))
    day = d("2026-01-01")
    while day.year == 2026:
        assert is_workday_with_source(day) == (chinese_calendar.is_workday(day), SOURCE_ADMIN), day
        day += timedelta(days=1)


def test_the_admin_table_wins_over_the_package_for_a_year_both_know(load):
    assert add_workdays(d("2026-02-13"), 2) == d("2026-02-24")
    longer_spring_festival = EXAMPLE.read_text(encoding="utf-8") + "2026-02-24,holiday,春节\n"
    load(2026, longer_spring_festival)
    assert is_workday_with_source(d("2026-02-24")) == (False, SOURCE_ADMIN)
    assert add_workdays_with_source(d("2026-02-13"), 2) == (d("2026-02-25"), SOURCE_ADMIN)


def test_the_table_decides_its_whole_year_without_the_package(load):
    only_new_year = "2026-01-01,holiday,元旦\n2026-01-02,holiday,元旦\n"
    load(2026, only_new_year)
    assert chinese_calendar.is_holiday(d("2026-10-01"))
    assert is_workday_with_source(d("2026-10-01")) == (True, SOURCE_ADMIN)  # not in the table: a Thursday
    assert is_workday_with_source(d("2026-02-14")) == (False, SOURCE_ADMIN)  # not in the table: a Saturday
    assert year_source(2025) == SOURCE_PACKAGE


def test_loading_again_replaces_the_whole_year_and_both_loads_are_on_the_trail(load, catalog_admin):
    load(2027, TABLE_2027, note="first")
    load(2027, "2027-01-01,holiday,元旦\n", note="国务院办公厅关于2027年部分节假日安排的通知")
    assert list(Holiday.objects.values_list("date", "kind", "name")) == [(d("2027-01-01"), "holiday", "元旦")]
    year = CalendarYear.objects.get()
    assert (year.year, year.loaded_by, year.source_note) == (2027, catalog_admin, "国务院办公厅关于2027年部分节假日安排的通知")
    assert is_workday(d("2027-02-08"))  # no longer Spring Festival
    first, second = TrailEntry.objects.filter(action="calendar.load")
    assert (first.object_type, first.object_id) == ("calendar", "2027")
    assert first.summary["holiday_count"] == 10 and first.summary["workday_count"] == 1
    assert first.summary["workdays"] == ["2027-02-20"] and first.summary["replaced"] is None
    assert second.summary["holidays"] == ["2027-01-01"] and len(second.summary["replaced"]["holidays"]) == 10
    assert second.actor == catalog_admin
    assert trail.verify().ok


def test_a_bad_entry_writes_nothing_and_names_the_line(load, catalog_admin):
    load(2027, TABLE_2027)
    entries = [(d("2027-01-01"), "holiday", "元旦"), (d("2027-01-02"), "holiday", " "),
               (d("2026-01-01"), "holiday", "元旦")]
    with pytest.raises(ValidationError) as exc:
        calendar_services.load_year(actor=catalog_admin, year=2027, entries=entries, source_note="x")
    assert [m.split(":")[0] for m in exc.value.messages] == ["Line 2", "Line 3"]
    assert Holiday.objects.filter(year=2027).count() == 11  # the earlier table is untouched
    assert TrailEntry.objects.filter(action="calendar.load").count() == 1


@pytest.mark.parametrize("year", [1999, 2200])
def test_a_year_out_of_range_is_refused(catalog_admin, year):
    with pytest.raises(ValidationError, match="between 2000 and 2199"):
        calendar_services.load_year(actor=catalog_admin, year=year, entries=[(date(year, 1, 1), "holiday", "元旦")],
                                    source_note="")
    assert not CalendarYear.objects.exists()


# --- the cache ----------------------------------------------------------------------------------

def test_the_load_drops_the_cache_when_it_commits(load):
    assert year_source(2027) == SOURCE_WEEKDAYS  # cached now
    load(2027, TABLE_2027)
    assert year_source(2027) == SOURCE_ADMIN


def test_a_change_made_by_another_process_is_seen_within_a_minute(catalog_admin, monkeypatch):
    assert year_source(2027) == SOURCE_WEEKDAYS  # cached now
    # Another web process loads 2027: its commit does not reach this process's cache.
    entries = calendar_services.parse_holiday_file(TABLE_2027, year=2027)
    calendar_services.load_year(actor=catalog_admin, year=2027, entries=entries, source_note="")
    assert year_source(2027) == SOURCE_WEEKDAYS  # still the cached answer
    later = workdays.time.monotonic() + workdays.RECHECK_SECONDS + 1
    monkeypatch.setattr(workdays.time, "monotonic", lambda: later)
    assert year_source(2027) == SOURCE_ADMIN  # the version stamp changed: rebuilt
    assert add_workdays(d("2027-02-05"), 1) == d("2027-02-15")


# --- the command --------------------------------------------------------------------------------

def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar_load", *args, stdout=out)
    return out.getvalue()


def test_the_command_loads_a_year(catalog_admin, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(TABLE_2027, encoding="utf-8")
    output = run(str(path), "--year", "2027", "--as", catalog_admin.username, "--note", "测试通知")
    assert "Loaded 2027" in output and "10 holiday(s)" in output and "1 make-up" in output
    assert CalendarYear.objects.get(year=2027).source_note == "测试通知"
    workdays.invalidate()  # call_command does not commit inside a test; production commits
    assert is_workday_with_source(d("2027-02-20")) == (True, SOURCE_ADMIN)


def test_the_command_loads_the_example_file(catalog_admin):
    run(str(EXAMPLE), "--year", "2026", "--as", catalog_admin.username)
    assert Holiday.objects.filter(year=2026).count() == 39


def test_the_command_names_a_bad_line_and_writes_nothing(catalog_admin, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(TABLE_2027.replace("2027-02-10,holiday", "2027-02-10,holliday"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)nothing was loaded.*Line 8: unknown kind “holliday”"):
        run(str(path), "--year", "2027", "--as", catalog_admin.username)
    assert not CalendarYear.objects.exists() and not Holiday.objects.exists()
    assert not TrailEntry.objects.filter(action="calendar.load").exists()


def test_the_command_refuses_a_date_outside_the_year(catalog_admin, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(TABLE_2027, encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2: 2027-01-01 is not in 2028"):
        run(str(path), "--year", "2028", "--as", catalog_admin.username)


def test_the_command_needs_an_existing_file(catalog_admin, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(str(tmp_path / "missing.txt"), "--year", "2027", "--as", catalog_admin.username)


def test_the_command_needs_a_catalogue_or_system_admin(department, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(TABLE_2027, encoding="utf-8")
    officer = make_user(Role.OFFICER, department)
    with pytest.raises(CommandError, match="may not load the calendar"):
        run(str(path), "--year", "2027", "--as", officer.username)
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run(str(path), "--year", "2027", "--as", "nobody")
    run(str(path), "--year", "2027", "--as", make_user(Role.SYSTEM_ADMIN).username)
    assert CalendarYear.objects.filter(year=2027).exists()


def test_the_command_explains_itself():
    text = CalendarLoad().create_parser("manage.py", "calendar_load").format_help()
    for word in ["FILE", "--year", "--as USERNAME", "--note", "holiday|workday"]:
        assert word in text, word


# --- the admin pages ----------------------------------------------------------------------------

def test_the_admin_lists_loaded_years_read_only(client, catalog_admin, load):
    load(2027, TABLE_2027, note="测试通知")
    client.force_login(catalog_admin)
    page = client.get("/admin/workcalendar/calendaryear/")
    assert page.status_code == 200 and "测试通知" in page.content.decode()
    assert client.get("/admin/workcalendar/calendaryear/add/").status_code == 403
    assert client.get("/admin/workcalendar/holiday/?year=2027").status_code == 200


def test_an_admin_corrects_one_day_and_the_calendar_follows(client, catalog_admin, load,
                                                             django_capture_on_commit_callbacks):
    load(2027, TABLE_2027)
    assert is_workday(d("2027-02-15"))
    client.force_login(catalog_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/workcalendar/holiday/add/", {"date": "2027-02-15", "kind": "holiday", "name": "春节"})
    assert response.status_code == 302
    assert is_workday_with_source(d("2027-02-15")) == (False, SOURCE_ADMIN)
    assert Holiday.objects.get(date=d("2027-02-15")).year == 2027
    entry = TrailEntry.objects.get(action="calendar.day.add")
    assert entry.object_id == "2027" and entry.actor == catalog_admin

    holiday = Holiday.objects.get(date=d("2027-02-15"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/workcalendar/holiday/{holiday.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert is_workday(d("2027-02-15"))
    assert TrailEntry.objects.filter(action="calendar.day.delete").count() == 1
    assert trail.verify().ok


def test_the_admin_refuses_a_day_in_a_year_not_loaded(client, catalog_admin):
    client.force_login(catalog_admin)
    response = client.post("/admin/workcalendar/holiday/add/", {"date": "2028-01-03", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 200  # the form again, with the error
    assert "calendar_load" in response.content.decode()
    assert not Holiday.objects.exists()


def test_only_catalogue_admins_reach_the_calendar_admin(client, citizen):
    client.force_login(citizen)
    assert client.get("/admin/workcalendar/holiday/").status_code == 302  # to the log-in page


def _without(monkeypatch, role, capability):
    monkeypatch.setitem(POLICY, role, POLICY[role] - {capability})


def test_the_calendar_asks_for_its_own_capability_not_the_catalogues(client, catalog_admin, tmp_path, monkeypatch):
    """Loading and correcting the calendar is MANAGE_CALENDAR: a role that may edit the
    catalogue but not the calendar is turned away, and one that may only manage the calendar
    gets in."""
    path = tmp_path / "2027.txt"
    path.write_text(TABLE_2027, encoding="utf-8")
    client.force_login(catalog_admin)

    _without(monkeypatch, Role.CATALOG_ADMIN, Capability.MANAGE_CALENDAR)
    with pytest.raises(CommandError, match="may not load the calendar"):
        run(str(path), "--year", "2027", "--as", catalog_admin.username)
    assert client.get("/admin/workcalendar/holiday/").status_code == 403
    assert client.get("/admin/workcalendar/calendaryear/").status_code == 403

    monkeypatch.undo()
    _without(monkeypatch, Role.CATALOG_ADMIN, Capability.EDIT_CATALOG)
    run(str(path), "--year", "2027", "--as", catalog_admin.username)
    assert client.get("/admin/workcalendar/holiday/").status_code == 200
    assert client.get("/admin/workcalendar/calendaryear/").status_code == 200
