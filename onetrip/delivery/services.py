"""Writes of 快递送达: the applicant's choice, the shipment when a posted result is ready, its
tracking events, and "delivered", which closes the case through the mover with no trip."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases import services as cases
from onetrip.cases.models import Application, Case, State
from onetrip.cases.rules import Refused, check_length, is_applicant
from onetrip.core import trail
from onetrip.delivery import carriers, rules
from onetrip.delivery.models import DeliveryChoice, Method, Shipment, ShipmentEvent, ShipmentState

LIVE = (ShipmentState.CREATED, ShipmentState.POSTED, ShipmentState.IN_TRANSIT)
# Who may move a shipment along: staff from the post queue or the API, or the carrier's webhook.
NEXT = {
    ShipmentState.CREATED: {ShipmentState.POSTED},
    ShipmentState.POSTED: {ShipmentState.IN_TRANSIT, ShipmentState.DELIVERED, ShipmentState.RETURNED},
    ShipmentState.IN_TRANSIT: {ShipmentState.DELIVERED, ShipmentState.RETURNED},
}


def live_shipment(case: Case) -> Shipment | None:
    return case.shipments.exclude(state=ShipmentState.CANCELLED).first()


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def choose_delivery(*, actor: User, case: Case, method: str, recipient_name: str = "", address: str = "",
                    phone: str = "") -> DeliveryChoice:
    """The applicant chooses window pickup or post (recipient, address, phone), when applying or
    later until the result is handed out or posted. A post choice for a result already ready
    creates the shipment at once."""
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("version", "application").filter(
            pk=case.pk).first()
        if locked is None:
            raise Refused(_("No such case."), code="not_found")
        case = locked
        if not is_applicant(case, actor):
            raise Refused(_("Only the applicant chooses how to get the result."), code="forbidden")
        shipment = live_shipment(case)
        if not rules.may_choose(case, shipment.state if shipment else None):
            raise Refused(_("How the result is delivered can no longer be changed."), code="wrong_state")
        if method not in Method.values:
            raise ValidationError({"method": [_("Choose window pickup or post.")]})
        errors: dict[str, list[str]] = {}
        recipient_name, address, phone = (recipient_name or "").strip(), (address or "").strip(), \
            (phone or "").strip().replace(" ", "")
        if method == Method.POST:
            if not rules.post_offered(case):
                raise Refused(_("This item's result cannot be posted; collect it at the window."), code="not_postable")
            if not recipient_name:
                errors["recipient_name"] = [_("Enter the name of the person who receives the post.")]
            if len(address) < 8:
                errors["address"] = [_("Enter the full postal address: district, street, building and room.")]
            if not rules.valid_phone(phone):
                errors["phone"] = [_("Enter a mobile number (11 digits) or a landline with its area code.")]
            if errors:
                raise ValidationError(errors)
            check_length("address", address, 300)
            check_length("recipient_name", recipient_name, 100)
        else:
            recipient_name = address = phone = ""
        choice, _created = DeliveryChoice.objects.update_or_create(case=case, defaults={
            "method": method, "recipient_name": recipient_name, "address": address, "phone": phone,
            "chosen_by": actor, "chosen_at": timezone.now()})
        summary: dict[str, Any] = {"method": method}
        if method == Method.PICKUP and shipment is not None:
            _cancel(shipment, actor)
            summary["shipment_cancelled"] = shipment.tracking_number
        Case.objects.filter(pk=case.pk).update(delivery_method="post" if method == Method.POST else "",
                                               updated_at=timezone.now())
        case.delivery_method = "post" if method == Method.POST else ""
        if method == Method.POST and case.state == State.RESULT_READY:
            if shipment is not None:
                _cancel(shipment, actor)
            summary["tracking_number"] = create_shipment(case, choice, actor).tracking_number
        trail.record(actor=actor, action="delivery.choose", obj=case,
                     summary={**summary, "address": rules.mask_address(address)})
        return choice


def choose_for_application(*, actor: User, application: Application, method: str, recipient_name: str = "",
                           address: str = "", phone: str = "") -> list[DeliveryChoice]:
    """The choice made on the application form, before submitting: it applies to each case of the
    application (a bundle has several); post to those whose item allows it (at least one must),
    the others are collected at the window. All or nothing."""
    with transaction.atomic():
        drafts = list(Case.objects.filter(application=application, state=State.DRAFT).select_related("version")
                      .order_by("id"))
        if not drafts:
            raise Refused(_("This application is no longer a draft: choose on each case's page."), code="wrong_state")
        if method == Method.POST and not any(rules.post_offered(c) for c in drafts):
            raise Refused(_("This item's result cannot be posted; collect it at the window."), code="not_postable")
        return [choose_delivery(actor=actor, case=c,
                                method=method if rules.post_offered(c) or method != Method.POST else Method.PICKUP,
                                recipient_name=recipient_name, address=address, phone=phone)
                for c in drafts]


def _cancel(shipment: Shipment, actor: User | None) -> None:
    Shipment.objects.filter(pk=shipment.pk).update(state=ShipmentState.CANCELLED)
    ShipmentEvent.objects.create(shipment=shipment, state=ShipmentState.CANCELLED, at=timezone.now(), by=actor)


def create_shipment(case: Case, choice: DeliveryChoice, actor: User | None,
                    carrier: str = carriers.DEFAULT_CARRIER) -> Shipment:
    c = carriers.get(carrier)
    if c is None:
        raise ValidationError(_("Unknown carrier."))
    shipment = Shipment.objects.create(case=case, carrier=carrier, tracking_number=f"tmp-{secrets.token_hex(8)}",
                                       recipient_name=choice.recipient_name, address=choice.address,
                                       phone=choice.phone)
    shipment.tracking_number = c.tracking_number(shipment)
    shipment.save(update_fields=["tracking_number"])
    ShipmentEvent.objects.create(shipment=shipment, state=ShipmentState.CREATED, at=timezone.now(), by=actor)
    trail.record(actor=actor, action="delivery.shipment_created", obj=shipment,
                 summary={"case": case.number, "tracking_number": shipment.tracking_number})
    return shipment


def on_result_ready(case: Case, actor: User | None, action: str, data: dict[str, Any], summary: dict[str, Any]) -> None:
    """Follower of ``issue_result``: a post choice becomes a shipment with its tracking number."""
    choice = DeliveryChoice.objects.filter(case=case, method=Method.POST).first()
    if choice is None or live_shipment(case) is not None:
        return
    summary["tracking_number"] = create_shipment(case, choice, actor).tracking_number
    summary["method"] = "post"


def posted_elsewhere(case: Case) -> str | None:
    """Blocker of the manual ``deliver``: a shipment of the post queue is moved by its tracking."""
    if live_shipment(case) is not None:
        return _("This result goes through the post queue: it is delivered when the carrier says so.")
    return None


def update_shipment(*, actor: User | None, shipment: Shipment, state: str, note: str = "",
                    event_id: str | None = None) -> Shipment:
    """A shipment moves on (staff from the post queue or the API, or the carrier's webhook with
    ``actor=None``). Delivered: the case is delivered and closed through the mover, no trip."""
    if actor is not None and actor.role not in (Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD):
        raise Refused(_("Only staff who post results update shipments."), code="forbidden")
    with transaction.atomic():
        locked = Shipment.objects.select_for_update(of=("self",)).select_related("case").filter(pk=shipment.pk).first()
        if locked is None:
            raise Refused(_("No such shipment."), code="not_found")
        shipment = locked
        if event_id and ShipmentEvent.objects.filter(event_id=event_id).exists():
            raise Refused(_("This carrier event was received already."), code="duplicate")
        if state not in NEXT.get(shipment.state, set()):  # type: ignore[call-overload]
            raise Refused(_("A shipment that is “%(s)s” cannot become “%(t)s”.") % {
                "s": shipment.get_state_display(),
                "t": ShipmentState(state).label if state in ShipmentState.values else state}, code="wrong_state")
        now = timezone.now()
        try:
            with transaction.atomic():
                ShipmentEvent.objects.create(shipment=shipment, state=state, at=now, note=(note or "")[:200], by=actor,
                                             event_id=event_id)
        except IntegrityError:
            raise Refused(_("This carrier event was received already."), code="duplicate") from None
        fields = {"state": state}
        if state == ShipmentState.POSTED:
            fields["posted_at"] = now  # type: ignore[assignment]
        if state == ShipmentState.DELIVERED:
            fields["delivered_at"] = now  # type: ignore[assignment]
        Shipment.objects.filter(pk=shipment.pk).update(**fields)
        shipment.state = state
        trail.record(actor=actor, action=f"delivery.shipment_{state}", obj=shipment,
                     summary={"case": shipment.case.number, "tracking_number": shipment.tracking_number,
                              "source": "carrier" if event_id else "staff"})
        if state == ShipmentState.DELIVERED:
            case = cases.transition(case=shipment.case, action="post_delivered", actor=actor,
                                    data={"tracking_number": shipment.tracking_number})
            cases.transition(case=case, action="close", actor=actor)
        else:
            _touch(shipment.case)
        return shipment


def receive_webhook(*, carrier: str, body: bytes, headers: Mapping[str, str]) -> Shipment:
    """The carrier's signed status update. Forged, malformed or replayed events are refused and
    put on the trail; nothing else is written."""
    c = carriers.get(carrier)
    try:
        if c is None:
            raise carriers.WebhookRefused("unknown_carrier")
        event = c.verify(body, headers)
        shipment = Shipment.objects.filter(carrier=carrier, tracking_number=event.tracking_number).first()
        if shipment is None:
            raise carriers.WebhookRefused("unknown_shipment")
        try:
            return update_shipment(actor=None, shipment=shipment, state=event.state, note=event.note,
                                   event_id=f"{carrier}:{event.event_id}")
        except Refused as exc:
            raise carriers.WebhookRefused(getattr(exc, "code", None) or "refused") from None
    except carriers.WebhookRefused as refused:
        with transaction.atomic():
            trail.record(actor=None, action="delivery.webhook_refused", object_type="delivery.carrier",
                         object_id=carrier[:32], summary={"reason": refused.reason, "body": body[:500].decode(
                             "utf-8", "replace")})
        raise


def read_address(*, actor: User, shipment: Shipment) -> Shipment:
    """The staff who post a result see the full address and phone; each read is on the trail."""
    with transaction.atomic():
        trail.record(actor=actor, action="personal_data.view", obj=shipment.case,
                     summary={"purpose": _("posting the result"), "tracking_number": shipment.tracking_number})
    return shipment


def _post_delivered(case: Case, actor: User | None, data: dict[str, Any], day: Any, summary: dict[str, Any]) -> None:
    """送达 by post: the carrier (or the staff reading its tracking) says the result arrived. No trip."""
    shipment = live_shipment(case)
    if shipment is None or shipment.state != ShipmentState.DELIVERED:
        raise Refused(_("The post has not been delivered yet."), code="not_delivered")
    case.delivery_method = "post"
    case.delivery_reference = shipment.tracking_number
    case.step_role = ""
    summary.update(method="post", tracking_number=shipment.tracking_number)
