"""The carrier interface (寄递企业) and the built-in local carrier.

A carrier issues a tracking number for a shipment and tells the system how it goes (posted, on
its way, delivered, returned) by a signed webhook. A real carrier (EMS, a city courier) is one
more class with the same methods, added to ``CARRIERS``.

The local carrier issues UPU S10 numbers (``DC`` + an eight-digit serial + check digit + ``CN``,
``rules.s10_number``) from the shipment's id, and takes status updates from the staff page and
API or from its webhook: a JSON body ``{"event_id", "tracking_number", "state", "note"}`` signed
with HMAC-SHA256 under ``DELIVERY_LOCAL_CARRIER_SECRET`` (default derived from ``SECRET_KEY``)
in the header ``X-OneTrip-Signature: sha256=<hex>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onetrip.core import webhooks
from onetrip.delivery import rules

if TYPE_CHECKING:
    from onetrip.delivery.models import Shipment

SIGNATURE_HEADER = webhooks.SIGNATURE_HEADER
WEBHOOK_STATES = ("posted", "in_transit", "delivered", "returned")


class WebhookRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TrackingEvent:
    event_id: str
    tracking_number: str
    state: str
    note: str


class Carrier(Protocol):
    name: str
    label: Promise | str

    def tracking_number(self, shipment: Shipment) -> str:
        """Issue the tracking number of a new shipment."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> TrackingEvent:
        """The event, if signed by the carrier and well-formed; else ``WebhookRefused``."""
        ...


def _secret(name: str) -> bytes:
    return webhooks.secret(getattr(settings, "DELIVERY_LOCAL_CARRIER_SECRET", ""), f"delivery.{name}")


class LocalCarrier:
    name: str = "local"
    label: Promise | str = _("District postal service")
    prefix = "DC"

    def tracking_number(self, shipment: Shipment) -> str:
        return rules.s10_number(self.prefix, shipment.pk % 100_000_000)

    def sign(self, body: bytes) -> str:
        return webhooks.sign(_secret(self.name), body)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> TrackingEvent:
        if not webhooks.signed(_secret(self.name), body, headers.get(SIGNATURE_HEADER)):
            raise WebhookRefused("forged")
        try:
            data = json.loads(body)
            event = TrackingEvent(str(data["event_id"]), str(data["tracking_number"]), str(data["state"]),
                                  str(data.get("note", ""))[:200])
        except (ValueError, KeyError, TypeError):
            raise WebhookRefused("malformed") from None
        if event.state not in WEBHOOK_STATES or not event.event_id or len(event.event_id) > 64:
            raise WebhookRefused("malformed")
        return event


CARRIERS: dict[str, Carrier] = {"local": LocalCarrier()}
DEFAULT_CARRIER = "local"


def get(name: str) -> Carrier | None:
    return CARRIERS.get(name)
