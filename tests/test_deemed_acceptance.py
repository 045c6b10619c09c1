"""视为受理: a submitted case that gets neither acceptance, refusal nor a one-time notice within
five working days counts as accepted from the day it was received."""

import datetime as dt

import pytest

from onetrip.cases import services
from onetrip.core.models import TrailEntry

from .conftest import apply, at, supplement


@pytest.mark.django_db
def test_silence_for_five_working_days_means_accepted_from_receipt(citizen, item, staff):
    with at("2025-11-17"):  # Monday
        case = apply(citizen)
    assert case.acceptance_due == dt.date(2025, 11, 24)
    with at("2025-11-24"):  # the fifth working day: still within the window
        assert services.tick()["deemed"] == 0
    with at("2025-11-25"):
        assert services.tick()["deemed"] == 1
    case.refresh_from_db()
    assert case.state == "in_review" and case.deemed_accepted
    assert case.accepted_on == dt.date(2025, 11, 17)  # from receipt, not from today
    assert case.promised_deadline == dt.date(2025, 11, 20)
    entry = TrailEntry.objects.get(action="case.deem_accept")
    assert entry.actor_role == "system" and entry.summary["deemed_from"] == "2025-11-17"


@pytest.mark.django_db
def test_a_one_time_notice_in_time_prevents_deemed_acceptance(citizen, item, staff):
    with at("2025-11-17"):
        case = apply(citizen)
    with at("2025-11-21"):
        services.issue_notice(case=case, actor=staff.clerk, items=[{"material": "个体工商户登记（备案）申请书",
                                                                    "reason": "缺少签名"}])
    with at("2025-12-15"):
        assert services.tick()["deemed"] == 0
    case.refresh_from_db()
    assert case.state == "awaiting_supplement"


@pytest.mark.django_db
def test_the_window_restarts_when_supplements_arrive(citizen, item, staff):
    with at("2025-11-17"):
        case = apply(citizen)
        services.issue_notice(case=case, actor=staff.clerk, items=[{"material": "个体工商户登记（备案）申请书",
                                                                    "reason": "缺少签名"}])
    with at("2025-12-01"):
        case = supplement(case, citizen)
        assert case.state == "submitted" and case.acceptance_due == dt.date(2025, 12, 8)
    with at("2025-12-09"):
        services.tick()
    case.refresh_from_db()
    assert case.deemed_accepted and case.accepted_on == dt.date(2025, 12, 1)


@pytest.mark.django_db
def test_two_workers_deem_a_case_once(citizen, item, staff):
    with at("2025-11-17"):
        case = apply(citizen)
    with at("2025-11-25"):
        first, second = services.tick(), services.tick()
    assert first["deemed"] + second["deemed"] == 1
    assert TrailEntry.objects.filter(action="case.deem_accept", object_id=str(case.pk)).count() == 1


@pytest.mark.django_db
def test_the_acceptance_window_is_configurable(citizen, item, staff, settings):
    settings.ACCEPTANCE_WINDOW_WORKDAYS = 2
    with at("2025-11-17"):
        case = apply(citizen)
    assert case.acceptance_due == dt.date(2025, 11, 19)
