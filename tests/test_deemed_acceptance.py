"""视为受理: a submitted case that gets neither acceptance, refusal nor a one-time notice within
five working days counts as accepted from the day it was received."""

import datetime as dt
import threading
import time

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


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(
    reason="two workers need two connections that really overlap; the in-memory SQLite test database shares "
           "one cache between connections and answers a second writer 'table is locked' at once")
def test_two_workers_deem_a_case_once(citizen, item, staff, monkeypatch):
    """Two clock workers, each with its own connection, run the same pass at the same moment."""
    from django.db import connections

    from onetrip.core.models import Notification

    with at("2025-11-17"):
        case = apply(citizen)
    # Keep each worker's transaction open a moment after it has checked the case's state, so
    # that the second worker checks while the first has not committed yet.
    import dataclasses

    from onetrip.cases import actions

    record = actions.REGISTRY["deem_accept"]

    def slow_deem(*args):
        time.sleep(0.3)
        return record.effect(*args)

    monkeypatch.setitem(actions.REGISTRY, "deem_accept", dataclasses.replace(record, effect=slow_deem))
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            results.append(services.tick())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with at("2025-11-25"):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors and len(results) == 2
    assert sorted(r["deemed"] for r in results) == [0, 1]
    assert TrailEntry.objects.filter(action="case.deem_accept", object_id=str(case.pk)).count() == 1
    assert Notification.objects.filter(target_type="cases.case", target_id=str(case.pk)).count() == 2  # submitted, deemed accepted: once each
    case.refresh_from_db()
    assert case.state == "in_review" and case.deemed_accepted


@pytest.mark.django_db
def test_the_acceptance_window_is_configurable(citizen, item, staff, settings):
    settings.ACCEPTANCE_WINDOW_WORKDAYS = 2
    with at("2025-11-17"):
        case = apply(citizen)
    assert case.acceptance_due == dt.date(2025, 11, 19)
