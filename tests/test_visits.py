"""跑动次数: every physical trip is recorded with its reason; online steps are not trips; more
trips than the item promises is flagged for e-supervision."""

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services
from onetrip.cases.models import RuleViolation

from .conftest import apply, at


@pytest.mark.django_db
def test_an_online_application_takes_no_trip(citizen, item, staff):
    case = apply(citizen)
    case = services.transition(case=case, action="accept", actor=staff.clerk)
    assert case.visit_count == 0 and not case.visits.exists()


@pytest.mark.django_db
def test_picking_up_the_result_is_a_trip_and_within_the_promise(citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    case = services.transition(case=case, action="advance", actor=staff.officer)
    case = services.transition(case=case, action="approve", actor=staff.head)
    case = services.transition(case=case, action="issue_result", actor=staff.officer)
    case = services.transition(case=case, action="hand_out", actor=staff.clerk,
                               data={"collector": "applicant", "collector_id_number": citizen.resident_id})
    assert case.visit_count == 1 and case.visits.get().reason == "pickup"
    assert item.max_visits == 1 and not RuleViolation.objects.exists()


@pytest.mark.django_db
def test_a_second_trip_breaks_a_one_trip_promise_and_is_flagged_once(citizen, item, staff):
    case = apply(citizen)
    with at("2026-03-02"):
        services.record_visit(case=case, reason="submit", actor=staff.clerk)
    with at("2026-03-05"):
        services.record_visit(case=case, reason="supplement", actor=staff.clerk)
    with at("2026-03-09"):
        services.record_visit(case=case, reason="other", actor=staff.clerk, note="咨询")
    case.refresh_from_db()
    assert case.visit_count == 3
    violation = RuleViolation.objects.get(rule="visits_exceeded")
    assert violation.detail == {"visits": 2, "promised": 1}


@pytest.mark.django_db
def test_only_staff_record_trips_with_a_known_reason(citizen, item, staff):
    case = apply(citizen)
    with pytest.raises(ValidationError):
        services.record_visit(case=case, reason="submit", actor=citizen)
    with pytest.raises(ValidationError):
        services.record_visit(case=case, reason="teleport", actor=staff.clerk)
    case.refresh_from_db()
    assert case.visit_count == 0


@pytest.mark.django_db
def test_a_trip_is_a_day_at_the_office_not_a_window(citizen, item, staff):
    """Handing in at one window and collecting at the result window on the same day is one trip;
    coming back the next day is a second. Days are Beijing days."""
    import datetime as dt

    import time_machine

    case = apply(citizen)
    morning = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 in Beijing
    with time_machine.travel(morning, tick=False):
        services.record_visit(case=case, reason="submit", actor=staff.clerk)
    with time_machine.travel(morning + dt.timedelta(hours=15), tick=False):  # 23:30 the same Beijing day
        services.record_visit(case=case, reason="pickup", actor=staff.clerk)
    case.refresh_from_db()
    assert case.visit_count == 1 and case.visits.count() == 2
    with time_machine.travel(morning + dt.timedelta(hours=16), tick=False):  # 00:30 the next Beijing day
        services.record_visit(case=case, reason="other", actor=staff.clerk)
    case.refresh_from_db()
    assert case.visit_count == 2
