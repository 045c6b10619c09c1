"""Writes for the hall: windows, tickets and calling (取号、叫号), appointments (预约办事).

Each function is one change: keyword-only arguments, the acting user passed explicitly (None for
a kiosk or an anonymous phone), one ``transaction.atomic``, one trail entry. A refusal raises
``Refused`` (from ``onetrip.cases.rules``) with a code, and nothing is written."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases.rules import Refused
from onetrip.catalog.models import ServiceItem
from onetrip.core import outbox, trail
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
    TicketChannel,
    TicketCounter,
    TicketState,
    Window,
    WindowSession,
)
from onetrip.hall.notifications import BOOKED, CANCELLED

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _is_clerk(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role == Role.WINDOW_CLERK


def _require_clerk(user: Any) -> None:
    if not _is_clerk(user):
        raise Refused(_("Only window clerks call tickets."), code="forbidden")


# --- windows ------------------------------------------------------------------------------------


def sign_in_window(*, actor: User, window: Window, now: dt.datetime | None = None) -> WindowSession:
    """A clerk sits down at a window (and leaves any other window)."""
    _require_clerk(actor)
    now = now or timezone.now()
    if not window.active:
        raise Refused(_("This window is not in use."), code="wrong_state")
    with transaction.atomic():
        taken = (WindowSession.objects.select_for_update().filter(window=window, ended_at__isnull=True)
                 .exclude(clerk=actor).first())
        if taken is not None:
            raise Refused(_("Another clerk is at this window."), code="claimed")
        mine = WindowSession.objects.filter(clerk=actor, ended_at__isnull=True).first()
        if mine is not None and mine.window_id == window.pk:
            return mine
        WindowSession.objects.filter(clerk=actor, ended_at__isnull=True).update(ended_at=now)
        try:
            with transaction.atomic():
                session = WindowSession.objects.create(window=window, clerk=actor, started_at=now)
        except IntegrityError:
            raise Refused(_("Another clerk is at this window."), code="claimed") from None
        trail.record(actor=actor, action="hall.window_sign_in", obj=window, summary={"window": window.number})
    return session


def sign_out_window(*, actor: User, now: dt.datetime | None = None) -> None:
    with transaction.atomic():
        session = WindowSession.objects.select_for_update().filter(clerk=actor, ended_at__isnull=True).first()
        if session is None:
            return
        session.ended_at = now or timezone.now()
        session.save(update_fields=["ended_at"])
        trail.record(actor=actor, action="hall.window_sign_out", obj=session.window,
                     summary={"window": session.window.number})


def window_of(clerk: User) -> Window | None:
    session = (WindowSession.objects.select_related("window__area__hall")
               .filter(clerk=clerk, ended_at__isnull=True).first())
    return session.window if session else None


# --- kiosks -------------------------------------------------------------------------------------


def enrol_kiosk(*, actor: User, hall: Hall, name: str, now: dt.datetime | None = None) -> tuple[Kiosk, str]:
    """取号机登记: a hall manager makes this browser one of the hall's kiosks. Returns the kiosk and
    its key, which only the kiosk's browser keeps (a cookie); the database keeps its SHA-256."""
    from onetrip.accounts.permissions import Capability, can

    if not can(actor, Capability.MANAGE_HALL):
        raise Refused(_("Only the hall's managers enrol kiosks."), code="forbidden")
    name = name.strip()
    if not name or len(name) > 50:
        raise Refused(_("Name the kiosk by where it stands (at most 50 characters)."), code="invalid")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        kiosk = Kiosk.objects.create(hall=hall, name=name, key_hash=Kiosk.hash_key(key), enrolled_by=actor,
                                     enrolled_at=now or timezone.now())
        trail.record(actor=actor, action="hall.kiosk_enrolled", obj=kiosk, summary={"name": name})
    return kiosk, key


# --- tickets ------------------------------------------------------------------------------------


def _next_seq(area: Area, day: dt.date) -> int:
    """The area's next number on ``day`` (SQLite; PostgreSQL does it inside ``_number``): the
    counter row is locked until the caller commits, so two tickets never share a number and a
    rolled-back ticket gives its number back (no gaps)."""
    TicketCounter.objects.bulk_create([TicketCounter(area=area, day=day, last=0)], ignore_conflicts=True)
    TicketCounter.objects.filter(area=area, day=day).update(last=F("last") + 1)
    return TicketCounter.objects.get(area=area, day=day).last


