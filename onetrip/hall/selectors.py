"""Reads for the hall: the queue, a ticket's place in it, the calling screen's feed, slots."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.hall import rules
from onetrip.hall.models import (
    Appointment,
    AppointmentState,
    Area,
    Hall,
    Kiosk,
    Slot,
    Ticket,
    TicketCall,
    TicketState,
    Window,
    WindowSession,
)

LATEST_CALLS = 8


KIOSK_COOKIE = "onetrip_kiosk"


def kiosk_of(key: str | None) -> Kiosk | None:
    """The enrolled kiosk whose key this is (a kiosk browser's cookie, or the API's X-Kiosk-Key)."""
    if not key:
        return None
    return Kiosk.objects.filter(key_hash=Kiosk.hash_key(key), active=True).first()


def open_tickets_of(user: Any, day: dt.date) -> list[Ticket]:
    """The tickets a signed-in person holds today that are still open (to find their way back)."""
    return list(Ticket.objects.filter(holder=user, day=day, state__in=rules.OPEN_TICKET_STATES)
                .select_related("area").order_by("taken_at"))


def the_hall() -> Hall | None:
    return Hall.objects.order_by("id").first()


def areas(hall: Hall) -> list[Area]:
    return list(hall.areas.all())


def waiting_counts(hall: Hall, day: dt.date) -> dict[int, int]:
    rows = (Ticket.objects.filter(area__hall=hall, day=day, state=TicketState.WAITING)
            .values("area").annotate(n=Count("id")))
    return {r["area"]: r["n"] for r in rows}


def window_at(clerk_id: int | None, at: dt.datetime) -> Window | None:
    """The window the clerk sat at when ``at`` happened (their window session then), if any."""
    if clerk_id is None:
        return None
    session = (WindowSession.objects.select_related("window__area").filter(clerk_id=clerk_id, started_at__lte=at)
               .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at)).order_by("-started_at").first())
    return session.window if session else None


def staffed_windows(area: Area) -> int:
    return WindowSession.objects.filter(window__area=area, ended_at__isnull=True).count()


def area_by_code(code: str) -> Area | None:
    """An area of the hall (``the_hall``) by its code, with its hall, in one query."""
    first_hall = Hall.objects.order_by("id").values("id")[:1]
    return Area.objects.select_related("hall").filter(hall_id=Subquery(first_hall), code=code).first()


def ordered_waiting(area: Area, day: dt.date, now: dt.datetime) -> list[int]:
    return list(rules.waiting(area, day).annotate(rank=rules.rank_expression(area, now))
                .order_by("rank", F("due_at").asc(nulls_last=True), "queued_at", "seq")
                .values_list("pk", flat=True))


def call_sentence(number: str, window: int) -> str:
    return _("Ticket %(number)s, please go to window %(window)s") % {"number": number, "window": window}


@dataclass(frozen=True)
class TicketStatus:
    ticket: Ticket
    ahead: int | None  # tickets before this one while it waits
    minutes: int | None  # estimated wait
    sentence: str  # what the holder reads


def ticket_status(token: str, now: dt.datetime | None = None) -> TicketStatus | None:
    """What the holder of a ticket sees: its state, how many are ahead and about how long."""
    ticket = Ticket.objects.select_related("area__hall", "window").filter(token=token).first()
    return status_of(ticket, now) if ticket is not None else None


def status_of(ticket: Ticket, now: dt.datetime | None = None) -> TicketStatus:
    now = now or timezone.now()
    ahead = minutes = None
    if ticket.state == TicketState.WAITING:
        ahead = (rules.waiting(ticket.area, ticket.day).exclude(pk=ticket.pk)
                 .annotate(rank=rules.rank_expression(ticket.area, now))
                 .filter(rules.called_before(ticket, ticket.area, now)).count())
        minutes = math.ceil(ahead * ticket.area.minutes_per_ticket / max(1, staffed_windows(ticket.area)))
        sentence = _("%(ahead)s people are ahead of you, about %(minutes)s minutes.") % {
            "ahead": ahead, "minutes": minutes} if ahead else _("You are next.")
    elif ticket.state == TicketState.CALLED and ticket.window is not None:
        sentence = _("Please go to window %(window)s now.") % {"window": ticket.window.number}
    elif ticket.state == TicketState.SERVING and ticket.window is not None:
        sentence = _("You are being served at window %(window)s.") % {"window": ticket.window.number}
    elif ticket.state == TicketState.TRANSFERRED:
        new = Ticket.objects.filter(transferred_from=ticket).select_related("area").first()
        sentence = (_("You were sent to %(area)s with the new ticket %(number)s.")
                    % {"area": new.area.name, "number": new.number}) if new else str(ticket.get_state_display())
    elif ticket.state == TicketState.NO_SHOW:
        sentence = _("You were called but did not come: please take a new ticket.")
    else:
        sentence = _("Done. Thank you for coming.")
    return TicketStatus(ticket=ticket, ahead=ahead, minutes=minutes, sentence=sentence)


def transferred_to(ticket: Ticket) -> Ticket | None:
    return Ticket.objects.filter(transferred_from=ticket).first()


def calling_feed(hall: Hall, now: dt.datetime | None = None) -> dict[str, Any]:
    """The calling screen's data: the latest calls (ticket → window) and the waiting per area."""
    now = now or timezone.now()
    day = rules.local(now).date()
    calls = (TicketCall.objects.filter(ticket__area__hall=hall, ticket__day=day)
             .select_related("ticket__area", "window").order_by("-id")[:LATEST_CALLS])
    counts = waiting_counts(hall, day)
    return {
        "calls": [{"id": c.pk, "number": c.ticket.number, "window": c.window.number, "area": c.ticket.area.name,
                   "window_label": str(c.window),
                   "at": rules.local(c.at).strftime("%H:%M"), "sentence": call_sentence(c.ticket.number,
                                                                                         c.window.number)}
                  for c in calls],
        "areas": [{"code": a.code, "name": a.name, "prefix": a.prefix, "waiting": counts.get(a.pk, 0)}
                  for a in hall.areas.all()],
    }


