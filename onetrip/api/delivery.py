"""快递送达 over the API (mounted under ``/api/v1``): the applicant's delivery choice and the
shipment's tracking on a case, the staff's post queue and status updates, and the carrier's
signed webhook (raw JSON body, header X-OneTrip-Signature: 400 malformed, 403 forged, 404 unknown
shipment, 409 replayed or out of order)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers
from onetrip.cases.models import Application
from onetrip.cases.rules import is_applicant
from onetrip.cases.selectors import visible_cases
from onetrip.core.identity import mask_mobile, mask_name
from onetrip.delivery import carriers, rules, selectors, services

router = Router(tags=["delivery"])

ShipmentStateName = Literal["created", "posted", "in_transit", "delivered", "returned", "cancelled"]


class TrackingEventOut(Schema):
    state: ShipmentStateName
    state_label: str
    at: dt.datetime
    note: str


class ShipmentOut(Schema):
    case: str
    tracking_number: str
    carrier: str
    state: ShipmentStateName
    state_label: str
    recipient: str = Field(..., description="Masked for staff lists; in full for the applicant.")
    address: str
    phone: str
    events: list[TrackingEventOut]


class DeliveryOut(Schema):
    method: Literal["pickup", "post", ""] = Field(..., description="Empty: not chosen yet (window pickup).")
    method_label: str
    postable: bool = Field(..., description="Whether this item's result may be posted.")
    may_change: bool
    recipient: str
    address: str
    phone: str
    shipment: ShipmentOut | None


class DeliveryIn(Schema):
    method: Literal["pickup", "post"]
    recipient_name: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)


class ShipmentStatusIn(Schema):
    state: Literal["posted", "in_transit", "delivered", "returned"]
    note: str = Field("", max_length=200)


class QueueIn(Schema):
    state: Literal["created", "posted", "in_transit"] = "created"


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _shipment_out(s: Any, *, full: bool) -> dict[str, Any]:
    return {"case": s.case.number, "tracking_number": s.tracking_number, "carrier": s.carrier, "state": s.state,
            "state_label": s.get_state_display(),
            "recipient": s.recipient_name if full else mask_name(s.recipient_name),
            "address": s.address if full else rules.mask_address(s.address),
            "phone": s.phone if full else mask_mobile(s.phone),
            "events": [{"state": e.state, "state_label": e.get_state_display(), "at": e.at, "note": e.note}
                       for e in s.events.all()]}


def _case(request: HttpRequest, number: str) -> Any:
    case = visible_cases(_user(request)).filter(number=number).select_related("version").first()
    if case is None:
        raise HttpError(404, f"No case {number} that you may see.")
    return case


def _delivery_out(case: Any, user: User) -> dict[str, Any]:
    mine = is_applicant(case, user)
    choice, shipment = selectors.choice_of(case), selectors.shipment_of(case)
    return {
        "method": choice.method if choice else "", "method_label": choice.get_method_display() if choice else "",
        "postable": rules.post_offered(case),
        "may_change": mine and rules.may_choose(case, shipment.state if shipment else None),
        "recipient": (choice.recipient_name if mine else mask_name(choice.recipient_name)) if choice else "",
        "address": (choice.address if mine else rules.mask_address(choice.address)) if choice else "",
        "phone": (choice.phone if mine else mask_mobile(choice.phone)) if choice else "",
        "shipment": _shipment_out(shipment, full=mine) if shipment else None,
    }


@router.get("/cases/{number}/delivery", response=answers({200: DeliveryOut}, 401, 404), auth=token_or_session)
def get_delivery(request: HttpRequest, number: str) -> Any:
    """How the result of a case reaches the applicant, and its shipment's tracking (staff see the
    address masked)."""
    return _delivery_out(_case(request, number), _user(request))


@router.post("/cases/{number}/delivery", response=answers({200: DeliveryOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def choose_delivery(request: HttpRequest, number: str, payload: DeliveryIn) -> Any:
    """The applicant chooses window pickup or post (recipient, address, phone), when applying or
    later, until the result is handed out or posted. Post only for items whose result is postable."""
    case = _case(request, number)
    services.choose_delivery(actor=_user(request), case=case, method=payload.method,
                             recipient_name=payload.recipient_name, address=payload.address, phone=payload.phone)
    return _delivery_out(case, _user(request))


class ApplicationDeliveryOut(Schema):
    item: str
    method: Literal["pickup", "post"]
    method_label: str


@router.post("/applications/{application_id}/delivery",
             response=answers({200: list[ApplicationDeliveryOut]}, 400, 401, 403, 404, 409), auth=token_or_session)
def choose_delivery_when_applying(request: HttpRequest, application_id: int, payload: DeliveryIn) -> Any:
    """The choice made while applying, before submitting: it applies to each case of the draft
    application; post to those whose item's result may be posted (at least one must), the others
    are collected at the window."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None or not is_applicant(application, _user(request)):
        raise HttpError(404, f"No application {application_id} of yours.")
    choices = services.choose_for_application(
        actor=_user(request), application=application, method=payload.method,
        recipient_name=payload.recipient_name, address=payload.address, phone=payload.phone)
    return [{"item": c.case.version.display_name, "method": c.method, "method_label": c.get_method_display()}
            for c in choices]


