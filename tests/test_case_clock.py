"""The working-day clock: starts at acceptance, pauses for supplements and excluded special
procedures, runs across public holidays, and lights up near and past the deadline."""

import datetime as dt

import pytest

from onetrip.cases import clock, selectors, services
from onetrip.cases.models import State

from .conftest import apply, at, supplement


@pytest.mark.django_db
def test_the_promise_runs_in_working_days_from_acceptance(citizen, item, staff):
    with at("2025-11-14"):  # a Friday
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    # 3 working days after Friday 14 Nov: Mon 17, Tue 18, Wed 19.
    assert case.promised_deadline == dt.date(2025, 11, 19)
    # 15 working days: to Friday 5 Dec.
    assert case.legal_deadline == dt.date(2025, 12, 5)


@pytest.mark.django_db
def test_the_national_day_holiday_does_not_count_and_the_make_up_day_does(citizen, item, staff):
    with at("2025-09-30"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    # 1–8 October 2025 off; Saturday 11 October is a make-up working day.
    assert case.promised_deadline == dt.date(2025, 10, 11)


@pytest.mark.django_db
def test_the_spring_festival_holiday_does_not_count(citizen, item, staff):
    with at("2026-02-13"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    # Saturday 14 Feb 2026 is a make-up working day; 15–23 Feb are off.
    assert case.promised_deadline == dt.date(2026, 2, 25)


@pytest.mark.django_db
def test_a_supplement_during_review_pauses_the_clock(citizen, item, staff):
    with at("2025-11-17"):  # Monday
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        assert case.promised_deadline == dt.date(2025, 11, 20)
        case = services.issue_notice(case=case, actor=staff.officer,
                                     items=[{"material": "经营场所使用证明", "reason": "租赁合同已过期"}])
    with at("2025-11-20"):  # three working days later the applicant supplements
        case = supplement(case, citizen)
    assert case.state == State.IN_REVIEW and case.paused_workdays == 3
    assert case.promised_deadline == dt.date(2025, 11, 25)


@pytest.mark.django_db
def test_a_special_procedure_excluded_from_the_limit_pauses_the_clock(citizen, item, staff):
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        case = services.transition(case=case, action="suspend", actor=staff.officer, data={"procedure": "现场核查"})
    with at("2025-11-24"):  # five working days of site inspection
        case = services.transition(case=case, action="resume", actor=staff.officer)
    assert case.paused_workdays == 5 and case.promised_deadline == dt.date(2025, 11, 27)


@pytest.mark.django_db
def test_a_special_procedure_that_counts_does_not_pause_the_clock(citizen, item, staff):
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        case = services.transition(case=case, action="suspend", actor=staff.officer, data={"procedure": "内部会商"})
    with at("2025-11-19"):
        case = services.transition(case=case, action="resume", actor=staff.officer)
    assert case.paused_workdays == 0 and case.promised_deadline == dt.date(2025, 11, 20)


@pytest.mark.django_db
def test_only_the_items_own_special_procedures_can_suspend(citizen, item, staff):
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        with pytest.raises(Exception, match="special procedures"):
            services.transition(case=case, action="suspend", actor=staff.officer, data={"procedure": "专家评审"})


@pytest.mark.django_db
def test_the_light_turns_amber_near_the_deadline_and_red_after(citizen, item, staff, settings):
    settings.WARNING_WORKDAYS = 1
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        assert case.light == "normal"
    with at("2025-11-19"):  # deadline Thu 20: one working day left
        services.tick()
        case.refresh_from_db()
        assert case.light == "warning"
        assert [c.pk for c in selectors.inbox(staff.officer, "near")] == [case.pk]
    with at("2025-11-21"):
        services.tick()
        case.refresh_from_db()
        assert case.light == "overdue"
        assert [c.pk for c in selectors.inbox(staff.officer, "overdue")] == [case.pk]
        assert case.violations.filter(rule="overdue").count() == 1
        summary = clock.summary(case)
        assert summary["workdays_used"] == 4 and summary["workdays_left"] == -1


@pytest.mark.django_db
def test_the_deadline_is_stored_on_the_case_for_index_lookups(citizen, item, staff):
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    indexes = {tuple(i.fields) for i in type(case)._meta.indexes}
    assert ("state", "promised_deadline", "id") in indexes


@pytest.mark.django_db
def test_a_year_without_calendar_data_falls_back_to_weekdays_and_says_so(citizen, item, staff):
    with at("2027-03-01"):  # a Monday in a year nobody has loaded yet
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        assert case.promised_deadline == dt.date(2027, 3, 4)
        assert clock.summary(case)["calendar_source"] == "weekdays"


@pytest.mark.django_db
def test_one_case_failing_does_not_stop_the_lights_of_the_others(citizen, item, staff, monkeypatch):
    """The worker's pass isolates each case: a case that fails is reported, the rest are done."""
    from onetrip.cases import notifications

    with at("2025-11-17"):
        first = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
        second = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    real = notifications.queue_staff_warning

    def fails_for_the_first(*, case):
        if case.pk == first.pk:
            raise RuntimeError("SMS gateway down")
        return real(case=case)

    monkeypatch.setattr(notifications, "queue_staff_warning", fails_for_the_first)
    with at("2025-11-19"):
        done = services.tick()
    first.refresh_from_db()
    second.refresh_from_db()
    assert done["warned"] == 1 and second.light == "warning" and first.light == "normal"
