"""统一支付: bills raised at the fee's step with amounts in fen, the result waiting for payment (a
blocker of cases' mover), the sandbox provider's signed callbacks (forged, replayed, stale,
mismatched amounts refused and logged; a second valid one changes nothing), refunds on
withdrawal, receipts, the pages and the API."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader

from onetrip.cases import hooks, services
from onetrip.cases.models import RuleViolation, State
from onetrip.catalog.models import Fee
from onetrip.core.models import TrailEntry
from onetrip.payments import providers, rules
from onetrip.payments import services as payments
from onetrip.payments.models import Bill, BillState, Callback, Payment

from .conftest import apply
from .payments_fixtures import FIXED, ON_ACCEPTANCE, PER_UNIT, fee_item
from .test_case_transitions import walk

SANDBOX = providers.PROVIDERS["sandbox"]
assert isinstance(SANDBOX, providers.SandboxProvider)


def pay(bill: Bill, *, amount_fen: int | None = None, body: bytes | None = None, signature: str | None = None) -> Callback:
    body = body if body is not None else SANDBOX.notification(bill, amount_fen=amount_fen)
    return payments.receive_callback(provider="sandbox", body=body,
                                     headers={providers.SIGNATURE_HEADER: signature or SANDBOX.sign(body)})


def approved(citizen, staff):
    return walk(apply(citizen), staff, citizen, State.APPROVED)


# --- amounts --------------------------------------------------------------------------------------

def test_yuan_is_formatted_from_integer_fen():
    assert rules.yuan(1250) == "¥12.50"
    assert rules.yuan(5) == "¥0.05"
    assert rules.yuan(123456789) == "¥1,234,567.89"


@pytest.mark.parametrize(("quantity", "fen"), [
    ("10", 350), ("12.34", 432),  # 431.9 → 432
    ("12.3", 431),  # 430.5 → 431: half rounds up
    ("0.01", 0), ("0.02", 1),  # 0.35 → 0, 0.7 → 1
    ("1.43", 50),  # 50.05 → 50 (a float would say 50.049999…)
])
def test_a_per_unit_fee_is_quantity_times_price_rounded_half_up_to_the_fen(quantity, fen):
    fee = Fee(**PER_UNIT)
    assert rules.fee_amount(fee, {"area": quantity}) == (fen, quantity)


@pytest.mark.parametrize("bad", ["", "abc", "-3", "0", "1.234", "NaN", "1e9", True])
def test_a_per_unit_fee_needs_a_positive_quantity_with_at_most_two_decimals(bad):
    fee = Fee(**PER_UNIT)
    with pytest.raises(ValidationError):
        rules.fee_amount(fee, {"area": bad})


@pytest.mark.django_db
def test_a_per_unit_fee_without_its_unit_or_amount_is_refused_by_the_catalogue(catalog_admin, department):
    with pytest.raises(ValidationError, match="unit"):
        fee_item(catalog_admin, department, [{**PER_UNIT, "unit_field": ""}])
    with pytest.raises(ValidationError, match="above zero"):
        fee_item(catalog_admin, department, [{**FIXED, "amount_fen": 0}])


# --- bills at the right step, and the case waiting for payment ------------------------------------

@pytest.mark.django_db
def test_a_fee_due_on_approval_raises_its_bill_on_approval_and_the_result_waits_for_payment(
        catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [FIXED])
    case = walk(apply(citizen), staff, citizen, State.IN_REVIEW)
    assert not Bill.objects.exists()  # not at acceptance
    case = approved_case = services.transition(case=services.transition(case=case, action="advance",
                                                                        actor=staff.officer),
                                               action="approve", actor=staff.head)
    bill = Bill.objects.get()
    assert (bill.amount_fen, bill.state, bill.case_id) == (1250, BillState.DUE, case.pk)
    assert not services.can_act(staff.officer, approved_case, "issue_result")
    with pytest.raises(ValidationError, match="waits for payment of 登记费 ¥12.50") as refused:
        services.transition(case=case, action="issue_result", actor=staff.officer)
    assert refused.value.code == "blocked"
    case.refresh_from_db()
    assert case.state == State.APPROVED
    pay(bill)
    bill.refresh_from_db()
    assert bill.state == BillState.PAID
    assert services.can_act(staff.officer, case, "issue_result")
    assert services.transition(case=case, action="issue_result", actor=staff.officer).state == State.RESULT_READY


@pytest.mark.django_db
def test_a_fee_due_on_acceptance_is_billed_on_acceptance_with_the_quantity_from_the_form(
        catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [ON_ACCEPTANCE, PER_UNIT])
    case = apply(citizen)
    case.application.form_data = {"area": "12.3"}
    case.application.save()
    services.transition(case=case, action="accept", actor=staff.clerk)
    assert sorted(Bill.objects.values_list("name", "amount_fen", "quantity")) == [
        ("工本费", 500, ""), ("检测费", 431, "12.3")]
    entry = TrailEntry.objects.filter(action="case.accept").get()
    assert entry.summary["bills"] == [{"fee": "工本费", "amount_fen": 500}, {"fee": "检测费", "amount_fen": 431}]


@pytest.mark.django_db
def test_acceptance_is_refused_with_nothing_written_when_the_form_lacks_the_quantity(
        catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [ON_ACCEPTANCE, PER_UNIT])
    case = apply(citizen)
    with pytest.raises(ValidationError, match="number of 平方米"):
        services.transition(case=case, action="accept", actor=staff.clerk)
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and not Bill.objects.exists()
    assert not TrailEntry.objects.filter(action__in=["case.accept", "payment.bill_raised"]).exists()


@pytest.mark.django_db
def test_a_fee_that_does_not_block_lets_the_result_go_unpaid(catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [{**FIXED, "blocks_result": False}])
    case = walk(apply(citizen), staff, citizen, State.RESULT_READY)
    assert case.state == State.RESULT_READY and Bill.objects.get().state == BillState.DUE


def test_blockers_are_asked_for_their_actions_only():
    calls = []

    def check(case):
        calls.append(case)
        return "waits"

    hooks.register_blocker("test.blocker", {"x_action"}, check)
    try:
        assert hooks.blocking("case", "other") is None and calls == []
        assert hooks.blocking("case", "x_action") == "waits"
        with pytest.raises(ValueError, match="twice"):
            hooks.register_blocker("test.blocker", {"x_action"}, check)
    finally:
        hooks.BLOCKERS[:] = [b for b in hooks.BLOCKERS if b.name != "test.blocker"]


# --- callbacks ----------------------------------------------------------------------------------

@pytest.fixture
def bill(catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [FIXED])
    approved(citizen, staff)
    return Bill.objects.get()


def assert_unpaid(bill):
    bill.refresh_from_db()
    assert bill.state == BillState.DUE and bill.paid_at is None
    assert not Payment.objects.exists()
    assert not TrailEntry.objects.filter(action="payment.paid").exists()


@pytest.mark.django_db
def test_a_forged_callback_is_refused_logged_and_changes_nothing(bill):
    body = SANDBOX.notification(bill)
    with pytest.raises(providers.CallbackRefused) as refused:
        pay(bill, body=body, signature="sha256=" + "0" * 64)
    assert refused.value.reason == "forged"
    # Signed with another secret (someone who guessed the format but not the key).
    tampered = body.replace(b'"amount_fen": 1250', b'"amount_fen": 1')
    with pytest.raises(providers.CallbackRefused, match="forged"):
        pay(bill, body=tampered, signature=SANDBOX.sign(body))
    assert_unpaid(bill)
    assert list(Callback.objects.values_list("verdict", "reason")) == [("refused", "forged")] * 2
    assert TrailEntry.objects.filter(action="payment.callback_refused").count() == 2


@pytest.mark.django_db
def test_a_replayed_callback_is_refused_and_a_second_valid_one_changes_nothing(bill):
    body = SANDBOX.notification(bill)
    assert pay(bill, body=body).verdict == "accepted"
    bill.refresh_from_db()
    paid_at = bill.paid_at
    with pytest.raises(providers.CallbackRefused, match="replayed"):
        pay(bill, body=body)
    assert pay(bill).verdict == "duplicate"  # the bank's second, new notification: nothing changes
    bill.refresh_from_db()
    assert bill.state == BillState.PAID and bill.paid_at == paid_at
    assert Payment.objects.count() == 1
    assert TrailEntry.objects.filter(action="payment.paid").count() == 1
    assert sorted(Callback.objects.values_list("verdict", "reason")) == [
        ("accepted", ""), ("duplicate", ""), ("refused", "replayed")]


@pytest.mark.django_db
def test_a_stale_callback_is_refused_as_a_replay(bill):
    body = SANDBOX.notification(bill, now=time.time() - providers.MAX_AGE_SECONDS - 5)
    with pytest.raises(providers.CallbackRefused, match="stale"):
        pay(bill, body=body)
    assert_unpaid(bill)


@pytest.mark.django_db
def test_a_callback_with_another_amount_is_refused_and_logged(bill):
    with pytest.raises(providers.CallbackRefused, match="amount_mismatch"):
        pay(bill, amount_fen=1249)
    assert_unpaid(bill)
    log = Callback.objects.get()
    assert (log.verdict, log.reason, log.amount_fen, log.bill_reference) == ("refused", "amount_mismatch", 1249,
                                                                             bill.reference)


@pytest.mark.django_db
def test_a_charge_that_is_not_the_catalogue_fee_is_recorded_for_supervision_once(bill):
    """收费按目录: a payment reported for another amount than the bill raised from the catalogue is
    a violation on the case; the same notification sent again is not a second one."""
    body = SANDBOX.notification(bill, amount_fen=1500)
    for _ in range(2):
        with pytest.raises(providers.CallbackRefused, match="amount_mismatch"):
            pay(bill, body=body)
    violation = RuleViolation.objects.get()
    assert (violation.case_id, violation.rule, violation.department_id) == (
        bill.case_id, "fee_off_catalogue", bill.case.department_id)
    assert (violation.detail["due_fen"], violation.detail["charged_fen"]) == (1250, 1500)
    assert "12.50" in violation.sentence() and "15.00" in violation.sentence()
    assert rules.charged_off_catalogue(1250, 1250) is False


@pytest.mark.django_db
def test_a_payment_of_the_catalogue_amount_records_no_violation(bill):
    pay(bill)
    assert not RuleViolation.objects.exists()


@pytest.mark.django_db
def test_an_amount_as_a_float_is_refused_as_malformed(bill):
    body = SANDBOX.notification(bill).replace(b'"amount_fen": 1250', b'"amount_fen": 1250.0')
    with pytest.raises(providers.CallbackRefused, match="malformed"):
        pay(bill, body=body)
    assert_unpaid(bill)


# --- refunds and receipts ------------------------------------------------------------------------

@pytest.mark.django_db
def test_withdrawal_refunds_a_refundable_paid_bill_and_cancels_an_unpaid_one(catalog_admin, department, citizen,
                                                                             staff):
    fee_item(catalog_admin, department, [ON_ACCEPTANCE, {**ON_ACCEPTANCE, "name": "另一项费用", "amount_fen": 800}])
    case = walk(apply(citizen), staff, citizen, State.IN_REVIEW)
    first, second = Bill.objects.order_by("id")
    pay(first)
    services.transition(case=case, action="withdraw", actor=citizen)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (BillState.REFUNDED, BillState.CANCELLED)
    refund = Payment.objects.get(kind="refund")
    assert refund.bill == first and refund.amount_fen == 500
    assert TrailEntry.objects.get(action="case.withdraw").summary["refunds"] == [{"fee": "工本费", "amount_fen": 500}]
    assert TrailEntry.objects.filter(action="payment.refunded").count() == 1


@pytest.mark.django_db
def test_withdrawal_keeps_a_paid_fee_that_is_not_refundable(catalog_admin, department, citizen, staff):
    fee_item(catalog_admin, department, [{**ON_ACCEPTANCE, "refundable": False}])
    case = walk(apply(citizen), staff, citizen, State.IN_REVIEW)
    pay(Bill.objects.get())
    services.transition(case=case, action="withdraw", actor=citizen)
    assert Bill.objects.get().state == BillState.PAID and not Payment.objects.filter(kind="refund").exists()


@pytest.mark.django_db
def test_the_receipt_is_a_pdf_with_the_amount_and_its_download_is_on_the_trail(bill, citizen):
    with pytest.raises(ValidationError):
        payments.receipt(actor=citizen, bill=bill)
    pay(bill)
    content, name = payments.receipt(actor=citizen, bill=bill)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "¥12.50" in text and bill.case.number in text and "登记费" in text
    assert TrailEntry.objects.filter(action="payment.receipt").count() == 1


# --- pages and the API ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_applicant_sees_the_bill_pays_in_the_sandbox_bank_and_staff_see_it_paid(bill, citizen, staff):
    c = Client()
    c.force_login(citizen)
    c.get("/prefs/language/en")
    case = bill.case
    page = c.get(f"/cases/{case.number}/").content.decode()
    assert "¥12.50" in page and "The result waits for payment" in page and f"/bills/{bill.reference}/" in page
    r = c.post(f"/cases/{case.number}/bills/{bill.reference}/")
    assert r.status_code == 302 and r["Location"] == f"/payments/sandbox/{bill.reference}/"
    assert "¥12.50" in c.get(r["Location"]).content.decode()
    r = c.post(r["Location"], {"choice": "pay"})
    assert r.status_code == 302
    bill.refresh_from_db()
    assert bill.state == BillState.PAID
    receipt = c.get(f"/cases/{case.number}/bills/{bill.reference}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    s = Client()
    s.force_login(staff.officer)
    s.get("/prefs/language/en")
    assert "Paid" in s.get(f"/cases/{case.number}/").content.decode()
    other = Client()
    other.force_login(staff.clerk)  # any window clerk may see the case, but only the applicant pays
    assert other.post(f"/cases/{case.number}/bills/{bill.reference}/").status_code == 302
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_callback_over_http_answers_each_refusal_with_its_status(bill, client):
    def post(body, sig):
        return client.post("/api/v1/payments/callbacks/sandbox", body, content_type="application/json",
                           HTTP_X_ONETRIP_SIGNATURE=sig)

    body = SANDBOX.notification(bill)
    assert post(body, "sha256=bad").status_code == 403
    wrong = SANDBOX.notification(bill, amount_fen=1)
    assert post(wrong, SANDBOX.sign(wrong)).status_code == 409
    assert post(b"{}", SANDBOX.sign(b"{}")).status_code == 400
    r = post(body, SANDBOX.sign(body))
    assert r.status_code == 200 and r.json() == {"result": "accepted"}
    assert post(body, SANDBOX.sign(body)).status_code == 409  # replayed
    again = SANDBOX.notification(bill)
    assert post(again, SANDBOX.sign(again)).json() == {"result": "duplicate"}
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_api_lists_bills_and_starts_a_payment(bill, citizen, client):
    client.force_login(citizen)
    client.get("/prefs/language/en")
    bills = client.get(f"/api/v1/cases/{bill.case.number}/bills").json()
    assert [(b["amount_fen"], b["amount"], b["state"]) for b in bills] == [(1250, "¥12.50", "due")]
    r = client.post(f"/api/v1/bills/{bill.reference}/pay")
    assert r.status_code == 200 and r.json()["checkout_url"].endswith(f"/payments/sandbox/{bill.reference}/")
    assert json.loads(SANDBOX.notification(bill))["amount_fen"] == 1250