@dataclass(frozen=True)
class Desk:
    window: Window | None
    current: Ticket | None
    waiting: int
    areas: list[Area]
    person: Any = None  # the account of the person at the counter, when known
    booked_item: Any = None  # the item they booked, for an appointment's ticket
    masked: dict[str, str] | None = None  # the person's ID number and mobile, masked


def clerk_desk(clerk: Any, now: dt.datetime | None = None, found: dict[str, int] | None = None) -> Desk:
    """The clerk's window, the ticket they called or serve, how many wait, the other areas, and
    the person at the counter: the ticket's holder (a phone or booked ticket) or the account the
    clerk found for this ticket (``found``, from ``services.find_person``)."""
    now = now or timezone.now()
    session = (WindowSession.objects.select_related("window__area__hall")
               .filter(clerk=clerk, ended_at__isnull=True).first())
    window = session.window if session else None
    current = (Ticket.objects.select_related("area", "window", "case", "holder")
               .filter(clerk=clerk, state__in=[TicketState.CALLED, TicketState.SERVING]).first())
    waiting = rules.waiting(window.area, rules.local(now).date()).count() if window else 0
    other = list(Area.objects.filter(hall=window.area.hall).exclude(pk=window.area_id)) if window else []
    person = booked = None
    if current is not None and current.state == TicketState.SERVING:
        from onetrip.accounts.models import User

        account = (found or {}).get("account") if (found or {}).get("ticket") == current.pk else None
        person = current.holder or (User.objects.filter(pk=account, is_active=True).first() if account else None)
        booked = Appointment.objects.filter(ticket=current).values_list("item_id", flat=True).first()
    masked = None
    if person is not None:
        from onetrip.core.identity import mask_mobile, mask_resident_id

        masked = {"id": mask_resident_id(person.resident_id), "mobile": mask_mobile(person.mobile)}
    return Desk(window=window, current=current, waiting=waiting, areas=other, person=person, booked_item=booked,
                masked=masked)


def windows(hall: Hall) -> list[Window]:
    """Every window of the hall with who sits at it (``clerk`` attribute, or None)."""
    sessions = {s.window_id: s.clerk for s in
                WindowSession.objects.filter(window__area__hall=hall, ended_at__isnull=True).select_related("clerk")}
    found = list(Window.objects.filter(area__hall=hall).select_related("area").order_by("number"))
    for w in found:
        w.clerk = sessions.get(w.pk)  # type: ignore[attr-defined]
    return found


@dataclass(frozen=True)
class SlotView:
    start: dt.time
    end: dt.time
    capacity: int
    free: int


def slots(area: Area, day: dt.date) -> list[SlotView]:
    """A day's slots of an area with their free places (none on holidays)."""
    booked = {s.start: s for s in Slot.objects.filter(area=area, day=day)}
    out = []
    for t in rules.slot_times(area.hall, day):
        row = booked.get(t.start)
        capacity = row.capacity if row else area.slot_capacity
        out.append(SlotView(t.start, t.end, capacity, capacity - (row.booked if row else 0)))
    return out


def appointments_of(user: Any) -> list[Appointment]:
    return list(Appointment.objects.filter(citizen=user).select_related("slot__area", "item__current")
                .order_by("-day", "-slot__start")[:50])


def appointment_of(user: Any, code: str) -> Appointment | None:
    return (Appointment.objects.select_related("slot__area__hall", "item__current")
            .filter(citizen=user, code=code.strip().upper()).first())


def upcoming_appointments(hall: Hall, day: dt.date) -> list[Appointment]:
    return list(Appointment.objects.filter(slot__area__hall=hall, day=day)
                .filter(Q(state=AppointmentState.BOOKED) | Q(state=AppointmentState.CHECKED_IN))
                .select_related("slot__area", "item__current").order_by("slot__start"))
