"""Hall pages: take a ticket (kiosk and phone), a ticket's status, the calling screen, the
clerk's desk, booking and one's appointments, and the staff overview. Views parse input and
call services; refusals become a message on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onetrip.accounts.permissions import Capability, require
from onetrip.cases.models import Visit
from onetrip.hall import rules, selectors, services
from onetrip.hall.models import Area, Hall, Ticket, TicketChannel, Window


def _hall() -> Hall:
    hall = selectors.the_hall()
    if hall is None:
        raise Http404(_("No service hall is configured yet."))
    return hall


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _area(hall: Hall, pk: Any) -> Area | None:
    try:
        return hall.areas.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, kiosk: bool = False) -> HttpResponse:
    """取号: one big button per area. At an enrolled kiosk anyone takes a ticket (and checks in a
    booking with its code); on a phone the person signs in first and holds one ticket per area."""
    hall = _hall()
    device = selectors.kiosk_of(request.COOKIES.get(selectors.KIOSK_COOKIE)) if kiosk else None
    user: Any = request.user
    if request.method == "POST":
        try:
            if request.POST.get("do") == "check_in":
                if device is None:
                    raise ValidationError(_("Check in at a kiosk in the hall or at any window."))
                code = request.POST.get("code", "")
                if not code.strip():
                    raise ValidationError(_("Enter the booking code."))
                ticket = services.check_in(actor=None, code=code, kiosk=device)
                return redirect("hall:ticket", token=ticket.token)
            area = _area(hall, request.POST.get("area"))
            if area is None:
                raise ValidationError(_("Choose an area."))
            ticket = services.take_ticket(actor=user if user.is_authenticated else None, area=area,
                                          channel=TicketChannel.KIOSK if kiosk else TicketChannel.PHONE,
                                          kiosk=device)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            return redirect("hall:ticket", token=ticket.token)
    today = timezone.localdate()
    counts = selectors.waiting_counts(hall, today)
    areas = selectors.areas(hall)
    for a in areas:
        a.waiting = counts.get(a.pk, 0)  # type: ignore[attr-defined]
    return render(request, "hall/take.html", {
        "hall": hall, "areas": areas, "kiosk": kiosk, "device": device, "open": rules.is_open(hall, timezone.now()),
        "may_take": device is not None if kiosk else user.is_authenticated,
        "held": selectors.open_tickets_of(user, today) if user.is_authenticated and not kiosk else []})


@require(Capability.MANAGE_HALL)
@require_http_methods(["GET", "POST"])
def enrol_kiosk(request: HttpRequest) -> HttpResponse:
    """取号机登记: a hall manager, on the kiosk's own browser, makes it one of the hall's kiosks."""
    hall = _hall()
    if request.method == "POST":
        try:
            device, key = services.enrol_kiosk(actor=request.user, hall=hall,  # type: ignore[arg-type]
                                               name=request.POST.get("name", ""))
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("This browser is now the kiosk “%(name)s”.") % {"name": device.name})
            response = redirect("hall:kiosk")
            response.set_cookie(selectors.KIOSK_COOKIE, key, max_age=5 * 365 * 24 * 3600, httponly=True,
                                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
            return response
    current = selectors.kiosk_of(request.COOKIES.get(selectors.KIOSK_COOKIE))
    return render(request, "hall/enrol_kiosk.html", {"hall": hall, "current": current})


def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """A ticket's place in the queue, for its holder (no personal data: the link is the key)."""
    status = selectors.ticket_status(token)
    if status is None:
        raise Http404(_("No such ticket."))
    return render(request, "hall/ticket.html", {"s": status, "t": status.ticket})


def screen(request: HttpRequest) -> HttpResponse:
    """The hall's calling screen (叫号屏): filled and updated by hall/screen.js."""
    hall = _hall()
    return render(request, "hall/screen.html", {"hall": hall, "feed": selectors.calling_feed(hall)})


