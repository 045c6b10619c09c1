"""统一支付: the bills of a case (one per fee of its item version that has an amount rule), the
payments and refunds made on them, and a log of every provider callback received, accepted or
refused. Amounts are integers in fen (分), never floats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillState(models.TextChoices):
    DUE = "due", _("To be paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class Bill(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="bills")
    fee = models.ForeignKey("catalog.Fee", on_delete=models.PROTECT, related_name="+")
    # The unguessable reference the payer and the provider name the bill by.
    reference = models.CharField(max_length=32, unique=True)
    name = models.CharField(_("fee"), max_length=200)
    standard = models.CharField(_("standard"), max_length=200)
    basis = models.TextField(_("basis"))
    quantity = models.CharField(_("quantity"), max_length=32, blank=True)
    unit_label = models.CharField(_("unit"), max_length=32, blank=True)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    state = models.CharField(_("state"), max_length=16, choices=BillState.choices, default=BillState.DUE)
    blocks_result = models.BooleanField(default=True)
    refundable = models.BooleanField(default=True)
    raised_on = models.CharField(max_length=32)  # the action that raised it
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # refunded or cancelled

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.UniqueConstraint(fields=["case", "fee"], name="payments_bill_once_per_fee"),
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="payments_bill_amount_positive"),
        ]
        indexes = [models.Index(fields=["case", "state"], name="payments_bill_case_state")]

    def __str__(self) -> str:
        return f"{self.name} · {self.reference}"


class Payment(models.Model):
    """Money that moved: a payment on a bill, or its refund. At most one of each per bill."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    provider = models.CharField(max_length=32)
    provider_reference = models.CharField(max_length=64)
    amount_fen = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["bill", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "kind"], name="payments_one_payment_one_refund_per_bill"),
            models.UniqueConstraint(fields=["provider", "kind", "provider_reference"],
                                    name="payments_provider_reference_once"),
        ]


class Callback(models.Model):
    """Every notification a provider sent, with what was done with it. ``notification_id`` is
    unique per provider among the ones taken in (accepted or found already paid), so a replay of
    the same notification is refused."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted: the bill is paid")
        DUPLICATE = "duplicate", _("Valid, the bill was paid already: nothing changed")
        REFUSED = "refused", _("Refused")

    provider = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True)
    notification_id = models.CharField(max_length=64, blank=True)
    bill_reference = models.CharField(max_length=64, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.CharField(max_length=32, blank=True)  # why refused: forged, replayed, amount_mismatch…
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "notification_id"],
                                    condition=~models.Q(verdict="refused"), name="payments_notification_once"),
        ]
