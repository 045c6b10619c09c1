"""Writes of 统一支付: raising bills at the fee's step, taking a provider's callback, refunds.

Each write is one transaction with its trail entries; a refused callback leaves only its line in
the callback log (and a trail entry), nothing else."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.cases.models import Case, RuleViolation
from onetrip.cases.rules import Refused, is_applicant, record_violation
from onetrip.catalog.models import FeeRule
from onetrip.core import trail
from onetrip.payments import providers, rules
from onetrip.payments.models import Bill, BillState, Callback, Payment

# The action of a case on which a fee due at that step raises its bill.
RAISED_ON = {"accept": "acceptance", "deem_accept": "acceptance", "approve": "approval"}


def _touch(case: Case) -> None:
    """The case changed for its readers (the public progress answer is cached per change)."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def raise_bills(case: Case, actor: User | None, action: str, data: dict[str, Any], summary: dict[str, Any]) -> None:
    """缴费通知: a bill for each fee of the case's version due at this step (runs inside the mover's
    transaction, the case locked; a fee whose amount cannot be computed refuses the action)."""
    due_at = RAISED_ON.get(action)
    fees = [f for f in case.version.fees.all() if f.amount_rule != FeeRule.NONE and f.due_at == due_at]
    if not fees:
        return
    raised = []
    for fee in fees:
        if Bill.objects.filter(case=case, fee=fee).exists():
            continue
        amount, quantity = rules.fee_amount(fee, case.application.form_data or {})
        bill = Bill.objects.create(
            case=case, fee=fee, reference=secrets.token_hex(16), name=fee.name, standard=fee.standard,
            basis=fee.basis, quantity=quantity, unit_label=fee.unit_label if quantity else "", amount_fen=amount,
            blocks_result=fee.blocks_result, refundable=fee.refundable, raised_on=action)
        trail.record(actor=actor, action="payment.bill_raised", obj=bill, summary={
            "case": case.number, "fee": fee.name, "amount_fen": amount, "quantity": quantity})
        raised.append({"fee": fee.name, "amount_fen": amount})
    if raised:
        summary["bills"] = raised


def unpaid_blocker(case: Case) -> str | None:
    """The case waits for payment (the result is not issued or handed out) while a bill that the
    law makes it wait for is unpaid."""
    waiting = rules.result_waits_for(list(Bill.objects.filter(case=case, state=BillState.DUE)))
    if not waiting:
        return None
    return _("The result waits for payment of %(f)s.") % {
        "f": "、".join(f"{b.name} {rules.yuan(b.amount_fen)}" for b in waiting)}


def start_payment(*, actor: User, bill: Bill, provider: str = providers.DEFAULT_PROVIDER) -> str:
    """Where the applicant pays this bill (the provider's checkout page). Writes nothing."""
    if not is_applicant(bill.case, actor):
        raise Refused(_("Only the applicant pays the bills of a case."), code="forbidden")
    if bill.state != BillState.DUE:
        raise Refused(_("This bill is not waiting for payment (%(s)s).") % {"s": bill.get_state_display()},
                      code="wrong_state")
    p = providers.get(provider)
    if p is None:
        raise ValidationError({"provider": [_("Unknown payment provider.")]})
    return p.checkout_url(bill)


def _log_refusal(provider: str, reason: str, body: bytes, note: providers.Notification | None) -> Callback:
    with transaction.atomic():
        log = Callback.objects.create(
            provider=provider[:32], verdict=Callback.Verdict.REFUSED, reason=reason,
            notification_id=note.notification_id if note else "", bill_reference=note.bill_reference[:64] if note else "",
            amount_fen=note.amount_fen if note else None, body=body[:4000].decode("utf-8", "replace"))
        trail.record(actor=None, action="payment.callback_refused", obj=log,
                     summary={"provider": provider[:32], "reason": reason,
                              "bill": note.bill_reference[:64] if note else ""})
    return log


def receive_callback(*, provider: str, body: bytes, headers: Mapping[str, str]) -> Callback:
    """A provider says a bill was paid. Verified first (signature, form, age); then, with the bill
    locked: the amount must be the bill's, the notification new; a bill already paid is left as
    it is (a second valid notification changes nothing). Refused callbacks are logged with the
    reason and raise ``CallbackRefused``; nothing else is written for them."""
    p = providers.get(provider)
    if p is None:
        _log_refusal(provider, "unknown_provider", body, None)
        raise providers.CallbackRefused("unknown_provider")
    note = None
    try:
        note = p.verify(body, headers)
        with transaction.atomic():
            return _take(provider, note, body)
    except providers.CallbackRefused as refused:
        _log_refusal(provider, refused.reason, body, note)
        if refused.reason == "amount_mismatch" and note is not None:
            _record_off_catalogue(provider, note)
        raise
    except IntegrityError:
        # The same notification taken in concurrently by another request: a replay.
        _log_refusal(provider, "replayed", body, note)
        raise providers.CallbackRefused("replayed") from None