@require(Capability.CALL_TICKETS)
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    """The clerk's calling desk: sit at a window, call, recall, serve, finish, transfer, give a
    walk-in ticket, check in an appointment."""
    hall = _hall()
    user: Any = request.user
    if request.method == "POST":
        do = request.POST.get("do", "")
        try:
            if do == "sign_in":
                window = Window.objects.filter(area__hall=hall, pk=request.POST.get("window") or 0).first()
                if window is None:
                    raise ValidationError(_("Choose a window."))
                services.sign_in_window(actor=user, window=window)
                messages.success(request, _("You are at window %(n)s.") % {"n": window.number})
            elif do == "sign_out":
                services.sign_out_window(actor=user)
                messages.success(request, _("You left your window."))
            elif do == "call":
                called = services.call_next(actor=user)
                if called is None:
                    messages.info(request, _("Nobody is waiting."))
                else:
                    messages.success(request, _("Called %(n)s.") % {"n": called.number})
            elif do in ("recall", "no_show", "start", "finish", "transfer"):
                t = Ticket.objects.filter(pk=request.POST.get("ticket") or 0).first()
                if t is None:
                    raise ValidationError(_("No such ticket."))
                target = _area(hall, request.POST.get("area")) if do == "transfer" else None
                result = services.act(actor=user, ticket=t, action=do, area=target)
                if do == "transfer":
                    messages.success(request, _("%(old)s was sent on as %(new)s.")
                                     % {"old": t.number, "new": result.number})
                else:
                    messages.success(request, _("%(n)s: %(state)s.") % {"n": t.number,
                                                                      "state": result.get_state_display()})
            elif do == "case_visit":
                t = Ticket.objects.filter(pk=request.POST.get("ticket") or 0).first()
                if t is None:
                    raise ValidationError(_("No such ticket."))
                served = services.serve_for_case(actor=user, ticket=t, number=request.POST.get("number", ""),
                                                 reason=request.POST.get("reason", ""))
                messages.success(request, _("%(t)s: the trip is recorded on case %(c)s.")
                                 % {"t": served.number, "c": served.case.number if served.case else ""})
            elif do == "find_person":
                t = Ticket.objects.filter(pk=request.POST.get("ticket") or 0).first()
                if t is None:
                    raise ValidationError(_("No such ticket."))
                person = services.find_person(actor=user, ticket=t, query=request.POST.get("query", ""))
                request.session[FOUND] = {"ticket": t.pk, "account": person.pk}
                messages.success(request, _("Account found: %(name)s. Check it against their ID card.")
                                 % {"name": person.real_name})
            elif do == "forget_person":
                request.session.pop(FOUND, None)
            elif do == "window_application":
                t = Ticket.objects.filter(pk=request.POST.get("ticket") or 0).first()
                if t is None:
                    raise ValidationError(_("No such ticket."))
                d = selectors.clerk_desk(user, found=request.session.get(FOUND))
                account = d.person if d.current == t and request.POST.get("for_account") == "1" else None
                started = services.start_window_application(
                    actor=user, ticket=t, item_code=request.POST.get("item", ""), account=account,
                    name=request.POST.get("applicant_name", ""), id_number=request.POST.get("applicant_id_number", ""),
                    mobile=request.POST.get("applicant_mobile", ""))
                request.session.pop(FOUND, None)
                messages.success(request, _("Application started for %(t)s: check and scan the materials, then submit.")
                                 % {"t": t.number})
                return redirect("cases:application", started.pk)
            elif do == "walk_in":
                area = _area(hall, request.POST.get("area"))
                if area is None:
                    raise ValidationError(_("Choose an area."))
                given = services.take_ticket(actor=user, area=area, channel=TicketChannel.CLERK,
                                             priority=request.POST.get("priority") == "1")
                messages.success(request, _("Ticket %(n)s given.") % {"n": given.number})
            elif do == "check_in":
                code = request.POST.get("code", "")
                if not code.strip():
                    raise ValidationError(_("Enter the booking code."))
                given = services.check_in(actor=user, code=code)
                messages.success(request, _("Checked in: ticket %(n)s.") % {"n": given.number})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            _refused(request, exc)
        return redirect("hall:desk")
    d = selectors.clerk_desk(user, found=request.session.get(FOUND))
    return render(request, "hall/desk.html", {
        "hall": hall, "desk": d, "windows": selectors.windows(hall), "areas": selectors.areas(hall),
        "labels": rules.ACTION_LABELS, "visit_reasons": Visit.Reason.choices,
        "area_items": list(d.window.area.items.filter(current__isnull=False).select_related("current")
                           .order_by("code")) if d.window else [],
        "appointments": selectors.upcoming_appointments(hall, timezone.localdate()),
    })


