"""Tickets and bookings under real concurrent connections (PostgreSQL: one connection per thread,
released together by a barrier): ticket numbers stay unique and gapless per area and day, two
clerks calling at once never get one ticket, and a slot is never overbooked. The same
services on SQLite are serialised by BEGIN IMMEDIATE (tests/test_hall.py covers them there)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from onetrip.accounts.models import Role
from onetrip.hall import services
from onetrip.hall.models import Appointment, AppointmentState, Slot, Ticket, TicketChannel, TicketState

from .conftest import make_user
from .hall_fixtures import TUESDAY, build_hall, make_kiosk, moment

PG = "concurrent writers need PostgreSQL (the in-memory SQLite test database locks tables without waiting)"


def in_threads(targets: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(targets))
    results: list[Any] = []
    errors: list[BaseException] = []

    def body(target: Callable[[], Any]) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '20s'")
            barrier.wait()
            results.append(target())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_sixteen_kiosks_taking_tickets_at_once_get_unique_gapless_numbers(district):
    w = build_hall(district)
    at = moment(TUESDAY)

    def kiosk(area: Any, n: int) -> Callable[[], list[str]]:
        device, _key = make_kiosk(w.hall, f"kiosk {n}")
        return lambda: [services.take_ticket(actor=None, area=area, now=at, kiosk=device).number for _ in range(15)]

    results, errors = in_threads([kiosk(w.a, n) for n in range(12)] + [kiosk(w.b, 12 + n) for n in range(4)])
    assert errors == []
    a_numbers = sorted(n for r in results for n in r if n.startswith("A"))
    assert a_numbers == [f"A{i:03d}" for i in range(1, 181)]  # unique, and no gap
    seqs = sorted(Ticket.objects.filter(area=w.b).values_list("seq", flat=True))
    assert seqs == list(range(1, 61))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_clerks_calling_at_the_same_moment_never_get_the_same_ticket(district):
    w = build_hall(district)
    at = moment(TUESDAY)
    tickets = [services.take_ticket(actor=None, area=w.a, now=at, kiosk=w.kiosk) for _ in range(6)]
    from onetrip.hall.models import Window

    clerks = [make_user(Role.WINDOW_CLERK) for _ in range(6)]
    for n, clerk in enumerate(clerks):
        window = Window.objects.create(area=w.a, number=10 + n)
        services.sign_in_window(actor=clerk, window=window)
    results, errors = in_threads([lambda c=c: services.call_next(actor=c, now=at) for c in clerks])
    assert errors == []
    assert sorted(t.pk for t in results) == sorted(t.pk for t in tickets)
    assert Ticket.objects.filter(state=TicketState.CALLED, call_count=1).count() == 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_twenty_citizens_booking_a_nearly_full_slot_never_overbook_it(district):
    w = build_hall(district)
    now = moment(TUESDAY)
    day = TUESDAY + dt.timedelta(days=1)
    people = [make_user(Role.CITIZEN, mobile=f"139073698{i:02d}") for i in range(21)]
    services.book(actor=people[0], area=w.a, item=w.item, day=day, start=dt.time(9), now=now)  # 1 of 2 taken

    def attempt(person: Any) -> Callable[[], str]:
        def run() -> str:
            try:
                services.book(actor=person, area=w.a, item=w.item, day=day, start=dt.time(9), now=now)
            except ValidationError as exc:
                return str(exc.code)
            return "booked"
        return run

    results, errors = in_threads([attempt(p) for p in people[1:]])
    assert errors == []
    assert sorted(results).count("booked") == 1 and set(results) == {"booked", "full"}
    slot = Slot.objects.get(area=w.a, day=day, start=dt.time(9))
    assert slot.booked == 2 == Appointment.objects.filter(slot=slot, state=AppointmentState.BOOKED).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_one_person_tapping_take_on_two_phones_at_once_gets_one_ticket(district):
    w = build_hall(district)
    at = moment(TUESDAY)
    person = make_user(Role.CITIZEN, mobile="13907369911")

    def tap() -> str:
        try:
            return services.take_ticket(actor=person, area=w.a, channel=TicketChannel.PHONE, now=at).number
        except ValidationError as exc:
            return str(exc.code)

    results, errors = in_threads([tap for _ in range(8)])
    assert errors == []
    assert sorted(results) == ["A001"] + ["duplicate"] * 7
    assert Ticket.objects.filter(holder=person).count() == 1
