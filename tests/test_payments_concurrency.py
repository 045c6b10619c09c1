"""Concurrent callbacks for one bill, on real concurrent PostgreSQL connections (one per thread,
released together by a barrier): exactly one payment is recorded, whether the bank sends several
different notifications at once or the same one is replayed at once."""

from __future__ import annotations

import pytest

from onetrip.cases.models import State
from onetrip.core.models import TrailEntry
from onetrip.payments import providers
from onetrip.payments import services as payments
from onetrip.payments.models import Bill, BillState, Callback, Payment

from .conftest import apply
from .payments_fixtures import FIXED, fee_item
from .test_case_transitions import walk
from .test_hall_concurrency import PG, in_threads

SANDBOX = providers.PROVIDERS["sandbox"]
assert isinstance(SANDBOX, providers.SandboxProvider)


def _send(body: bytes):
    def run() -> str:
        try:
            return payments.receive_callback(provider="sandbox", body=body,
                                             headers={providers.SIGNATURE_HEADER: SANDBOX.sign(body)}).verdict
        except providers.CallbackRefused as refused:
            return f"refused:{refused.reason}"
    return run


@pytest.fixture
def bill(catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [FIXED])
    walk(apply(citizen), staff, citizen, State.APPROVED)
    return Bill.objects.get()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_eight_different_notifications_at_once_record_exactly_one_payment(bill):
    results, errors = in_threads([_send(SANDBOX.notification(bill)) for _ in range(8)])
    assert errors == []
    assert sorted(results) == ["accepted"] + ["duplicate"] * 7
    assert Payment.objects.count() == 1
    assert Bill.objects.get().state == BillState.PAID
    assert TrailEntry.objects.filter(action="payment.paid").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_the_same_notification_replayed_at_once_is_taken_once(bill):
    body = SANDBOX.notification(bill)
    results, errors = in_threads([_send(body) for _ in range(6)])
    assert errors == []
    assert sorted(results) == ["accepted"] + ["refused:replayed"] * 5
    assert Payment.objects.count() == 1
    assert Callback.objects.filter(verdict="refused", reason="replayed").count() == 5