@router.get("/shipments", response=answers({200: list[ShipmentOut]}, 400, 401, 403), auth=token_or_session)
def post_queue(request: HttpRequest, params: Query[QueueIn]) -> Any:
    """待邮寄: the staff's queue of results to be posted (or on their way), addresses masked."""
    user = _user(request)
    if not can(user, Capability.HAND_OUT_RESULTS):
        raise HttpError(403, "The post queue is for the staff who post results.")
    return [_shipment_out(s, full=False) for s in selectors.post_queue(user, params.state).prefetch_related("events")[:200]]


@router.post("/shipments/{tracking_number}/status", response=answers({200: ShipmentOut}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def shipment_status(request: HttpRequest, tracking_number: str, payload: ShipmentStatusIn) -> Any:
    """Staff record what happened to the post: posted, on its way, delivered (the case is then
    delivered and closed, with no trip), returned."""
    user = _user(request)
    if not can(user, Capability.HAND_OUT_RESULTS):
        raise HttpError(403, "Only the staff who post results update shipments.")
    shipment = selectors.shipment_by_tracking(user, tracking_number)
    if shipment is None:
        raise HttpError(404, f"No shipment {tracking_number} that you may see.")
    services.update_shipment(actor=user, shipment=shipment, state=payload.state, note=payload.note)
    shipment.refresh_from_db()
    return _shipment_out(shipment, full=False)


_WEBHOOK_STATUS = {"forged": 403, "unknown_carrier": 403, "malformed": 400, "unknown_shipment": 404,
                   "duplicate": 409, "wrong_state": 409}


@router.post("/delivery/carriers/{carrier}/webhook", response=answers({200: ShipmentOut}, 400, 403, 404, 409),
             auth=None, openapi_extra={"description": (
                 "The carrier's signed status update: raw JSON {event_id, tracking_number, state, note} with "
                 "X-OneTrip-Signature: sha256=HMAC-SHA256 of the body under DELIVERY_LOCAL_CARRIER_SECRET. "
                 "A replayed event_id is refused; 'delivered' closes the case with no trip.")})
def carrier_webhook(request: HttpRequest, carrier: str) -> Any:
    try:
        shipment = services.receive_webhook(carrier=carrier, body=request.body, headers=request.headers)
    except carriers.WebhookRefused as refused:
        raise HttpError(_WEBHOOK_STATUS.get(refused.reason, 400), f"Update refused: {refused.reason}") from None
    shipment.refresh_from_db()
    return _shipment_out(shipment, full=False)
