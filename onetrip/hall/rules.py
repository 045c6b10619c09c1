"""The hall's rules, one named function each (see docs/ARCHITECTURE.md, "Where each reform rule lives")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onetrip.hall.models import Appointment, AppointmentState, Area, Hall, Ticket, TicketState
from onetrip.workcalendar import workdays

# 叫号状态: the ticket's pipeline as one table. action -> (states it may be taken from, state after).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({TicketState.WAITING}), TicketState.CALLED),
    "recall": (frozenset({TicketState.CALLED}), TicketState.CALLED),
    "no_show": (frozenset({TicketState.CALLED}), TicketState.NO_SHOW),
    "start": (frozenset({TicketState.CALLED}), TicketState.SERVING),
    "finish": (frozenset({TicketState.SERVING}), TicketState.DONE),
    "transfer": (frozenset({TicketState.CALLED, TicketState.SERVING}), TicketState.TRANSFERRED),
}

ACTION_LABELS = {
    "call": _("Call next"),
    "recall": _("Call again"),
    "no_show": _("Not present (skip)"),
    "start": _("Start serving"),
    "finish": _("Finish"),
    "transfer": _("Send to another area"),
}


def allowed_from(action: str, state: str) -> bool:
    """叫号流程: whether a ticket in ``state`` may take ``action``."""
    sources, _to = TRANSITIONS[action]
    return state in sources


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def is_open(hall: Hall, moment: dt.datetime) -> bool:
    """开放时间: a working day, inside the opening hours and not in the lunch break."""
    if hall.open_all_hours:
        return True
    moment = local(moment)
    if not workdays.is_workday(moment.date()):
        return False
    t = moment.time()
    return hall.opens_at <= t < hall.lunch_from or hall.lunch_until <= t < hall.closes_at


@dataclass(frozen=True)
class SlotTime:
    start: dt.time
    end: dt.time


def slot_times(hall: Hall, day: dt.date) -> Iterator[SlotTime]:
    """预约时段: the slots of a working day (none on holidays and weekends), morning and afternoon."""
    if not workdays.is_workday(day):
        return
    step = dt.timedelta(minutes=hall.slot_minutes)
    for begin, until in ((hall.opens_at, hall.lunch_from), (hall.lunch_until, hall.closes_at)):
        at = dt.datetime.combine(day, begin)
        last = dt.datetime.combine(day, until)
        while at + step <= last:
            yield SlotTime(at.time(), (at + step).time())
            at += step


def booking_closes(hall: Hall, day: dt.date) -> dt.datetime:
    """预约截止: a day's slots can be booked until ``booking_closes_at`` on the day before."""
    return timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), hall.booking_closes_at))


def bookable_days(hall: Hall, now: dt.datetime) -> list[dt.date]:
    """The working days whose slots are open for booking now."""
    day = local(now).date()
    found: list[dt.date] = []
    for _i in range(60):
        day += dt.timedelta(days=1)
        if workdays.is_workday(day) and now < booking_closes(hall, day):
            found.append(day)
        if len(found) >= hall.booking_days_ahead:
            break
    return found


def booking_suspended_until(hall: Hall, citizen: Any, today: dt.date) -> dt.date | None:
    """爽约限制: after ``no_show_limit`` no-shows within ``no_show_window_days``, booking is
    suspended for ``suspension_days`` from the last no-show. None when the citizen may book."""
    since = today - dt.timedelta(days=hall.no_show_window_days + hall.suspension_days)
    days = sorted(Appointment.objects.filter(citizen=citizen, state=AppointmentState.NO_SHOW, day__gte=since)
                  .values_list("day", flat=True))
    return suspension_end(days, hall, today)


def suspension_end(days: list[dt.date], hall: Hall, today: dt.date) -> dt.date | None:
    """The end of the latest suspension still running on ``today``, from sorted no-show days."""
    if hall.no_show_limit < 1:
        return None
    window = dt.timedelta(days=hall.no_show_window_days)
    best = None
    for i in range(len(days) - hall.no_show_limit + 1):
        run = days[i:i + hall.no_show_limit]
        if run[-1] - run[0] < window:
            until = run[-1] + dt.timedelta(days=hall.suspension_days)
            if until >= today and (best is None or until > best):
                best = until
    return best


def rank_expression(area: Area, now: dt.datetime) -> Any:
    """叫号顺序: appointments whose time has come (0, by their time), then, where the area allows,
    elderly and disabled people (1), then everyone else (2) in the order they took their tickets;
    appointments not yet due (3) wait for their time unless no one else is waiting."""
    from django.db.models import Case, IntegerField, Value, When

    whens = [When(Q(due_at__isnull=False) & Q(due_at__lte=now), then=Value(0))]
    if area.priority_allowed:
        whens.append(When(priority=True, due_at__isnull=True, then=Value(1)))
    whens.append(When(due_at__isnull=False, then=Value(3)))
    return Case(*whens, default=Value(2), output_field=IntegerField())


def waiting(area: Area, day: dt.date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(area=area, day=day, state=TicketState.WAITING)


def rank_of(ticket: Ticket, area: Area, now: dt.datetime) -> int:
    """The same rank as ``rank_expression``, for one ticket in Python."""
    if ticket.due_at is not None:
        return 0 if ticket.due_at <= now else 3
    return 1 if area.priority_allowed and ticket.priority else 2


def called_before(ticket: Ticket, area: Area, now: dt.datetime) -> Q:
    """Among waiting tickets annotated with ``rank``, those ``call_next`` takes before this one."""
    r = rank_of(ticket, area, now)
    later_key = Q(queued_at__lt=ticket.queued_at) | Q(queued_at=ticket.queued_at, seq__lt=ticket.seq)
    if r in (0, 3):
        later_key = Q(due_at__lt=ticket.due_at) | (Q(due_at=ticket.due_at) & later_key)
    return Q(rank__lt=r) | (Q(rank=r) & later_key)


OPEN_TICKET_STATES = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING)


def one_open_ticket(holder: Any, area: Area, day: dt.date) -> Ticket | None:
    """一人一号: a person holds at most one open ticket (waiting, called or being served) per area
    and day; the ticket they already hold, or None. A ticket without a log-in comes only from an
    enrolled kiosk (``kiosk_may_give``), so nobody can fill a queue from afar; the database's
    ``hall_one_open_ticket_per_person`` constraint keeps the rule when two requests race."""
    if holder is None:
        return None
    return Ticket.objects.filter(holder=holder, area=area, day=day, state__in=OPEN_TICKET_STATES).first()


def kiosk_may_give(kiosk: Any) -> bool:
    """取号机限流: an enrolled kiosk gives at most ``HALL_KIOSK_TICKETS_PER_MINUTE`` tickets a
    minute (a person at a touch screen takes one every few seconds; a script many more)."""
    from django.conf import settings

    from onetrip.core import ratelimit

    return ratelimit.hit(f"hall-kiosk:{kiosk.pk}", limit=settings.HALL_KIOSK_TICKETS_PER_MINUTE,
                         window=dt.timedelta(minutes=1))


def kiosk_may_try_code(kiosk: Any) -> bool:
    """到场签到 at a kiosk: at most ``HALL_KIOSK_CHECK_INS_PER_10_MINUTES`` booking codes tried per
    kiosk in ten minutes, so codes cannot be guessed there."""
    from django.conf import settings

    from onetrip.core import ratelimit

    return ratelimit.hit(f"hall-kiosk-code:{kiosk.pk}", limit=settings.HALL_KIOSK_CHECK_INS_PER_10_MINUTES,
                         window=dt.timedelta(minutes=10))
