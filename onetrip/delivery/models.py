"""快递送达: how the applicant wants the result (window pickup or post, with the address), the
shipment created when a posted result is ready, and its tracking events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    PICKUP = "pickup", _("Pick up at the window")
    POST = "post", _("Send by post")


class DeliveryChoice(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="delivery_choice")
    method = models.CharField(_("how to get the result"), max_length=8, choices=Method.choices)
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("delivery choice")
        verbose_name_plural = _("delivery choices")


class ShipmentState(models.TextChoices):
    CREATED = "created", _("To be posted")
    POSTED = "posted", _("Posted")
    IN_TRANSIT = "in_transit", _("On its way")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")
    CANCELLED = "cancelled", _("Cancelled (collected at the window instead)")


class Shipment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="shipments")
    carrier = models.CharField(max_length=32)
    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    state = models.CharField(_("state"), max_length=16, choices=ShipmentState.choices, default=ShipmentState.CREATED)
    recipient_name = models.CharField(_("recipient"), max_length=100)
    address = models.CharField(_("postal address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            # One live shipment per case (a cancelled one may be followed by another).
            models.UniqueConstraint(fields=["case"], condition=~models.Q(state="cancelled"),
                                    name="delivery_one_live_shipment_per_case"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="delivery_shipment_state")]


class ShipmentEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    state = models.CharField(max_length=16, choices=ShipmentState.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The carrier's id of a webhook event: a replayed event is refused.
    event_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "id"]
