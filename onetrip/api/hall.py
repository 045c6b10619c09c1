"""The service hall over the API (mounted under ``/api/v1``): tickets (take, status), the
clerk's calling actions, the live calling feed, appointment slots and bookings.

Refusals of the hall's services are ``Refused`` with a code (answered by ``api.on_refused``):
``wrong_state``/``claimed``/``full``/``duplicate`` 409, ``forbidden``/``not_yours``/``suspended`` 403,
``not_found`` 404, the rest (``closed``, ``invalid``, ``no_window``, ``wrong_day``) 400."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.hall import rules, selectors, services
from onetrip.hall.models import Area, Hall, Kiosk, Ticket, TicketChannel, Window

router = Router(tags=["hall"])

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


class HallAreaOut(Schema):
    code: str
    name: str
    name_en: str
    prefix: str
    waiting: int
    priority_allowed: bool


class HallTicketIn(Schema):
    area: str = text(max_length=32, description="The area's code (see /hall/areas).")


class HallTicketOut(Schema):
    number: str = Field(..., description="A001…: the area's prefix and the day's number.")
    token: str = Field(..., description="The key to this ticket's status; keep it.")
    area: str
    area_name: str
    day: dt.date
    state: Literal["waiting", "called", "serving", "done", "no_show", "transferred"]
    state_label: str
    priority: bool
    appointment_time: str | None = Field(None, description="HH:MM for a checked-in appointment.")
    ahead: int | None = Field(None, description="Tickets called before this one, while it waits.")
    minutes: int | None = Field(None, description="Estimated wait in minutes, while it waits.")
    window: int | None = Field(None, description="The window it was called to.")
    sentence: str


class HallCallOut(Schema):
    id: int
    number: str
    window: int
    window_label: str
    area: str
    at: str
    sentence: str = Field(..., description="What the screen says aloud: 请A001号到3号窗口办理.")


class HallAreaWaiting(Schema):
    code: str
    name: str
    prefix: str
    waiting: int


class HallFeedOut(Schema):
    calls: list[HallCallOut]
    areas: list[HallAreaWaiting]


class HallDeskOut(Schema):
    window: int | None
    area: str | None
    waiting: int
    current: HallTicketOut | None


class HallWindowIn(Schema):
    window: int = Field(..., ge=1, le=32767, strict=True, description="The window's number.")


class HallCallNextOut(Schema):
    ticket: HallTicketOut | None = Field(None, description="None when nobody waits.")


class HallActionIn(Schema):
    action: Literal["recall", "no_show", "start", "finish", "transfer"]
    area: str | None = Field(None, description="For transfer: the other area's code.")


class HallWalkInIn(Schema):
    area: str = text(max_length=32)
    priority: bool = Field(False, strict=True, description="Elderly or disabled: called first where the area allows.")


class HallCheckInIn(Schema):
    code: str = text(max_length=12, description="The booking code.")


class HallSlotsIn(Schema):
    area: str = Field(..., min_length=1, max_length=32)
    day: str = Field(..., pattern=_DATE.pattern, json_schema_extra={"format": "date"})


class HallSlotOut(Schema):
    start: str
    end: str
    capacity: int
    free: int


class HallSlotsOut(Schema):
    area: str
    day: dt.date
    bookable: bool = Field(..., description="Whether booking for this day is open now.")
    slots: list[HallSlotOut]


class HallBookingIn(Schema):
    area: str = text(max_length=32)
    item: str = text(max_length=64, description="The item's code; one the area handles.")
    day: str = Field(..., pattern=_DATE.pattern, json_schema_extra={"format": "date"})
    start: str = Field(..., pattern=_TIME.pattern, description="HH:MM, a slot's start.")


class HallChangeIn(Schema):
    day: str = Field(..., pattern=_DATE.pattern, json_schema_extra={"format": "date"})
    start: str = Field(..., pattern=_TIME.pattern)


class HallBookingOut(Schema):
    code: str
    area: str
    area_name: str
    item: str
    item_name: str
    day: dt.date
    start: str
    end: str
    state: Literal["booked", "cancelled", "checked_in", "no_show"]
    state_label: str


def _hall() -> Hall:
    hall = selectors.the_hall()
    if hall is None:
        raise HttpError(404, "No service hall is configured.")
    return hall


def _area(code: str) -> Area:
    area = selectors.area_by_code(code)
    if area is None:
        _hall()  # 404 "No service hall is configured." when there is none
        raise HttpError(404, f"No area with code '{code}'.")
    return area


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"day must be a real date written YYYY-MM-DD, not '{value}'.") from None


def _time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"start must be a time written HH:MM, not '{value}'.") from None


def _clerk(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not can(user, Capability.CALL_TICKETS):
        raise HttpError(403, "Only window clerks use the calling desk.")
    return user


def _booker(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not can(user, Capability.APPLY):
        raise HttpError(403, "Only citizens and company representatives book appointments.")
    return user


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    status = selectors.status_of(ticket)
    t = status.ticket
    return {
        "number": t.number, "token": t.token, "area": t.area.code, "area_name": t.area.name, "day": t.day,
        "state": t.state, "state_label": str(t.get_state_display()), "priority": t.priority,
        "appointment_time": rules.local(t.due_at).strftime("%H:%M") if t.due_at else None,
        "ahead": status.ahead, "minutes": status.minutes, "window": t.window.number if t.window else None,
        "sentence": status.sentence,
    }


@router.get("/hall/areas", response=answers({200: list[HallAreaOut]}, 404), summary="Areas of the hall")
def list_areas(request: HttpRequest) -> Any:
    hall = _hall()
    counts = selectors.waiting_counts(hall, timezone.localdate())
    return [{"code": a.code, "name": a.name, "name_en": a.name_en, "prefix": a.prefix,
             "waiting": counts.get(a.pk, 0), "priority_allowed": a.priority_allowed} for a in selectors.areas(hall)]


class KioskKey(APIKeyHeader):
    """``X-Kiosk-Key``: the key of a kiosk enrolled at /hall/kiosk/enrol/ (a kiosk app's)."""

    param_name = "X-Kiosk-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return selectors.kiosk_of(key)


kiosk_key = KioskKey()


@router.post("/hall/tickets", response=answers({201: HallTicketOut}, 400, 401, 403, 404, 409, 429),
             auth=[kiosk_key, *token_or_session], summary="Take a ticket (取号)")
def take_ticket(request: HttpRequest, payload: HallTicketIn) -> Any:
    """On a phone, signed in (bearer token or session): one open ticket per person and area (409
    ``duplicate`` names the one held). From an enrolled kiosk (``X-Kiosk-Key``): no person, at most
    ``HALL_KIOSK_TICKETS_PER_MINUTE`` a minute (429). The answer's ``token`` is the key to the
    ticket's status. 400 ``closed`` outside opening hours."""
    area = _area(payload.area)
    who = request.auth  # type: ignore[attr-defined]
    if isinstance(who, Kiosk):
        ticket = services.take_ticket(actor=None, area=area, channel=TicketChannel.KIOSK, kiosk=who)
    else:
        ticket = services.take_ticket(actor=who, area=area, channel=TicketChannel.PHONE)
    return Status(201, ticket_out(ticket))



@router.get("/hall/tickets/{token}", response=answers({200: HallTicketOut}, 404), summary="A ticket's status")
def ticket_status(request: HttpRequest, token: str) -> Any:
    """Position and estimated wait, or the window it is called to. No personal data."""
    ticket = Ticket.objects.filter(token=token).first()
    if ticket is None:
        raise HttpError(404, "No such ticket.")
    return ticket_out(ticket)


@router.get("/hall/calls", response=answers({200: HallFeedOut}, 404), summary="The live calling feed")
def calls(request: HttpRequest) -> Any:
    """The latest calls (ticket → window), newest first, and the waiting per area: what the
    calling screen polls."""
    return selectors.calling_feed(_hall())


def _desk(user: User) -> dict[str, Any]:
    d = selectors.clerk_desk(user)
    return {"window": d.window.number if d.window else None, "area": d.window.area.code if d.window else None,
            "waiting": d.waiting, "current": ticket_out(d.current) if d.current else None}


@router.get("/hall/desk", response=answers({200: HallDeskOut}, 401, 403), auth=token_or_session,
            summary="The clerk's desk")
def desk(request: HttpRequest) -> Any:
    return _desk(_clerk(request))


@router.post("/hall/desk/window", response=answers({200: HallDeskOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Sit at a window")
def sit(request: HttpRequest, payload: HallWindowIn) -> Any:
    user = _clerk(request)
    window = Window.objects.filter(area__hall=_hall(), number=payload.window).first()
    if window is None:
        raise HttpError(404, f"No window number {payload.window}.")
    services.sign_in_window(actor=user, window=window)
    return _desk(user)


@router.post("/hall/desk/call-next", response=answers({200: HallCallNextOut}, 400, 401, 403, 409),
             auth=token_or_session, summary="Call the next ticket (叫号)")
def call_next(request: HttpRequest) -> Any:
    """Appointments at their time first, then (where the area allows) the elderly and disabled,
    then everyone in turn. ``ticket`` is null when nobody waits; 409 while the clerk still has a
    called or served ticket."""
    ticket = services.call_next(actor=_clerk(request))
    return {"ticket": ticket_out(ticket) if ticket else None}


@router.post("/hall/desk/tickets/{ticket_id}/actions", response=answers({200: HallTicketOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Act on the called ticket")
def ticket_action(request: HttpRequest, ticket_id: int, payload: HallActionIn) -> Any:
    """recall, no_show, start, finish, or transfer (with ``area``: the answer is the new ticket there)."""
    user = _clerk(request)
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise HttpError(404, "No such ticket.")
    area = _area(payload.area) if payload.area else None
    return ticket_out(services.act(actor=user, ticket=ticket, action=payload.action, area=area))


@router.post("/hall/desk/walk-in", response=answers({201: HallTicketOut}, 400, 401, 403, 404), auth=token_or_session,
             summary="Give a walk-in a ticket")
def walk_in(request: HttpRequest, payload: HallWalkInIn) -> Any:
    ticket = services.take_ticket(actor=_clerk(request), area=_area(payload.area), channel=TicketChannel.CLERK,
                                  priority=payload.priority)
    return Status(201, ticket_out(ticket))


@router.post("/hall/desk/check-in", response=answers({201: HallTicketOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Check in an appointment")
def check_in(request: HttpRequest, payload: HallCheckInIn) -> Any:
    """The booking code gives a priority ticket, called at the appointment's time."""
    return Status(201, ticket_out(services.check_in(actor=_clerk(request), code=payload.code)))


@router.get("/hall/slots", response=answers({200: HallSlotsOut}, 400, 404), summary="Free appointment slots")
def slots(request: HttpRequest, params: Query[HallSlotsIn]) -> Any:
    """A day's slots of an area with free places; none on a holiday or weekend."""
    area, day = _area(params.area), _day(params.day)
    bookable = day in rules.bookable_days(area.hall, timezone.now())
    return {"area": area.code, "day": day, "bookable": bookable,
            "slots": [{"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"), "capacity": s.capacity,
                       "free": s.free} for s in selectors.slots(area, day)]}


def booking_out(a: Any) -> dict[str, Any]:
    return {"code": a.code, "area": a.slot.area.code, "area_name": a.slot.area.name, "item": a.item.code,
            "item_name": a.item.current.name if a.item.current_id else a.item.code, "day": a.day,
            "start": a.slot.start.strftime("%H:%M"), "end": a.slot.end.strftime("%H:%M"), "state": a.state,
            "state_label": str(a.get_state_display())}


@router.get("/hall/bookings", response=answers({200: list[HallBookingOut]}, 401), auth=token_or_session,
            summary="My appointments")
def my_bookings(request: HttpRequest) -> Any:
    return [booking_out(a) for a in selectors.appointments_of(request.auth)]  # type: ignore[attr-defined]


@router.post("/hall/bookings", response=answers({201: HallBookingOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Book an appointment (预约)")
def create_booking(request: HttpRequest, payload: HallBookingIn) -> Any:
    """409 ``full`` when the slot has no place left (capacity is never exceeded), ``duplicate``
    when one already has an appointment that day; 403 ``suspended`` after repeated no-shows;
    400 ``closed`` when booking for the day has closed."""
    from onetrip.catalog.models import ServiceItem

    user = _booker(request)
    area = _area(payload.area)
    item = ServiceItem.objects.filter(code=payload.item).first()
    if item is None:
        raise HttpError(404, f"No item with code '{payload.item}'.")
    a = services.book(actor=user, area=area, item=item, day=_day(payload.day), start=_time(payload.start))
    return Status(201, booking_out(a))


def _mine(request: HttpRequest, code: str) -> Any:
    user = _booker(request)
    a = selectors.appointment_of(user, code)
    if a is None:
        raise HttpError(404, "No such appointment.")
    return user, a


@router.post("/hall/bookings/{code}/cancel", response=answers({200: HallBookingOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Cancel my appointment")
def cancel_booking(request: HttpRequest, code: str) -> Any:
    user, a = _mine(request, code)
    return booking_out(services.cancel_booking(actor=user, appointment=a))


@router.post("/hall/bookings/{code}/change", response=answers({201: HallBookingOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Move my appointment to another time")
def change_booking(request: HttpRequest, code: str, payload: HallChangeIn) -> Any:
    """The old appointment is cancelled and the new one booked at once; if the new time is
    full, the old appointment stays as it was. The new appointment has a new code."""
    user, a = _mine(request, code)
    return Status(201, booking_out(services.change_booking(actor=user, appointment=a, day=_day(payload.day),
                                                           start=_time(payload.start))))
