"""The working-day calendar (工作日): weekends and public holidays off, make-up days (调休) on,
and the answer always says which rule decided it. Holiday facts asserted here were checked
against chinesecalendar 1.11.0 first (see ``test_the_package_agrees_with_these_tests``)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from onetrip.workcalendar import workdays
from onetrip.workcalendar.workdays import (
    SOURCE_PACKAGE,
    SOURCE_WEEKDAYS,
    add_workdays,
    add_workdays_with_source,
    coverage,
    is_workday,
    is_workday_with_source,
    workdays_between,
    year_source,
)

from .openapi import assert_matches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar caches per process; no test may see another test's holiday table."""
    workdays.invalidate()
    yield
    workdays.invalidate()


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- the package's facts, checked before anything below relies on them -----------------------

def test_the_package_agrees_with_these_tests():
    for day in ["2025-10-01", "2025-10-08", "2026-02-15", "2026-02-23"]:
        assert chinese_calendar.is_holiday(d(day)), day
    for day in ["2025-09-28", "2025-10-11", "2026-02-14", "2026-02-28"]:
        assert chinese_calendar.is_workday(d(day)) and d(day).weekday() >= 5, day
    assert chinese_calendar.is_workday(d("2026-02-24"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-04"))


def test_every_day_the_package_knows_is_answered_as_the_package_does():
    day, end = d("2004-01-01"), d("2026-12-31")
    while day <= end:
        assert is_workday_with_source(day) == (chinese_calendar.is_workday(day), SOURCE_PACKAGE), day
        day += timedelta(days=1)


# --- ordinary weeks ---------------------------------------------------------------------------

def test_a_friday_plus_one_working_day_is_the_monday():
    assert d("2025-03-07").weekday() == 4
    assert add_workdays(d("2025-03-07"), 1) == d("2025-03-10")


def test_from_a_weekend_the_first_working_day_is_monday():
    assert add_workdays(d("2025-03-08"), 1) == d("2025-03-10")
    assert add_workdays(d("2025-03-09"), 5) == d("2025-03-14")


def test_zero_days_returns_the_start_unchanged_even_on_a_holiday():
    assert add_workdays(d("2025-10-01"), 0) == d("2025-10-01")
    assert add_workdays_with_source(d("2025-10-01"), 0) == (d("2025-10-01"), SOURCE_PACKAGE)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="0 or more"):
        add_workdays(d("2025-03-07"), -1)


# --- National Day 2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked ------------------

def test_national_day_2025_is_off_for_eight_days():
    for n in range(1, 9):
        assert not is_workday(date(2025, 10, n)), n
    assert is_workday(d("2025-10-09"))


def test_the_make_up_days_of_national_day_2025_are_working_days():
    assert d("2025-09-28").weekday() == 6 and is_workday(d("2025-09-28"))
    assert d("2025-10-11").weekday() == 5 and is_workday(d("2025-10-11"))


def test_one_working_day_after_september_30_2025_is_october_9():
    assert add_workdays(d("2025-09-30"), 1) == d("2025-10-09")


def test_the_make_up_saturday_counts_like_any_working_day():
    # Thu Oct 9, Fri Oct 10, Sat Oct 11 (make-up), Mon Oct 13
    assert add_workdays(d("2025-09-30"), 3) == d("2025-10-11")
    assert add_workdays(d("2025-09-30"), 4) == d("2025-10-13")
    # Fri Sep 26 → Sun Sep 28 (make-up) → Mon Sep 29
    assert add_workdays(d("2025-09-26"), 1) == d("2025-09-28")


# --- Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked -------------------

def test_spring_festival_2026_is_off_from_february_15_to_23():
    for n in range(15, 24):
        assert not is_workday(date(2026, 2, n)), n
    assert is_workday(d("2026-02-24"))


def test_the_make_up_saturdays_of_spring_festival_2026_are_working_days():
    assert is_workday_with_source(d("2026-02-14")) == (True, SOURCE_PACKAGE)
    assert is_workday_with_source(d("2026-02-28")) == (True, SOURCE_PACKAGE)


def test_across_spring_festival_2026():
    # Fri Feb 13 → Sat Feb 14 (make-up) → Tue Feb 24 (first day back)
    assert add_workdays(d("2026-02-13"), 1) == d("2026-02-14")
    assert add_workdays(d("2026-02-13"), 2) == d("2026-02-24")
    # Feb 24–27 are four days, then the make-up Saturday Feb 28
    assert add_workdays(d("2026-02-14"), 5) == d("2026-02-28")
    assert add_workdays_with_source(d("2026-02-14"), 6) == (d("2026-03-02"), SOURCE_PACKAGE)


# --- a year nobody knows: Monday–Friday, and it says so ---------------------------------------

def test_2027_falls_back_to_monday_to_friday_and_says_weekdays():
    assert year_source(2027) == SOURCE_WEEKDAYS
    assert d("2027-01-01").weekday() == 4
    assert is_workday_with_source(d("2027-01-01")) == (True, SOURCE_WEEKDAYS)  # New Year's Day, unknown
    assert is_workday_with_source(d("2027-01-02")) == (False, SOURCE_WEEKDAYS)
    assert add_workdays_with_source(d("2027-01-01"), 1) == (d("2027-01-04"), SOURCE_WEEKDAYS)


def test_a_span_into_an_unknown_year_is_as_weak_as_that_year():
    assert add_workdays_with_source(d("2026-12-30"), 1) == (d("2026-12-31"), SOURCE_PACKAGE)
    assert add_workdays_with_source(d("2026-12-30"), 3) == (d("2027-01-04"), SOURCE_WEEKDAYS)


def test_coverage_names_the_rule_of_each_year():
    assert coverage(range(2003, 2006)) == [(2003, SOURCE_WEEKDAYS), (2004, SOURCE_PACKAGE), (2005, SOURCE_PACKAGE)]
    assert coverage([2026, 2027]) == [(2026, SOURCE_PACKAGE), (2027, SOURCE_WEEKDAYS)]


# --- any valid date is answered --------------------------------------------------------------

def test_far_years_do_not_raise():
    assert add_workdays_with_source(d("2999-01-01"), 10) == (d("2999-01-15"), SOURCE_WEEKDAYS)
    assert is_workday_with_source(d("2999-01-05")) == (False, SOURCE_WEEKDAYS)  # a Saturday
    assert add_workdays(d("1900-01-05"), 1) == d("1900-01-08")
    assert is_workday(date.min) and add_workdays(date.min, 1) == date(1, 1, 2)


def test_the_end_of_the_calendar_is_clamped_not_an_error():
    last = date.max  # 9999-12-31, a Friday
    assert is_workday_with_source(last) == (True, SOURCE_WEEKDAYS)
    assert add_workdays_with_source(last, 1) == (last, SOURCE_WEEKDAYS)
    assert add_workdays(d("9999-12-27"), 10**9) == last
    assert add_workdays(d("9999-12-27"), 4) == last  # Mon → Tue, Wed, Thu, Fri
    assert workdays_between(d("9999-12-24"), last) == 5


def test_long_spans_cross_the_cached_window_consistently():
    start = d("2020-06-01")
    for n in [1, 250, 10_000, 100_000, 500_000]:
        end = add_workdays(start, n)
        assert is_workday(end) and workdays_between(start, end) == n, n
        assert workdays_between(start, end - timedelta(days=1)) == n - 1, n


def test_adding_agrees_with_counting_day_by_day():
    start, days = d("2025-12-20"), 0
    day = start
    while day < d("2027-02-01"):
        day += timedelta(days=1)
        if is_workday(day):
            days += 1
            assert add_workdays(start, days) == day
        assert workdays_between(start, day) == days


# --- counting ---------------------------------------------------------------------------------

def test_workdays_between_counts_after_the_start_up_to_and_including_the_end():
    assert workdays_between(d("2025-03-07"), d("2025-03-10")) == 1  # Fri → Mon
    assert workdays_between(d("2025-09-30"), d("2025-10-09")) == 1  # over National Day
    assert workdays_between(d("2025-09-30"), d("2025-10-11")) == 3  # with the make-up Saturday
    # the whole of 2025, as the package counts it
    assert workdays_between(d("2024-12-31"), d("2025-12-31")) == 248
    assert len(chinese_calendar.get_workdays(d("2025-01-01"), d("2025-12-31"))) == 248


def test_workdays_between_is_zero_when_the_end_is_not_after_the_start():
    assert workdays_between(d("2025-03-10"), d("2025-03-10")) == 0
    assert workdays_between(d("2025-03-10"), d("2025-03-07")) == 0


# --- the API -----------------------------------------------------------------------------------

ADD = "/api/v1/calendar/add-workdays"
IS = "/api/v1/calendar/is-workday"


def test_the_api_lists_the_calendar_endpoints(spec):
    for path in [ADD, IS]:
        assert spec["paths"][path]["get"]["tags"] == ["calendar"]


def test_api_add_workdays(client, spec):
    data = assert_matches(spec, ADD, "get", client.get(ADD, {"date": "2025-09-30", "days": 1}))
    assert data == {"date": "2025-10-09", "source": SOURCE_PACKAGE}
    data = assert_matches(spec, ADD, "get", client.get(ADD, {"date": "2027-01-01", "days": 0}))
    assert data == {"date": "2027-01-01", "source": SOURCE_WEEKDAYS}
    data = assert_matches(spec, ADD, "get", client.get(ADD, {"date": "2026-12-30", "days": 3650}))
    assert data["source"] == SOURCE_WEEKDAYS


def test_api_is_workday(client, spec):
    data = assert_matches(spec, IS, "get", client.get(IS, {"date": "2025-09-28"}))
    assert data == {"workday": True, "source": SOURCE_PACKAGE}
    data = assert_matches(spec, IS, "get", client.get(IS, {"date": "2027-01-02"}))
    assert data == {"workday": False, "source": SOURCE_WEEKDAYS}


@pytest.mark.parametrize("params", [
    {"date": "2025-02-30", "days": 1},
    {"date": "30/09/2025", "days": 1},
    {"date": "20250930", "days": 1},
    {"date": "2025-09-30", "days": -1},
    {"date": "2025-09-30", "days": 3651},
    {"date": "2025-09-30", "days": "ten"},
    {"date": "2025-09-30"},
    {"days": 1},
    {"date": "9999-12-31", "days": 1},
])
def test_api_add_workdays_bad_input_is_400_with_a_message(client, spec, params):
    response = client.get(ADD, params)
    assert response.status_code == 400, params
    assert assert_matches(spec, ADD, "get", response)["detail"]


@pytest.mark.parametrize("params", [{"date": "2025-13-01"}, {"date": ""}, {}])
def test_api_is_workday_bad_input_is_400_with_a_message(client, spec, params):
    response = client.get(IS, params)
    assert response.status_code == 400, params
    assert assert_matches(spec, IS, "get", response)["detail"]