FOUND = "hall_desk_person"  # the session's note of the account found for the ticket being served


@require(Capability.MANAGE_HALL, Capability.CALL_TICKETS)
def overview(request: HttpRequest) -> HttpResponse:
    """The hall at a glance for staff: areas with their items and queues, windows and who sits there."""
    hall = _hall()
    counts = selectors.waiting_counts(hall, timezone.localdate())
    areas = list(hall.areas.prefetch_related("items__current"))
    for a in areas:
        a.waiting = counts.get(a.pk, 0)  # type: ignore[attr-defined]
    return render(request, "hall/overview.html", {"hall": hall, "areas": areas, "windows": selectors.windows(hall)})


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _parse_time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


@require(Capability.APPLY)
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """预约办事: choose an area and an item, a day, then a time with free places."""
    hall = _hall()
    user: Any = request.user
    data = request.POST if request.method == "POST" else request.GET
    areas = selectors.areas(hall)
    area = _area(hall, data.get("area")) if data.get("area") else None
    days = rules.bookable_days(hall, timezone.now())
    day = _parse_day(data.get("day", "")) if data.get("day") else None
    changing = selectors.appointment_of(user, data["change"]) if data.get("change") else None
    if changing is not None:
        area = changing.slot.area
    items = list(area.items.filter(current__isnull=False).select_related("current")) if area else []
    item = next((i for i in items if str(i.pk) == data.get("item")), None)
    if changing is not None:
        item = changing.item
    if request.method == "POST":
        start = _parse_time(data.get("start", ""))
        try:
            if area is None or item is None or day is None or start is None:
                raise ValidationError(_("Choose an area, an item, a day and a time."))
            if changing is not None:
                done = services.change_booking(actor=user, appointment=changing, day=day, start=start)
            else:
                done = services.book(actor=user, area=area, item=item, day=day, start=start)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Booked. Your booking code is %(code)s.") % {"code": done.code})
            return redirect("hall:appointments")
    slots = selectors.slots(area, day) if area and item and day and day in days else []
    return render(request, "hall/book.html", {
        "hall": hall, "areas": areas, "area": area, "items": items, "item": item, "days": days, "day": day,
        "slots": slots, "changing": changing,
        "suspended": rules.booking_suspended_until(hall, user, timezone.localdate()),
    })


@require(Capability.APPLY)
@require_http_methods(["GET", "POST"])
def appointments(request: HttpRequest) -> HttpResponse:
    """One's appointments, with their booking codes; cancel one."""
    user: Any = request.user
    if request.method == "POST":
        a = selectors.appointment_of(user, request.POST.get("code", ""))
        if a is None:
            messages.error(request, _("No such appointment."))
        else:
            try:
                services.cancel_booking(actor=user, appointment=a)
                messages.success(request, _("Appointment %(code)s cancelled.") % {"code": a.code})
            except ValidationError as exc:
                _refused(request, exc)
        return redirect("hall:appointments")
    return render(request, "hall/appointments.html", {"appointments": selectors.appointments_of(user)})