def _new_ticket(*, area: Area, channel: str, now: dt.datetime, priority: bool = False,
                due_at: dt.datetime | None = None, holder: User | None = None, kiosk: Kiosk | None = None,
                queued_at: dt.datetime | None = None, transferred_from: Ticket | None = None) -> Ticket:
    """A ticket row without its number yet: the caller writes the trail, then calls ``_number``
    last, so the area's counter row stays locked only for that update and the commit."""
    return Ticket.objects.create(
        area=area, day=rules.local(now).date(), seq=None, number="", token=secrets.token_urlsafe(16),
        channel=channel, priority=priority and area.priority_allowed, due_at=due_at, taken_at=now,
        queued_at=queued_at or now, holder=holder, kiosk=kiosk, transferred_from=transferred_from)


def _number(ticket: Ticket) -> Ticket:
    """取号编号: the area's next number on the ticket's (local) day, from the counter row locked
    until the caller commits: unique and gapless (a rolled-back ticket gives its number back).
    On PostgreSQL the counter and the ticket are written by one statement."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH c AS (INSERT INTO hall_ticketcounter (area_id, day, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (area_id, day) DO UPDATE SET last = hall_ticketcounter.last + 1 RETURNING last) "
                "UPDATE hall_ticket SET seq = c.last, number = %s || CASE WHEN c.last < 1000 "
                "THEN lpad(c.last::text, 3, '0') ELSE c.last::text END FROM c "
                "WHERE hall_ticket.id = %s RETURNING hall_ticket.seq, hall_ticket.number",
                [ticket.area_id, ticket.day, ticket.area.prefix, ticket.pk])
            ticket.seq, ticket.number = cursor.fetchone()
        return ticket
    ticket.seq = _next_seq(ticket.area, ticket.day)
    ticket.number = f"{ticket.area.prefix}{ticket.seq:03d}"
    Ticket.objects.filter(pk=ticket.pk).update(seq=ticket.seq, number=ticket.number)
    return ticket


def take_ticket(*, actor: User | None, area: Area, channel: str = TicketChannel.KIOSK, priority: bool = False,
                kiosk: Kiosk | None = None, now: dt.datetime | None = None) -> Ticket:
    """取号: a ticket for an area, at an enrolled kiosk (no log-in), on the phone of a signed-in
    person (one open ticket per person and area: ``rules.one_open_ticket``), or given by a clerk
    to a walk-in (only a clerk may give priority to an elderly or disabled person)."""
    now = now or timezone.now()
    if channel not in (TicketChannel.KIOSK, TicketChannel.PHONE, TicketChannel.CLERK):
        raise Refused(_("Tickets are taken at the kiosk, on a phone or from a clerk."), code="invalid")
    if channel == TicketChannel.CLERK or priority:
        _require_clerk(actor)
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    if channel == TicketChannel.KIOSK and (kiosk is None or not kiosk.active or kiosk.hall_id != area.hall_id):
        raise Refused(_("Tickets without signing in are given by the hall's kiosks. On a phone, sign in first."),
                      code="not_a_kiosk")
    if channel == TicketChannel.PHONE and not signed_in:
        raise Refused(_("Sign in to take a ticket on your phone."), code="sign_in")
    if not rules.is_open(area.hall, now):
        raise Refused(_("The hall is closed now: tickets are given during opening hours on working days."),
                      code="closed")
    holder = actor if channel == TicketChannel.PHONE and not _is_clerk(actor) else None
    day = rules.local(now).date()
    held = rules.one_open_ticket(holder, area, day)
    if held is not None:
        raise _already_holds(held)
    if kiosk is not None and channel == TicketChannel.KIOSK and not rules.kiosk_may_give(kiosk):
        raise Refused(_("This kiosk is giving tickets too fast; please wait a minute or ask the guide desk."),
                      code="throttled")
    try:
        with transaction.atomic():
            ticket = _new_ticket(area=area, channel=channel, now=now, priority=priority, holder=holder,
                                 kiosk=kiosk if channel == TicketChannel.KIOSK else None)
            # The number is given after this entry (see _new_ticket); every later entry names it.
            trail.record(actor=actor, action="hall.ticket_taken", obj=ticket,
                         summary={"area": area.code, "channel": channel, "priority": ticket.priority,
                                  **({"kiosk": ticket.kiosk_id} if ticket.kiosk_id else {})})
            _number(ticket)
    except IntegrityError:
        # Two requests of one person at the same moment: the constraint let one through.
        held = rules.one_open_ticket(holder, area, day)
        if held is None:
            raise
        raise _already_holds(held) from None
    return ticket


def _already_holds(held: Ticket) -> Refused:
    return Refused(_("You already hold ticket %(number)s for this area; it keeps its place in the queue.")
                   % {"number": held.number}, code="duplicate")


def call_next(*, actor: User, now: dt.datetime | None = None) -> Ticket | None:
    """叫号: the next ticket of the clerk's window's area (``rules.rank_expression``), or None
    when nobody waits. Two clerks calling at once never get the same ticket."""
    _require_clerk(actor)
    now = now or timezone.now()
    window = window_of(actor)
    if window is None:
        raise Refused(_("Log in to a window first."), code="no_window")
    area = window.area
    with transaction.atomic():
        busy = Ticket.objects.filter(clerk=actor, state__in=[TicketState.CALLED, TicketState.SERVING]).first()
        if busy is not None:
            raise Refused(_("Finish ticket %(number)s first (or mark that the person did not come).")
                          % {"number": busy.number}, code="wrong_state")
        candidates = (rules.waiting(area, rules.local(now).date())
                      .annotate(rank=rules.rank_expression(area, now))
                      .order_by("rank", F("due_at").asc(nulls_last=True), "queued_at", "seq"))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ticket = candidates.first()
        if ticket is None:
            return None
        _move(ticket, "call", actor=actor, now=now, window=window)
    return ticket


def _move(ticket: Ticket, action: str, *, actor: User, now: dt.datetime, window: Window | None = None,
          summary: dict[str, Any] | None = None) -> None:
    sources, target = rules.TRANSITIONS[action]
    fields: dict[str, Any] = {"state": target}
    if action in ("call", "recall"):
        fields.update(called_at=now, call_count=F("call_count") + 1, window=window or ticket.window, clerk=actor)
    elif action == "start":
        fields["started_at"] = now
    elif action in ("finish", "no_show", "transfer"):
        fields["finished_at"] = now
    if Ticket.objects.filter(pk=ticket.pk, state__in=sources).update(**fields) != 1:
        raise Refused(_("Ticket %(number)s has moved on meanwhile.") % {"number": ticket.number}, code="wrong_state")
    ticket.refresh_from_db()
    if action in ("call", "recall"):
        TicketCall.objects.create(ticket=ticket, window=ticket.window, at=now)  # type: ignore[misc]
    trail.record(actor=actor, action=f"hall.ticket_{action}", obj=ticket,
                 summary={"number": ticket.number, "window": ticket.window.number if ticket.window else None,
                          **(summary or {})})


def act(*, actor: User, ticket: Ticket, action: str, area: Area | None = None,
        now: dt.datetime | None = None) -> Ticket:
    """The clerk's actions on the ticket they called: recall, no_show, start, finish, transfer
    (to ``area``, where it keeps its place in the queue). Returns the ticket (for a transfer,
    the new ticket in the other area)."""
    _require_clerk(actor)
    now = now or timezone.now()
    if action not in rules.TRANSITIONS or action == "call":
        raise Refused(_("Unknown action."), code="invalid")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("area").get(pk=ticket.pk)
        if locked.clerk_id != actor.pk:
            raise Refused(_("Ticket %(number)s was called by another window.") % {"number": locked.number},
                          code="not_yours")
        if not rules.allowed_from(action, locked.state):
            raise Refused(_("Ticket %(number)s is %(state)s: this cannot be done now.")
                          % {"number": locked.number, "state": locked.get_state_display()}, code="wrong_state")
        if action == "transfer":
            if area is None or area.pk == locked.area_id or area.hall_id != locked.area.hall_id:
                raise Refused(_("Choose another area of this hall."), code="invalid")
            held = rules.one_open_ticket(locked.holder, area, rules.local(now).date())
            if held is not None:
                raise Refused(_("This person already holds ticket %(number)s in that area.") % {"number": held.number},
                              code="duplicate")
            new = _new_ticket(area=area, channel=TicketChannel.TRANSFER, now=now, priority=locked.priority,
                              holder=locked.holder, queued_at=locked.queued_at, transferred_from=locked)
            _move(locked, "transfer", actor=actor, now=now, summary={"area": area.code})
            trail.record(actor=actor, action="hall.ticket_taken", obj=new,
                         summary={"area": area.code, "channel": TicketChannel.TRANSFER, "from": locked.number})
            return _number(new)
        _move(locked, action, actor=actor, now=now)
        if action == "no_show":
            Appointment.objects.filter(ticket=locked, state=AppointmentState.CHECKED_IN).update(
                state=AppointmentState.NO_SHOW)
    return locked


def serve_for_case(*, actor: User, ticket: Ticket, number: str, reason: str, note: str = "") -> Ticket:
    """一窗受理, for a case that exists already (applied online, or at a window before): the clerk
    serving the ticket names the case it is about, and the trip counts on that case as a visit
    (``cases.services.record_visit``, with its reason), so a case's trips are real. One ticket is
    about one case; the same case may be named by several tickets (several trips)."""
    from onetrip.cases import selectors as case_selectors
    from onetrip.cases import services as case_services

    _require_clerk(actor)
    number = (number or "").strip()
    if not number:
        raise Refused(_("Enter the case number."), code="invalid")
    with transaction.atomic():
        locked = _serving(actor, ticket)
        case = case_selectors.visible_cases(actor).filter(number=number).first()
        if case is None:
            raise Refused(_("No case %(n)s.") % {"n": number}, code="not_found")
        case_services.record_visit(case=case, reason=reason, actor=actor, note=note)
        locked.case = case
        locked.save(update_fields=["case"])
        trail.record(actor=actor, action="hall.ticket_case", obj=locked,
                     summary={"ticket": locked.number, "case": case.number, "reason": reason})
    return locked


def find_person(*, actor: User, ticket: Ticket, query: str) -> User:
    """一窗受理: the clerk serving the ticket finds the person's account by their resident ID
    number or mobile (as they show their ID card at the counter), so the application is theirs
    and shows in their account. Each lookup is on the trail, with the ticket as its purpose."""
    from onetrip.core.identity import normalize_mobile, normalize_resident_id

    _require_clerk(actor)
    query = query.strip()
    try:
        found = (User.objects.filter(resident_id=normalize_resident_id(query)) if len(query) == 18 else
                 User.objects.filter(mobile=normalize_mobile(query)))
    except ValidationError:
        raise Refused(_("Enter the person's 18-digit resident ID number or their 11-digit mobile number."),
                      code="invalid") from None
    with transaction.atomic():
        locked = _serving(actor, ticket)
        person = found.filter(is_active=True, role=Role.CITIZEN).first()
        trail.record(actor=actor, action="hall.person_lookup", obj=locked,
                     summary={"ticket": locked.number, "found": person.pk if person else None})
    if person is None:
        raise Refused(_("No citizen account has this ID number or mobile: enter the person's details instead."),
                      code="not_found")
    return person


def start_window_application(*, actor: User, ticket: Ticket, item_code: str, name: str = "", id_number: str = "",
                             mobile: str = "", account: User | None = None) -> Any:
    """一窗受理 of a new application: the clerk serving the ticket starts a window application for
    the person at the counter (``cases.services.create_application`` with the window channel: the
    person is checked by ``rules.applicant_identity``) for an item of the ticket's area, and the
    ticket is linked to its case. With ``account`` (found by ``find_person``, or the ticket's
    holder) the person's details are their account's. Materials are then checked and scanned on
    the application page, where the clerk decides (``cases.services.take_in``)."""
    from onetrip.cases import services as case_services
    from onetrip.cases.models import Channel

    _require_clerk(actor)
    if account is not None:
        name, id_number, mobile = account.real_name, account.resident_id, account.mobile
    with transaction.atomic():
        locked = _serving(actor, ticket)
        if not locked.area.items.filter(code=item_code, current__isnull=False).exists():
            raise Refused(_("Choose an item of this area."), code="invalid")
        application, _created = case_services.create_application(
            actor=actor, item_code=item_code, channel=Channel.WINDOW,
            form={"applicant_name": name, "applicant_id_number": id_number, "applicant_mobile": mobile})
        locked.case = application.cases.order_by("id").first()
        locked.save(update_fields=["case"])
        trail.record(actor=actor, action="hall.ticket_case", obj=locked,
                     summary={"ticket": locked.number, "application": application.pk, "item": item_code,
                              "account": account.pk if account else None})
    return application


def _serving(actor: User, ticket: Ticket) -> Ticket:
    """The ticket, locked, if this clerk is serving it and it is not recorded for a case yet."""
    locked = Ticket.objects.select_for_update().select_related("area").get(pk=ticket.pk)
    if locked.clerk_id != actor.pk:
        raise Refused(_("Ticket %(number)s was called by another window.") % {"number": locked.number},
                      code="not_yours")
    if locked.state != TicketState.SERVING:
        raise Refused(_("Start serving ticket %(number)s first.") % {"number": locked.number}, code="wrong_state")
    if locked.case_id is not None:
        raise Refused(_("Ticket %(number)s is already recorded for a case.") % {"number": locked.number},
                      code="duplicate")
    return locked


# --- appointments -------------------------------------------------------------------------------


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


def book(*, actor: User, area: Area, item: ServiceItem, day: dt.date, start: dt.time,
         now: dt.datetime | None = None) -> Appointment:
    """预约: one slot for one item of the area. The slot's count grows only by a conditional
    update that keeps it within capacity, so concurrent bookings never overbook."""
    now = now or timezone.now()
    hall = area.hall
    if actor.role not in (Role.CITIZEN, Role.COMPANY_REP):
        raise Refused(_("Only citizens and company representatives book appointments."), code="forbidden")
    if not area.items.filter(pk=item.pk).exists():
        raise Refused(_("This item is not handled in this area."), code="invalid")
    times = {s.start: s for s in rules.slot_times(hall, day)}
    if start not in times:
        raise Refused(_("There is no such time on that day."), code="invalid")
    if day not in rules.bookable_days(hall, now):
        raise Refused(_("Booking for that day is closed."), code="closed")
    today = rules.local(now).date()
    until = rules.booking_suspended_until(hall, actor, today)
    if until is not None:
        raise Refused(_("After repeated missed appointments you cannot book until %(day)s.")
                      % {"day": f"{until:%Y-%m-%d}"}, code="suspended")
    with transaction.atomic():
        Slot.objects.bulk_create([Slot(area=area, day=day, start=start, end=times[start].end,
                                       capacity=area.slot_capacity)], ignore_conflicts=True)
        slot = Slot.objects.get(area=area, day=day, start=start)
        if Appointment.objects.filter(citizen=actor, day=day, state=AppointmentState.BOOKED).exists():
            raise Refused(_("You already have an appointment that day: change it instead."), code="duplicate")
        if Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1) != 1:
            raise Refused(_("That time is fully booked: choose another."), code="full")
        appointment = _create_appointment(actor=actor, slot=slot, item=item, now=now)
        trail.record(actor=actor, action="hall.booked", obj=appointment,
                     summary={"code": appointment.code, "area": area.code, "day": day.isoformat(),
                              "start": start.strftime("%H:%M"), "item": item.code})
        if actor.mobile:
            outbox.queue(event=BOOKED, target=appointment, params=_sms_params(appointment), sms_to=actor.mobile)
    return appointment


def _create_appointment(*, actor: User, slot: Slot, item: ServiceItem, now: dt.datetime) -> Appointment:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Appointment.objects.create(code=_code(), citizen=actor, slot=slot, day=slot.day, item=item,
                                                  created_at=now)
        except IntegrityError:
            if Appointment.objects.filter(citizen=actor, day=slot.day, state=AppointmentState.BOOKED).exists():
                raise Refused(_("You already have an appointment that day: change it instead."),
                              code="duplicate") from None
    raise Refused(_("Please try again."), code="busy")


def _sms_params(a: Appointment) -> dict[str, Any]:
    return {"code": a.code, "day": f"{a.day:%Y-%m-%d}", "time": a.slot.start.strftime("%H:%M"),
            "area": a.slot.area.name, "hall": a.slot.area.hall.name}


def _own_booked(actor: User, appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().select_related("slot__area__hall").get(pk=appointment.pk)
    if locked.citizen_id != actor.pk:
        raise Refused(_("No such appointment."), code="not_found")
    if locked.state != AppointmentState.BOOKED:
        raise Refused(_("This appointment is %(state)s.") % {"state": locked.get_state_display()},
                      code="wrong_state")
    return locked


def cancel_booking(*, actor: User, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Cancel one's appointment (until its slot begins); the place is free again."""
    now = now or timezone.now()
    with transaction.atomic():
        a = _own_booked(actor, appointment)
        if timezone.make_aware(dt.datetime.combine(a.day, a.slot.start)) <= now:
            raise Refused(_("The appointment time has begun: it can no longer be cancelled."), code="closed")
        a.state = AppointmentState.CANCELLED
        a.save(update_fields=["state"])
        Slot.objects.filter(pk=a.slot_id).update(booked=F("booked") - 1)
        trail.record(actor=actor, action="hall.booking_cancelled", obj=a, summary={"code": a.code})
        if actor.mobile:
            outbox.queue(event=CANCELLED, target=a, params=_sms_params(a), sms_to=actor.mobile)
    return a