def _record_off_catalogue(provider: str, note: providers.Notification) -> None:
    """A provider reported a payment of another amount than the bill: recorded once per
    notification for e-supervision (the payment itself was refused)."""
    bill = Bill.objects.select_related("case").filter(reference=note.bill_reference).first()
    if bill is None or not rules.charged_off_catalogue(bill.amount_fen, note.amount_fen):
        return
    detail = {"fee": bill.name, "bill": bill.reference, "due_fen": bill.amount_fen, "charged_fen": note.amount_fen,
              "provider": provider[:32], "notification": note.notification_id[:64]}
    with transaction.atomic():
        if not RuleViolation.objects.filter(case=bill.case, rule=RuleViolation.Rule.FEE_OFF_CATALOGUE,
                                            detail__notification=detail["notification"]).exists():
            record_violation(case=bill.case, rule=RuleViolation.Rule.FEE_OFF_CATALOGUE, actor=None, detail=detail)


def _take(provider: str, note: providers.Notification, body: bytes) -> Callback:
    bill = (Bill.objects.select_for_update(of=("self",)).select_related("case")
            .filter(reference=note.bill_reference).first())
    if bill is None:
        raise providers.CallbackRefused("unknown_bill")
    if Callback.objects.filter(provider=provider, notification_id=note.notification_id).exclude(
            verdict=Callback.Verdict.REFUSED).exists():
        raise providers.CallbackRefused("replayed")
    if note.amount_fen != bill.amount_fen:
        raise providers.CallbackRefused("amount_mismatch")
    text = body[:4000].decode("utf-8", "replace")
    if bill.state == BillState.PAID:
        return Callback.objects.create(provider=provider, notification_id=note.notification_id,
                                       bill_reference=bill.reference, amount_fen=note.amount_fen,
                                       verdict=Callback.Verdict.DUPLICATE, body=text)
    if bill.state != BillState.DUE:
        raise providers.CallbackRefused("not_due")
    now = timezone.now()
    log = Callback.objects.create(provider=provider, notification_id=note.notification_id,
                                  bill_reference=bill.reference, amount_fen=note.amount_fen,
                                  verdict=Callback.Verdict.ACCEPTED, body=text)
    payment = Payment.objects.create(bill=bill, kind=Payment.Kind.PAYMENT, provider=provider,
                                     provider_reference=note.transaction_id, amount_fen=note.amount_fen, at=now)
    Bill.objects.filter(pk=bill.pk).update(state=BillState.PAID, paid_at=now)
    _touch(bill.case)
    trail.record(actor=None, action="payment.paid", obj=bill, summary={
        "case": bill.case.number, "amount_fen": payment.amount_fen, "provider": provider,
        "transaction": note.transaction_id, "payment": payment.pk})
    return log


def settle_on_withdrawal(case: Case, actor: User | None, action: str, data: dict[str, Any],
                         summary: dict[str, Any]) -> None:
    """撤回: unpaid bills are cancelled; paid ones refunded where the fee allows (inside the mover's
    transaction: the withdrawal and its refunds commit or fail together)."""
    now = timezone.now()
    refunded, cancelled = [], []
    for bill in Bill.objects.select_for_update(of=("self",)).filter(case=case, state__in=[BillState.DUE, BillState.PAID]):
        if bill.state == BillState.DUE:
            Bill.objects.filter(pk=bill.pk).update(state=BillState.CANCELLED, closed_at=now)
            trail.record(actor=actor, action="payment.bill_cancelled", obj=bill, summary={"case": case.number})
            cancelled.append(bill.name)
        elif rules.refund_on_withdrawal(bill):
            paid = bill.payments.get(kind=Payment.Kind.PAYMENT)
            p = providers.get(paid.provider)
            if p is None:
                raise Refused(_("The payment cannot be refunded now; try again later."), code="refund_failed")
            reference = p.refund(paid)
            Payment.objects.create(bill=bill, kind=Payment.Kind.REFUND, provider=paid.provider,
                                   provider_reference=reference, amount_fen=paid.amount_fen, at=now)
            Bill.objects.filter(pk=bill.pk).update(state=BillState.REFUNDED, closed_at=now)
            trail.record(actor=actor, action="payment.refunded", obj=bill, summary={
                "case": case.number, "amount_fen": paid.amount_fen, "refund": reference})
            refunded.append({"fee": bill.name, "amount_fen": paid.amount_fen})
    if refunded:
        summary["refunds"] = refunded
    if cancelled:
        summary["bills_cancelled"] = cancelled


def receipt(*, actor: User, bill: Bill) -> tuple[bytes, str]:
    """收据 of a paid bill as PDF (on the trail: who downloaded it)."""
    from onetrip.payments.receipt import render_receipt

    payment = bill.payments.filter(kind=Payment.Kind.PAYMENT).first()
    if payment is None:
        raise Refused(_("This bill has not been paid: there is no receipt."), code="not_found")
    with transaction.atomic():
        trail.record(actor=actor, action="payment.receipt", obj=bill, summary={"case": bill.case.number})
    return render_receipt(bill, payment), f"receipt-{bill.case.number}-{payment.pk}.pdf"
