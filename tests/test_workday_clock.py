"""The working-day clock's rules, told with the real 2026 arrangement (国务院办公厅关于2026年部分
节假日安排的通知, which the chinesecalendar package knows): 国庆节 and 中秋节 off from Thursday
1 to Wednesday 7 October; Sunday 20 September and Saturday 10 October worked (调休)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import models

from onetrip.workcalendar import clock
from onetrip.workcalendar.clock import Light, WorkdayClock

pytestmark = pytest.mark.django_db


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Ticket(WorkdayClock):
    """A matter with a clock, as a hotline ticket will be; never saved."""

    state = models.CharField(max_length=16, default="open")

    class Meta:
        app_label = "workday_clock_tests"  # not an installed app: no table, no migration

    def clock_running(self) -> bool:
        return self.state == "open"


# --- deadlines ----------------------------------------------------------------------------------

def test_the_start_day_does_not_count():
    assert clock.deadline(d("2026-11-27"), 3) == d("2026-12-02")  # Fri → Mon 30, Tue 1, Wed 2


def test_a_limit_of_nothing_ends_the_same_day():
    assert clock.deadline(d("2026-11-27"), 0) == d("2026-11-27")


def test_the_national_day_week_does_not_count_and_the_make_up_saturday_does():
    # Accepted Wednesday 30 September: Thu 8 Oct, Fri 9 Oct, Sat 10 Oct (worked).
    assert clock.deadline(d("2026-09-30"), 3) == d("2026-10-10")


def test_a_make_up_sunday_is_a_working_day():
    # Accepted Friday 18 September: Saturday 19 is off, Sunday 20 is worked.
    assert clock.deadline(d("2026-09-18"), 1) == d("2026-09-20")


def test_paused_days_push_the_deadline_back():
    assert clock.deadline(d("2026-09-30"), 3, paused_workdays=2) == d("2026-10-13")  # Mon 12, Tue 13


def test_a_negative_limit_or_pause_is_refused_even_when_the_sum_is_not():
    with pytest.raises(ValueError):
        clock.deadline(d("2026-09-30"), -1, paused_workdays=2)
    with pytest.raises(ValueError):
        clock.deadline(d("2026-09-30"), 3, paused_workdays=-1)


# --- pauses -------------------------------------------------------------------------------------

def test_a_pause_counts_working_days_after_it_began_up_to_the_day_it_ends():
    # Paused Tuesday 29 September, resumed Friday 9 October: Wed 30 Sep, Thu 8 and Fri 9 Oct.
    since = clock.pause(None, d("2026-09-29"))
    assert since == d("2026-09-29")
    assert clock.resume(0, since, d("2026-10-09")) == 3


def test_a_second_pause_inside_the_first_changes_nothing():
    assert clock.pause(d("2026-09-29"), d("2026-10-08")) == d("2026-09-29")


def test_resuming_a_clock_that_is_not_paused_changes_nothing():
    assert clock.resume(4, None, d("2026-10-09")) == 4


def test_finished_pauses_add_up():
    assert clock.resume(4, d("2026-10-08"), d("2026-10-09")) == 5


def test_while_a_pause_runs_the_count_grows_on_working_days_only():
    since = d("2026-09-29")
    assert [clock.paused_total(0, since, d(day)) for day in
            ["2026-09-29", "2026-09-30", "2026-10-01", "2026-10-07", "2026-10-08"]] == [0, 1, 1, 1, 2]


# --- used and left ------------------------------------------------------------------------------

def test_working_days_used_leave_out_holidays_and_pauses():
    # Accepted Monday 28 September; on Friday 9 October: Tue 29, Wed 30, Thu 8, Fri 9 used.
    assert clock.workdays_used(d("2026-09-28"), d("2026-10-09")) == 4
    # ... one of them (Wed 30) in a pause that ended on it
    assert clock.workdays_used(d("2026-09-28"), d("2026-10-09"), paused_workdays=1) == 3
    # ... and a pause since Thursday 8 still running: Fri 9 is paused too
    assert clock.workdays_used(d("2026-09-28"), d("2026-10-09"), paused_workdays=1,
                               paused_since=d("2026-10-08")) == 2


def test_working_days_used_are_never_negative():
    assert clock.workdays_used(d("2026-10-09"), d("2026-10-01")) == 0
    # more paused than passed (a stop dated inside a pause): still none used, not minus two
    assert clock.workdays_used(d("2026-09-28"), d("2026-09-29"), paused_workdays=3) == 0


def test_working_days_left_count_down_to_nothing_on_the_deadline_and_below_after_it():
    deadline = d("2026-10-10")  # the make-up Saturday
    assert clock.workdays_left(deadline, d("2026-09-30")) == 3  # Thu 8, Fri 9, Sat 10
    assert clock.workdays_left(deadline, d("2026-10-10")) == 0
    assert clock.workdays_left(deadline, d("2026-10-11")) == 0  # Sunday off: not a day late yet
    assert clock.workdays_left(deadline, d("2026-10-12")) == -1  # Monday: one working day late


# --- the light ----------------------------------------------------------------------------------

def test_the_warning_counts_working_days_so_a_holiday_week_stays_green():
    # Two working days' warning, deadline the make-up Saturday 10 October.
    assert clock.light(d("2026-10-10"), d("2026-09-30"), 2) == Light.NORMAL  # Thu 8, Fri 9, Sat 10 to go
    assert clock.light(d("2026-10-10"), d("2026-10-07"), 2) == Light.NORMAL  # 3 calendar days, 3 working days
    assert clock.light(d("2026-10-10"), d("2026-10-08"), 2) == Light.WARNING  # Fri 9, Sat 10 to go
    assert clock.light(d("2026-10-10"), d("2026-10-10"), 2) == Light.WARNING  # on the deadline
    assert clock.light(d("2026-10-10"), d("2026-10-11"), 2) == Light.OVERDUE  # the day after


def test_with_no_warning_only_the_deadline_itself_is_near():
    assert clock.light(d("2026-10-09"), d("2026-10-08"), 0) == Light.NORMAL
    assert clock.light(d("2026-10-09"), d("2026-10-09"), 0) == Light.WARNING


# --- the clock on a row -------------------------------------------------------------------------

def test_a_clock_on_a_row_starts_pauses_and_resumes():
    t = Ticket()
    assert t.deadline is None and t.light == Light.NONE
    t.clock_start(on=d("2026-09-28"), limit_workdays=5, warning_workdays=2)
    # Tue 29, Wed 30, Thu 8, Fri 9, Sat 10.
    assert (t.deadline, t.light) == (d("2026-10-10"), Light.NORMAL)
    t.clock_pause(on=d("2026-09-29"))
    assert t.is_paused
    t.clock_recompute(today=d("2026-10-08"), warning_workdays=2)
    assert t.deadline == d("2026-10-13")  # two paused so far (Wed 30, Thu 8): Mon 12, Tue 13
    t.clock_resume(on=d("2026-10-09"), warning_workdays=2)
    assert (t.paused_since, t.paused_workdays) == (None, 3)
    assert (t.deadline, t.light) == (d("2026-10-14"), Light.NORMAL)  # Sat 10, Mon 12, Tue 13, Wed 14
    reading = t.clock_reading(today=d("2026-10-09"))
    assert (reading.workdays_used, reading.workdays_left, reading.paused) == (1, 4, False)
    t.clock_recompute(today=d("2026-10-12"), warning_workdays=2)
    assert t.light == Light.WARNING
    assert reading.calendar_source == "chinesecalendar"


def test_a_pause_before_the_clock_started_is_ignored():
    t = Ticket()
    t.clock_pause(on=d("2026-09-29"))
    assert t.paused_since is None


def test_a_stopped_clock_keeps_its_deadline_but_has_no_light_and_no_days_left():
    t = Ticket()
    t.clock_start(on=d("2026-09-28"), limit_workdays=5, warning_workdays=2)
    t.state = "closed"
    t.clock_recompute(today=d("2026-10-12"), warning_workdays=2)
    assert (t.deadline, t.light) == (d("2026-10-10"), Light.NONE)
    reading = t.clock_reading(today=d("2026-10-20"), stopped_on=d("2026-10-09"))
    assert (reading.workdays_used, reading.workdays_left) == (4, None)


def test_a_second_limit_runs_on_the_same_pauses():
    """A case has a promised and a legal limit on one clock."""
    t = Ticket()
    t.clock_start(on=d("2026-09-28"), limit_workdays=3, warning_workdays=2)
    t.clock_pause(on=d("2026-09-29"))
    t.clock_resume(on=d("2026-10-09"), warning_workdays=2)
    assert t.clock_deadline(today=d("2026-10-09"), limit_workdays=15) == clock.deadline(d("2026-09-28"), 18)


def test_a_start_in_the_past_lights_up_as_of_today():
    """A case deemed accepted from its receipt: the clock started days ago."""
    t = Ticket()
    t.clock_start(on=d("2026-09-28"), limit_workdays=3, warning_workdays=2, today=d("2026-10-12"))
    assert (t.deadline, t.light) == (d("2026-10-08"), Light.OVERDUE)


def test_the_light_values_are_the_ones_cases_store():
    from onetrip.cases.models import Light as CaseLight

    assert {(c.value, str(c.label)) for c in Light} == {(c.value, str(c.label)) for c in CaseLight}


def test_a_restart_begins_again_with_no_pauses():
    t = Ticket()
    t.clock_start(on=d("2026-09-28"), limit_workdays=3, warning_workdays=2)
    t.clock_pause(on=d("2026-09-29"))
    t.clock_resume(on=d("2026-10-09"), warning_workdays=2)
    t.clock_pause(on=d("2026-10-09"))
    t.clock_start(on=d("2026-10-12"), limit_workdays=3, warning_workdays=2)
    assert (t.paused_since, t.paused_workdays, t.deadline) == (None, 0, d("2026-10-15"))


# --- it computes what cases compute today -------------------------------------------------------

def test_the_clock_agrees_with_the_case_clock_day_by_day(settings):
    """``cases.clock`` (pause, resume, recompute, summary), expressed with this clock, over
    every start, pause and day of September–October 2026."""
    from onetrip.cases import clock as case_clock
    from onetrip.cases.models import Case, State
    from onetrip.catalog.models import ItemVersion

    settings.WARNING_WORKDAYS = 2
    days = [d("2026-09-14") + dt.timedelta(n) for n in range(0, 40, 3)]
    checked = 0
    for start, pause_at, resume_at, today in itertools.product(days, [None, *days[::2]], [None, *days[::3]], days):
        if pause_at is not None and pause_at < start or resume_at is not None and (
                pause_at is None or resume_at < pause_at) or today < (resume_at or pause_at or start):
            continue
        case = Case(state=State.IN_REVIEW, accepted_on=start)
        case.version = ItemVersion(promised_limit_days=3, legal_limit_days=15)
        t = Ticket()
        t.clock_start(on=start, limit_workdays=3, warning_workdays=2)
        if pause_at is not None:
            case_clock.pause(case, pause_at)
            t.clock_pause(on=pause_at)
        if resume_at is not None:
            case_clock.resume(case, resume_at)
            t.clock_resume(on=resume_at, warning_workdays=2)
        case_clock.recompute(case, today)
        t.clock_recompute(today=today, warning_workdays=2)
        assert (t.deadline, t.clock_deadline(today=today, limit_workdays=15), t.light) == (
            case.promised_deadline, case.legal_deadline, case.light), (start, pause_at, resume_at, today)
        summary = case_clock.summary(case, today)
        reading = t.clock_reading(today=today)
        assert (reading.workdays_used, reading.workdays_left, reading.paused, reading.calendar_source) == (
            summary["workdays_used"], summary["workdays_left"], summary["paused"], summary["calendar_source"])
        checked += 1
    assert checked > 500
    settings.ACCEPTANCE_WINDOW_WORKDAYS = 5
    assert clock.deadline(d("2026-09-30"), 5) == case_clock.acceptance_due(d("2026-09-30")) == d("2026-10-13")