def change_booking(*, actor: User, appointment: Appointment, day: dt.date, start: dt.time,
                   now: dt.datetime | None = None) -> Appointment:
    """Move an appointment to another time: the old one is cancelled and the new one booked in
    one transaction, so a full new slot leaves the old booking as it was."""
    with transaction.atomic():
        old = _own_booked(actor, appointment)
        cancel_booking(actor=actor, appointment=old, now=now)
        return book(actor=actor, area=old.slot.area, item=old.item, day=day, start=start, now=now)


def check_in(*, actor: User | None, code: str, kiosk: Kiosk | None = None, now: dt.datetime | None = None) -> Ticket:
    """到场签到: the booking code gives a priority ticket, called at the appointment's time; at a
    window (a clerk) or by the person at an enrolled kiosk (codes tried there are limited:
    ``rules.kiosk_may_try_code``)."""
    if kiosk is None:
        _require_clerk(actor)
    elif not kiosk.active:
        raise Refused(_("Tickets without signing in are given by the hall's kiosks. On a phone, sign in first."),
                      code="not_a_kiosk")
    elif not rules.kiosk_may_try_code(kiosk):
        raise Refused(_("Too many booking codes were tried at this kiosk; please ask the guide desk."),
                      code="throttled")
    now = now or timezone.now()
    code = code.strip().upper()
    with transaction.atomic():
        a = Appointment.objects.select_for_update().select_related("slot__area__hall").filter(code=code).first()
        if a is None or (kiosk is not None and a.slot.area.hall_id != kiosk.hall_id):
            raise Refused(_("No appointment has this booking code."), code="not_found")
        if a.state != AppointmentState.BOOKED:
            raise Refused(_("This appointment is %(state)s.") % {"state": a.get_state_display()}, code="wrong_state")
        if a.day != rules.local(now).date():
            raise Refused(_("This appointment is for %(day)s, not today.") % {"day": f"{a.day:%Y-%m-%d}"},
                          code="wrong_day")
        held = rules.one_open_ticket(a.citizen, a.slot.area, a.day)
        if held is not None:
            raise _already_holds(held)
        due = timezone.make_aware(dt.datetime.combine(a.day, a.slot.start))
        ticket = _new_ticket(area=a.slot.area, channel=TicketChannel.APPOINTMENT, now=now, priority=True,
                             due_at=due, holder=a.citizen, kiosk=kiosk)
        a.state = AppointmentState.CHECKED_IN
        a.ticket = ticket
        a.save(update_fields=["state", "ticket"])
        trail.record(actor=actor, action="hall.ticket_taken", obj=ticket,
                     summary={"area": a.slot.area.code, "channel": ticket.channel, "appointment": a.code,
                              **({"kiosk": kiosk.pk} if kiosk is not None else {})})
        _number(ticket)
    return ticket


def record_missed(appointment: Appointment) -> None:
    """The worker's, after claiming the appointment as a no-show (its slot ended without a check-in)."""
    trail.record(actor=None, action="hall.booking_missed", obj=appointment, summary={"code": appointment.code})


# --- configuration (the admin's writes) ---------------------------------------------------------


def save_config(*, actor: User, obj: Hall | Area | Window | Kiosk, changed: list[str] | None = None) -> None:
    """An admin's change to the hall, an area, a window or a kiosk (taken out of use): checked, saved and on the trail."""
    obj.full_clean()
    with transaction.atomic():
        created = obj.pk is None
        obj.save()
        trail.record(actor=actor, action="hall.configured", obj=obj,
                     summary={"created": created, "changed": changed or [], "name": str(obj)})
