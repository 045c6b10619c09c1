"""跑动次数: every physical trip is recorded with its reason; online steps are not trips; more
trips than the item promises is flagged for e-supervision."""

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services
from onetrip.cases.models import RuleViolation

from .conftest import apply


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
    services.record_visit(case=case, reason="submit", actor=staff.clerk)
    services.record_visit(case=case, reason="supplement", actor=staff.clerk)
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
