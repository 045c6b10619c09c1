"""The payment-provider interface (支付渠道) and the built-in sandbox.

A provider sends the payer to its checkout page, tells the system by a signed notification
(callback) that a bill was paid, and refunds a payment. A real provider (e.g. the province's
non-tax payment platform, 非税支付平台) is one more class with the same three methods, added to
``PROVIDERS``. The system never trusts a notification it cannot verify: ``verify`` raises
``CallbackRefused`` for a bad signature or a malformed or stale body, before anything is read
from the database.

The sandbox (``SandboxProvider``) simulates a bank inside the system: its checkout page
(``/payments/sandbox/<reference>/``) asks the payer to confirm and then sends the callback, a
JSON body signed with HMAC-SHA256 under ``PAYMENT_SANDBOX_SECRET`` (by default derived from
``SECRET_KEY``) in the header ``X-OneTrip-Signature: sha256=<hex>``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onetrip.core import webhooks

if TYPE_CHECKING:
    from onetrip.payments.models import Bill, Payment

SIGNATURE_HEADER = webhooks.SIGNATURE_HEADER
MAX_AGE_SECONDS = 15 * 60  # an older notification is refused as a replay


class CallbackRefused(Exception):
    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


@dataclass(frozen=True)
class Notification:
    """What a verified callback says: this bill was paid with this amount in this transaction."""

    notification_id: str
    bill_reference: str
    amount_fen: int
    transaction_id: str
    timestamp: int


class PaymentProvider(Protocol):
    name: str
    label: Promise | str

    def checkout_url(self, bill: Bill) -> str:
        """Where the payer pays this bill."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """The notification, if the body is signed by the provider and well-formed; else
        ``CallbackRefused``."""
        ...

    def refund(self, payment: Payment) -> str:
        """Give the payment back; returns the provider's refund reference."""
        ...


def _secret(name: str) -> bytes:
    return webhooks.secret(getattr(settings, "PAYMENT_SANDBOX_SECRET", ""), f"payments.{name}")


class SandboxProvider:
    name: str = "sandbox"
    label: Promise | str = _("Sandbox bank (test payments)")

    def checkout_url(self, bill: Bill) -> str:
        return reverse("payments:sandbox-bank", args=[bill.reference])

    def sign(self, body: bytes) -> str:
        return webhooks.sign(_secret(self.name), body)

    def notification(self, bill: Bill, *, amount_fen: int | None = None, now: float | None = None) -> bytes:
        """The body the sandbox bank sends when ``bill`` is paid (tests change the amount)."""
        return json.dumps({
            "notification_id": secrets.token_hex(12),
            "bill": bill.reference,
            "amount_fen": bill.amount_fen if amount_fen is None else amount_fen,
            "transaction_id": "SBX" + secrets.token_hex(10).upper(),
            "status": "paid",
            "timestamp": int(now if now is not None else time.time()),
        }, sort_keys=True).encode()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        if not webhooks.signed(_secret(self.name), body, headers.get(SIGNATURE_HEADER)):
            raise CallbackRefused("forged")
        try:
            data = json.loads(body)
            note = Notification(
                notification_id=str(data["notification_id"]), bill_reference=str(data["bill"]),
                amount_fen=data["amount_fen"], transaction_id=str(data["transaction_id"]),
                timestamp=int(data["timestamp"]))
        except (ValueError, KeyError, TypeError):
            raise CallbackRefused("malformed") from None
        if data.get("status") != "paid" or type(note.amount_fen) is not int or not note.notification_id \
                or len(note.notification_id) > 64 or len(note.transaction_id) > 64:
            raise CallbackRefused("malformed")
        if abs(time.time() - note.timestamp) > MAX_AGE_SECONDS:
            raise CallbackRefused("stale")
        return note

    def refund(self, payment: Payment) -> str:
        return "SBXR" + secrets.token_hex(10).upper()


PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider()}
DEFAULT_PROVIDER = "sandbox"


def get(name: str) -> PaymentProvider | None:
    return PROVIDERS.get(name)
