"""The service hall: ticket numbers, opening hours, the calling order and the ticket's pipeline,
appointments (capacity, closing, holidays, no-shows, check-in), the jobs, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.timezone import now as timezone_now

from onetrip.accounts.models import Role
from onetrip.core.models import Notification, TrailEntry
from onetrip.hall import jobs, rules, selectors, services
from onetrip.hall.models import Appointment, AppointmentState, Slot, Ticket, TicketChannel, TicketState

from .conftest import make_user
from .hall_fixtures import HOLIDAY, TUESDAY, HallWorld, build_hall, moment


@pytest.fixture
def w(district: Any) -> HallWorld:
    return build_hall(district)


def code_of(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


def take(w: HallWorld, area: Any = None, at: dt.datetime | None = None, **kw: Any) -> Ticket:
    if kw.get("channel", TicketChannel.KIOSK) == TicketChannel.KIOSK:
        kw.setdefault("kiosk", w.kiosk)
    return services.take_ticket(actor=kw.pop("actor", None), area=area or w.a, now=at or moment(TUESDAY), **kw)


# --- numbers -----------------------------------------------------------------------------------

def test_numbers_run_per_area_and_restart_each_day(w):
    assert [take(w).number for _ in range(3)] == ["A001", "A002", "A003"]
    assert take(w, w.b).number == "B001"
    assert take(w, at=moment(TUESDAY + dt.timedelta(days=1))).number == "A001"
    t = Ticket.objects.get(number="A002", day=TUESDAY)
    assert TrailEntry.objects.filter(action="hall.ticket_taken", object_id=str(t.pk)).count() == 1


def test_numbers_go_past_999_without_losing_a_digit(w):
    from onetrip.hall.models import TicketCounter

    assert take(w).number == "A001"
    TicketCounter.objects.filter(area=w.a, day=TUESDAY).update(last=998)
    assert [take(w).number for _ in range(2)] == ["A999", "A1000"]
    assert Ticket.objects.get(number="A1000").seq == 1000


def test_a_ticket_taken_just_after_midnight_beijing_time_counts_on_the_local_day(w):
    late = moment(TUESDAY, 23, 59)
    early = late + dt.timedelta(minutes=2)  # 00:01 on Wednesday in Beijing, still Tuesday in UTC
    w.hall.open_all_hours = True
    w.hall.save()
    w.a.refresh_from_db()
    assert take(w, at=late).day == TUESDAY
    nxt = take(w, at=early)
    assert (nxt.day, nxt.number) == (TUESDAY + dt.timedelta(days=1), "A001")


def test_a_rolled_back_ticket_gives_its_number_back(w):
    from django.db import transaction

    take(w)
    with pytest.raises(RuntimeError), transaction.atomic():
        take(w)
        raise RuntimeError
    assert take(w).number == "A002"  # no gap


# --- opening hours -----------------------------------------------------------------------------

@pytest.mark.parametrize("when", [moment(TUESDAY, 8, 59), moment(TUESDAY, 12, 30), moment(TUESDAY, 17, 30),
                                  moment(dt.date(2025, 6, 14)), moment(HOLIDAY)])
def test_no_tickets_outside_opening_hours_weekends_and_holidays(w, when):
    with pytest.raises(ValidationError) as exc:
        take(w, at=when)
    assert code_of(exc) == "closed"
    assert not Ticket.objects.exists()


def test_open_all_hours_gives_tickets_at_any_time(w):
    w.hall.open_all_hours = True
    w.hall.save()
    w.a.refresh_from_db()
    assert take(w, at=moment(dt.date(2025, 6, 14), 22)).number == "A001"


def test_only_a_clerk_gives_priority(w, citizen):
    with pytest.raises(ValidationError) as exc:
        take(w, priority=True, actor=citizen)
    assert code_of(exc) == "forbidden"
    assert take(w, priority=True, actor=w.clerk, channel=TicketChannel.CLERK).priority
    # an area without priority calling ignores it
    assert not take(w, w.b, priority=True, actor=w.clerk, channel=TicketChannel.CLERK).priority


# --- calling -----------------------------------------------------------------------------------

def sit(w: HallWorld, clerk: Any = None, window: int = 0) -> None:
    services.sign_in_window(actor=clerk or w.clerk, window=w.windows[window])


def test_calling_order_appointments_at_their_time_then_priority_then_in_turn(w, citizen):
    t1 = take(w, at=moment(TUESDAY, 9, 0))
    t2 = take(w, at=moment(TUESDAY, 9, 1))
    old = take(w, at=moment(TUESDAY, 9, 2), actor=w.clerk, channel=TicketChannel.CLERK, priority=True)
    # an appointment for 10:00, checked in at 9:30
    slot = Slot.objects.create(area=w.a, day=TUESDAY, start=dt.time(10, 0), end=dt.time(10, 30), capacity=2, booked=1)
    appt = Appointment.objects.create(code="ABCDEFGH", citizen=citizen, slot=slot, day=TUESDAY, item=w.item,
                                      created_at=moment(TUESDAY, 8))
    due = services.check_in(actor=w.clerk, code="abcdefgh", now=moment(TUESDAY, 9, 30))
    assert due.priority and due.channel == TicketChannel.APPOINTMENT
    appt.refresh_from_db()
    assert appt.state == AppointmentState.CHECKED_IN and appt.ticket == due
    sit(w)
    order = []
    for minute in (40, 41, 42, 43):  # 9:40… the appointment is not due yet
        t = services.call_next(actor=w.clerk, now=moment(TUESDAY, 9, minute))
        order.append(t)
        services.act(actor=w.clerk, ticket=t, action="start", now=moment(TUESDAY, 9, minute))
        services.act(actor=w.clerk, ticket=t, action="finish", now=moment(TUESDAY, 9, minute))
    assert order == [old, t1, t2, due]  # nobody else waits: the appointment is called early

    # when it is due, the appointment goes first
    a1 = take(w, at=moment(TUESDAY, 10, 1))
    slot2 = Slot.objects.create(area=w.a, day=TUESDAY, start=dt.time(10, 30), end=dt.time(11, 0), capacity=2)
    other = make_user(Role.CITIZEN, mobile="13907369911")
    Appointment.objects.create(code="JKLMNPQR", citizen=other, slot=slot2, day=TUESDAY, item=w.item,
                               created_at=moment(TUESDAY, 8))
    due2 = services.check_in(actor=w.clerk, code="JKLMNPQR", now=moment(TUESDAY, 10, 2))
    assert services.call_next(actor=w.clerk, now=moment(TUESDAY, 10, 31)) == due2
    assert selectors.ticket_status(a1.token, now=moment(TUESDAY, 10, 31)).ahead == 0


def test_the_pipeline_recall_no_show_start_finish_and_who_may(w):
    t = take(w)
    with pytest.raises(ValidationError) as exc:
        services.call_next(actor=w.clerk, now=moment(TUESDAY))
    assert code_of(exc) == "no_window"
    sit(w)
    assert services.call_next(actor=w.clerk, now=moment(TUESDAY)) == t
    with pytest.raises(ValidationError) as exc:  # one ticket at a time
        services.call_next(actor=w.clerk, now=moment(TUESDAY))
    assert code_of(exc) == "wrong_state"
    with pytest.raises(ValidationError) as exc:
        services.act(actor=w.clerk2, ticket=t, action="start")
    assert code_of(exc) == "not_yours"
    with pytest.raises(ValidationError) as exc:
        services.act(actor=w.clerk, ticket=t, action="finish")
    assert code_of(exc) == "wrong_state"
    services.act(actor=w.clerk, ticket=t, action="recall")
    t.refresh_from_db()
    assert t.call_count == 2 and t.calls.count() == 2 and t.window == w.windows[0]
    services.act(actor=w.clerk, ticket=t, action="no_show")
    t.refresh_from_db()
    assert t.state == TicketState.NO_SHOW
    assert services.call_next(actor=w.clerk, now=moment(TUESDAY)) is None
    actions = list(TrailEntry.objects.filter(object_id=str(t.pk), object_type="hall.ticket")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["hall.ticket_taken", "hall.ticket_call", "hall.ticket_recall", "hall.ticket_no_show"]


def test_the_transition_table_is_the_only_source_of_allowed_moves():
    assert rules.allowed_from("finish", "serving") and not rules.allowed_from("finish", "called")
    assert set(rules.TRANSITIONS) == set(rules.ACTION_LABELS)


def test_transfer_keeps_the_place_in_the_queue(w):
    early = take(w, at=moment(TUESDAY, 9, 0))
    later_b = take(w, w.b, at=moment(TUESDAY, 9, 5))
    sit(w)
    services.call_next(actor=w.clerk, now=moment(TUESDAY, 9, 10))
    services.act(actor=w.clerk, ticket=early, action="start", now=moment(TUESDAY, 9, 11))
    new = services.act(actor=w.clerk, ticket=early, action="transfer", area=w.b, now=moment(TUESDAY, 9, 12))
    assert new.number == "B002" and new.area == w.b and new.transferred_from == early
    early.refresh_from_db()
    assert early.state == TicketState.TRANSFERRED
    assert "B002" in selectors.ticket_status(early.token).sentence
    sit(w, w.clerk2, window=2)
    assert services.call_next(actor=w.clerk2, now=moment(TUESDAY, 9, 20)) == new  # ahead of B001 taken later
    assert later_b.state == TicketState.WAITING


def test_one_clerk_per_window(w):
    sit(w)
    with pytest.raises(ValidationError) as exc:
        sit(w, w.clerk2)
    assert code_of(exc) == "claimed"
    sit(w, window=1)  # moving to another window leaves the first
    sit(w, w.clerk2)
    services.sign_out_window(actor=w.clerk2)
    assert services.window_of(w.clerk2) is None


def test_position_and_estimated_wait(w):
    tickets = [take(w, at=moment(TUESDAY, 9, i)) for i in range(4)]
    s = selectors.ticket_status(tickets[3].token, now=moment(TUESDAY, 9, 10))
    assert (s.ahead, s.minutes) == (3, 3 * w.a.minutes_per_ticket)
    sit(w)
    sit(w, w.clerk2, window=1)
    s = selectors.ticket_status(tickets[3].token, now=moment(TUESDAY, 9, 10))
    assert s.minutes == 12  # two windows staffed: 3 × 8 / 2


# --- appointments ------------------------------------------------------------------------------

NOW = moment(TUESDAY, 10)
WEDNESDAY = TUESDAY + dt.timedelta(days=1)


def book(w: HallWorld, person: Any, start: str = "09:00", day: dt.date = WEDNESDAY, now: dt.datetime = NOW) -> Any:
    return services.book(actor=person, area=w.a, item=w.item, day=day, start=dt.time.fromisoformat(start), now=now)


def citizens(n: int) -> list[Any]:
    return [make_user(Role.CITIZEN, mobile=f"139073699{i:02d}") for i in range(n)]


def test_slots_fill_up_and_cancelling_frees_a_place(w):
    one, two, three = citizens(3)
    a1 = book(w, one)
    book(w, two)
    assert len(a1.code) == 8
    with pytest.raises(ValidationError) as exc:
        book(w, three)
    assert code_of(exc) == "full"
    assert Slot.objects.get(day=WEDNESDAY, start=dt.time(9)).booked == 2
    services.cancel_booking(actor=one, appointment=a1, now=NOW)
    assert book(w, three).state == AppointmentState.BOOKED
    events = list(Notification.objects.values_list("event", flat=True))
    assert events.count("hall.booked") == 3 and events.count("hall.booking_cancelled") == 1
    free = {s.start: s.free for s in selectors.slots(w.a, WEDNESDAY)}
    assert free[dt.time(9)] == 0 and free[dt.time(9, 30)] == 2


def test_booking_rules_one_a_day_closing_time_holidays_and_other_peoples_bookings(w):
    one, two = citizens(2)
    a = book(w, one)
    with pytest.raises(ValidationError) as exc:
        book(w, one, "10:00")
    assert code_of(exc) == "duplicate"
    with pytest.raises(ValidationError) as exc:  # after 17:00 the day before
        book(w, two, now=moment(TUESDAY, 17, 1))
    assert code_of(exc) == "closed"
    with pytest.raises(ValidationError) as exc:  # no such time (the lunch break)
        book(w, two, "12:30")
    assert code_of(exc) == "invalid"
    assert list(rules.slot_times(w.hall, HOLIDAY)) == [] and selectors.slots(w.a, HOLIDAY) == []
    with pytest.raises(ValidationError) as exc:
        services.cancel_booking(actor=two, appointment=a, now=NOW)
    assert code_of(exc) == "not_found"
    with pytest.raises(ValidationError) as exc:
        services.book(actor=w.clerk, area=w.a, item=w.item, day=WEDNESDAY, start=dt.time(9), now=NOW)
    assert code_of(exc) == "forbidden"
    with pytest.raises(ValidationError) as exc:
        services.book(actor=two, area=w.a, item=w.item_b, day=WEDNESDAY, start=dt.time(9), now=NOW)
    assert code_of(exc) == "invalid"


def test_changing_to_a_full_time_leaves_the_old_booking(w):
    one, two, three = citizens(3)
    mine = book(w, one, "09:30")
    book(w, two, "10:00")
    book(w, three, "10:00")
    with pytest.raises(ValidationError):
        services.change_booking(actor=one, appointment=mine, day=WEDNESDAY, start=dt.time(10), now=NOW)
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED and Slot.objects.get(start=dt.time(9, 30)).booked == 1
    moved = services.change_booking(actor=one, appointment=mine, day=WEDNESDAY, start=dt.time(11), now=NOW)
    mine.refresh_from_db()
    assert mine.state == AppointmentState.CANCELLED and moved.slot.start == dt.time(11)
    assert Slot.objects.get(start=dt.time(9, 30)).booked == 0


def test_three_no_shows_in_thirty_days_suspend_booking(w):
    (one,) = citizens(1)
    for day in (dt.date(2025, 5, 20), dt.date(2025, 5, 27), dt.date(2025, 6, 5)):
        slot, _ = Slot.objects.get_or_create(area=w.a, day=day, start=dt.time(9), defaults={
            "end": dt.time(9, 30), "capacity": 2})
        Appointment.objects.create(code=f"NS{day:%m%d}XX", citizen=one, slot=slot, day=day, item=w.item,
                                   created_at=NOW, state=AppointmentState.NO_SHOW)
    with pytest.raises(ValidationError) as exc:
        book(w, one)
    assert code_of(exc) == "suspended"
    assert rules.booking_suspended_until(w.hall, one, TUESDAY) == dt.date(2025, 7, 5)
    # a month later than that, booking is open again
    assert rules.booking_suspended_until(w.hall, one, dt.date(2025, 7, 6)) is None
    assert rules.suspension_end([dt.date(2025, 1, 1), dt.date(2025, 2, 15), dt.date(2025, 3, 30)], w.hall,
                                dt.date(2025, 4, 1)) is None  # never three within thirty days


def test_check_in_only_on_the_day_and_once(w):
    (one,) = citizens(1)
    a = book(w, one)
    with pytest.raises(ValidationError) as exc:
        services.check_in(actor=w.clerk, code=a.code, now=NOW)
    assert code_of(exc) == "wrong_day"
    t = services.check_in(actor=w.clerk, code=a.code, now=moment(WEDNESDAY, 8, 50))
    assert t.due_at == moment(WEDNESDAY, 9) and t.holder == one
    with pytest.raises(ValidationError) as exc:
        services.check_in(actor=w.clerk, code=a.code, now=moment(WEDNESDAY, 8, 51))
    assert code_of(exc) == "wrong_state"
    with pytest.raises(ValidationError) as exc:
        services.check_in(actor=w.clerk, code="NOSUCH", now=moment(WEDNESDAY, 8, 51))
    assert code_of(exc) == "not_found"


def test_reminders_are_sent_once_and_missed_appointments_counted(w):
    one, two = citizens(2)
    a = book(w, one)
    b = book(w, two, "16:00", day=WEDNESDAY + dt.timedelta(days=1), now=NOW)
    Notification.objects.all().delete()
    assert jobs.send_reminders(now=NOW) == 1  # tomorrow's, not the day after
    assert jobs.send_reminders(now=NOW) == 0
    [n] = Notification.objects.filter(event="hall.booking_reminder")
    assert a.code in n.body and n.to == one.mobile
    assert jobs.mark_no_shows(now=moment(WEDNESDAY, 9, 31)) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == AppointmentState.NO_SHOW and b.state == AppointmentState.BOOKED
    assert jobs.mark_no_shows(now=moment(WEDNESDAY, 9, 31)) == 0


# --- pages -------------------------------------------------------------------------------------

@pytest.fixture
def open_hall(district: Any) -> HallWorld:
    return build_hall(district, open_all_hours=True)


def test_kiosk_ticket_page_screen_and_feed(client, open_hall):
    w = open_hall
    client.cookies[selectors.KIOSK_COOKIE] = w.kiosk_key
    page = client.get("/hall/kiosk/")
    assert page.status_code == 200 and "企业开办" in page.content.decode()
    response = client.post("/hall/kiosk/", {"area": w.a.pk})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hall/tickets/{ticket.token}/"
    assert ticket.channel == TicketChannel.KIOSK
    page = client.get(response["Location"]).content.decode()
    assert "A001" in page and 'src="/static/hall/ticket.js"' in page
    assert client.post("/hall/kiosk/", {"area": "x"}).status_code == 200 and Ticket.objects.count() == 1
    assert client.get("/hall/tickets/nope/").status_code == 404
    sit(w)
    services.call_next(actor=w.clerk)
    feed = client.get("/api/v1/hall/calls").json()
    assert feed["calls"][0]["number"] == "A001" and feed["calls"][0]["window"] == 1
    screen = client.get("/hall/screen/").content.decode()
    assert "<script>" not in screen and "hall/screen.js" in screen and 'aria-live="assertive"' in screen
    status = client.get(f"/api/v1/hall/tickets/{ticket.token}").json()
    assert status["state"] == "called" and status["window"] == 1


def test_the_desk_page_calls_serves_and_refuses_in_sentences(client, open_hall):
    w = open_hall
    client.force_login(w.clerk)
    assert "Which window" in client.get("/hall/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode() or True
    client.post("/hall/desk/", {"do": "sign_in", "window": w.windows[0].pk})
    client.post("/hall/desk/", {"do": "walk_in", "area": w.a.pk, "priority": "1"})
    t = Ticket.objects.get()
    assert t.priority and t.channel == TicketChannel.CLERK
    client.post("/hall/desk/", {"do": "call"})
    client.post("/hall/desk/", {"do": "start", "ticket": t.pk})
    page = client.get("/hall/desk/").content.decode()
    assert "A001" in page
    client.post("/hall/desk/", {"do": "finish", "ticket": t.pk})
    t.refresh_from_db()
    assert t.state == TicketState.DONE
    response = client.post("/hall/desk/", {"do": "finish", "ticket": t.pk}, follow=True)
    assert "A001" in response.content.decode()  # the refusal names the ticket
    response = client.post("/hall/desk/", {"do": "check_in", "code": "ZZZZ"}, follow=True)
    assert response.status_code == 200


def test_booking_pages(client, open_hall, citizen, settings):
    import time_machine

    w = open_hall
    client.force_login(citizen)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/hall/book/?area={w.a.pk}&item={w.item.pk}&day={WEDNESDAY}").content.decode()
        assert "09:00" in page
        response = client.post("/hall/book/", {"area": w.a.pk, "item": w.item.pk, "day": WEDNESDAY.isoformat(),
                                               "start": "09:00"})
        assert response.status_code == 302
        a = Appointment.objects.get()
        assert a.code in client.get("/hall/appointments/").content.decode()
        response = client.post("/hall/book/", {"change": a.code, "day": WEDNESDAY.isoformat(), "start": "10:00"})
        assert response.status_code == 302
        moved = Appointment.objects.get(state=AppointmentState.BOOKED)
        assert moved.slot.start == dt.time(10)
        client.post("/hall/appointments/", {"code": moved.code})
        moved.refresh_from_db()
        assert moved.state == AppointmentState.CANCELLED
        bad = client.post("/hall/book/", {"area": w.a.pk, "item": w.item.pk, "day": "2025-99-01", "start": "x"})
        assert bad.status_code == 200 and Appointment.objects.count() == 2


def test_overview_page_for_staff(client, open_hall):
    client.force_login(open_hall.clerk)
    page = client.get("/hall/overview/").content.decode()
    assert "企业开办" in page and "综合管理" in page


def test_demo_hall_has_four_areas_and_at_least_eight_windows(db):
    from onetrip.demo.services import load
    from onetrip.hall.models import Area, Window

    load()
    load()  # idempotent
    assert list(Area.objects.values_list("name", flat=True)) == ["投资建设", "企业开办", "综合管理", "专属服务"]
    assert Window.objects.count() >= 8
    assert all(a.items.exists() for a in Area.objects.all())


def test_the_place_shown_to_a_holder_is_the_place_call_next_gives(w, citizen):
    """``ahead`` (a count) agrees with the calling order for every waiting ticket, in a queue
    mixing walk-ins, priority tickets and appointments due and not yet due."""
    now = moment(TUESDAY, 10, 0)
    for i in range(3):
        take(w, at=moment(TUESDAY, 9, i))
        take(w, at=moment(TUESDAY, 9, i), actor=w.clerk, channel=TicketChannel.CLERK, priority=True)
    for i, start in enumerate((dt.time(9, 30), dt.time(10, 30), dt.time(9, 30))):
        slot, _ = Slot.objects.get_or_create(area=w.a, day=TUESDAY, start=start,
                                             defaults={"end": start, "capacity": 5})
        person = make_user(Role.CITIZEN, mobile=f"1390736980{i}")
        Appointment.objects.create(code=f"PLACE{i}XY", citizen=person, slot=slot, day=TUESDAY, item=w.item,
                                   created_at=now)
        services.check_in(actor=w.clerk, code=f"PLACE{i}XY", now=moment(TUESDAY, 9, 10 + i))
    order = selectors.ordered_waiting(w.a, TUESDAY, now)
    assert len(order) == 9
    for ticket in Ticket.objects.filter(area=w.a):
        assert selectors.ticket_status(ticket.token, now=now).ahead == order.index(ticket.pk), ticket.number
    sit(w)
    called = [services.call_next(actor=w.clerk, now=now) for _ in range(1)]
    assert called[0].pk == order[0]


@pytest.mark.django_db
def test_the_main_navigation_leads_each_person_to_their_part_of_the_hall(client, citizen, staff):
    """Anyone can take a ticket from the menu; a citizen finds their appointments; a window clerk
    the calling desk. Nobody sees a link they cannot use."""
    def links() -> str:
        return client.get("/").content.decode()

    assert 'href="/hall/"' in links() and 'href="/hall/desk/"' not in links()
    assert 'href="/hall/appointments/"' not in links()
    client.force_login(citizen)
    assert 'href="/hall/appointments/"' in links() and 'href="/hall/desk/"' not in links()
    client.force_login(staff.clerk)
    assert 'href="/hall/desk/"' in links() and 'href="/hall/appointments/"' not in links()


# --- a served ticket and the case it was about (一窗受理 for a case that exists) -------------------


def serving(w: HallWorld) -> Ticket:
    t = take(w)
    sit(w)
    services.call_next(actor=w.clerk, now=moment(TUESDAY))
    return services.act(actor=w.clerk, ticket=t, action="start", now=moment(TUESDAY))


@pytest.mark.django_db
def test_the_trip_of_a_served_ticket_counts_on_the_case_it_was_about(item, w, citizen, client):
    from .conftest import apply

    case = apply(citizen)
    t = serving(w)
    client.force_login(w.clerk)
    r = client.post("/hall/desk/", {"do": "case_visit", "ticket": t.pk, "number": f" {case.number} ",
                                    "reason": "supplement"}, follow=True)
    assert f"{t.number}号：本次跑动已记入办件{case.number}。" in r.content.decode()
    t.refresh_from_db()
    case.refresh_from_db()
    assert t.case == case and case.visit_count == 1
    assert list(case.visits.values_list("reason", "recorded_by")) == [("supplement", w.clerk.pk)]
    assert TrailEntry.objects.filter(action="hall.ticket_case", summary__case=case.number).count() == 1
    page = client.get("/hall/desk/").content.decode()
    assert f'href="/cases/{case.number}/"' in page and 'name="do" value="case_visit"' not in page


@pytest.mark.django_db
def test_a_trip_is_recorded_only_for_the_ticket_being_served_and_a_case_that_exists(item, w, citizen):
    from .conftest import apply

    case = apply(citizen)
    t = take(w)
    sit(w)
    services.call_next(actor=w.clerk, now=moment(TUESDAY))
    with pytest.raises(ValidationError) as exc:  # called, not yet being served
        services.serve_for_case(actor=w.clerk, ticket=t, number=case.number, reason="supplement")
    assert code_of(exc) == "wrong_state"
    t = services.act(actor=w.clerk, ticket=t, action="start", now=moment(TUESDAY))
    for number, reason, code in [("430703-20000101-999999", "supplement", "not_found"), ("", "supplement", "invalid")]:
        with pytest.raises(ValidationError) as exc:
            services.serve_for_case(actor=w.clerk, ticket=t, number=number, reason=reason)
        assert code_of(exc) == code
    with pytest.raises(ValidationError):  # an unknown reason: nothing is written, not even the link
        services.serve_for_case(actor=w.clerk, ticket=t, number=case.number, reason="sightseeing")
    with pytest.raises(ValidationError) as exc:  # another window's ticket
        services.serve_for_case(actor=w.clerk2, ticket=t, number=case.number, reason="supplement")
    assert code_of(exc) == "not_yours"
    t.refresh_from_db()
    case.refresh_from_db()
    assert t.case is None and case.visit_count == 0 and not case.visits.exists()
    services.serve_for_case(actor=w.clerk, ticket=t, number=case.number, reason="pickup")
    with pytest.raises(ValidationError) as exc:  # one ticket, one case
        services.serve_for_case(actor=w.clerk, ticket=t, number=case.number, reason="pickup")
    assert code_of(exc) == "duplicate"
    case.refresh_from_db()
    assert case.visit_count == 1


@pytest.mark.django_db
def test_a_walk_in_is_taken_on_at_the_window_from_ticket_to_submitted_case_with_one_trip(item, w, client):
    """取号 → 叫号 → 一窗受理: the clerk serving the ticket starts a window application for the
    person at the counter, scans the materials on the application page and submits; the case is
    the ticket's, and the trip counts once."""
    import io

    from onetrip.cases.models import Application
    from onetrip.demo.people import resident_id

    from .conftest import PDF

    w.a.items.add(item.item)
    t = serving(w)
    client.force_login(w.clerk)
    person = {"applicant_name": "柳窗口（演示）", "applicant_id_number": resident_id("43070319900505123"),
              "applicant_mobile": "13907369999"}
    # A wrong ID number: a clear error and nothing written.
    r = client.post("/hall/desk/", {"do": "window_application", "ticket": t.pk, "item": item.item.code,
                                    **person, "applicant_id_number": "430703199005051230"}, follow=True)
    assert not Application.objects.exists() and r.status_code == 200
    t.refresh_from_db()
    assert t.case is None
    r = client.post("/hall/desk/", {"do": "window_application", "ticket": t.pk, "item": item.item.code, **person})
    application = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/applications/{application.pk}/"
    assert application.channel == "window" and application.applicant_name == "柳窗口（演示）"
    assert client.get(r["Location"]).status_code == 200  # the clerk works on the application page
    for name in (line.name for line in item.materials.all() if line.required and not line.registry):
        upload = io.BytesIO(PDF)
        upload.name = "scan.pdf"
        assert client.post(r["Location"], {"upload": "1", "name": name, "file": upload}).status_code == 302
    done = client.post(r["Location"], {"submit": "1"})
    t.refresh_from_db()
    case = t.case
    case.refresh_from_db()
    assert done["Location"] == f"/cases/{case.number}/"
    assert case.state == "submitted" and case.visit_count == 1
    # Another window clerk may take it on too; a citizen who is not the applicant may not.
    client.force_login(w.clerk2)
    assert client.get(f"/applications/{application.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_window_application_is_only_for_an_item_of_the_area_and_the_ticket_being_served(item, w, citizen, client):
    from onetrip.cases.models import Application
    from onetrip.demo.people import resident_id

    t = serving(w)
    person = {"name": "柳窗口（演示）", "id_number": resident_id("43070319900505123"), "mobile": "13907369999"}
    with pytest.raises(ValidationError) as exc:  # the item is not one of this area's
        services.start_window_application(actor=w.clerk, ticket=t, item_code=item.item.code, **person)
    assert code_of(exc) == "invalid"
    w.a.items.add(item.item)
    with pytest.raises(ValidationError) as exc:
        services.start_window_application(actor=w.clerk2, ticket=t, item_code=item.item.code, **person)
    assert code_of(exc) == "not_yours"
    assert not Application.objects.exists()
    application = services.start_window_application(actor=w.clerk, ticket=t, item_code=item.item.code, **person)
    client.force_login(citizen)  # not the applicant: the window application is not theirs to see
    assert client.get(f"/applications/{application.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_clerk_finds_the_persons_account_and_the_application_is_theirs(item, w, citizen, client):
    """一窗受理 for someone with an account: found by ID number or mobile (each lookup on the trail,
    the ticket its purpose), their details come from the account and the case is in their list."""
    from onetrip.cases.models import Application

    w.a.items.add(item.item)
    t = serving(w)
    client.force_login(w.clerk)
    r = client.post("/hall/desk/", {"do": "find_person", "ticket": t.pk, "query": "12345"}, follow=True)
    assert "18-digit" in r.content.decode() or "18位" in r.content.decode()
    r = client.post("/hall/desk/", {"do": "find_person", "ticket": t.pk, "query": "13907369876"}, follow=True)
    assert r.status_code == 200 and TrailEntry.objects.filter(action="hall.person_lookup",
                                                              summary__found=None).count() == 1
    client.post("/hall/desk/", {"do": "find_person", "ticket": t.pk, "query": citizen.resident_id})
    entry = TrailEntry.objects.filter(action="hall.person_lookup").latest("id")
    assert entry.summary == {"ticket": t.number, "found": citizen.pk} and entry.actor_id == w.clerk.pk
    page = client.get("/hall/desk/").content.decode()
    assert citizen.real_name in page and citizen.resident_id not in page and citizen.mobile not in page  # masked
    r = client.post("/hall/desk/", {"do": "window_application", "ticket": t.pk, "item": item.item.code,
                                    "for_account": "1"})
    application = Application.objects.get()
    assert r["Location"] == f"/applications/{application.pk}/"
    assert (application.applicant, application.applicant_name, application.applicant_mobile) == (
        citizen, citizen.real_name, citizen.mobile)
    # another clerk's ticket: the lookup is refused and nothing is on the trail for it
    with pytest.raises(ValidationError) as exc:
        services.find_person(actor=w.clerk2, ticket=t, query=citizen.resident_id)
    assert code_of(exc) == "not_yours"
    assert TrailEntry.objects.filter(action="hall.person_lookup").count() == 2


@pytest.mark.django_db
def test_a_booked_persons_ticket_brings_their_account_and_item_to_the_desk(item, w, client):
    w.hall.open_all_hours = True
    w.hall.save()
    w.a.items.add(item.item)
    from onetrip.demo.people import resident_id

    person = make_user(Role.CITIZEN, mobile="13907369802", resident_id=resident_id("43070319920303456"))
    today = rules.local(timezone_now()).date()
    slot = Slot.objects.create(area=w.a, day=today, start=dt.time(9), end=dt.time(9, 30), capacity=2, booked=1)
    a = Appointment.objects.create(code="DESK2345", citizen=person, slot=slot, day=today, item=item.item,
                                   created_at=timezone_now())
    t = services.check_in(actor=w.clerk, code=a.code)
    sit(w)
    assert services.call_next(actor=w.clerk) == t
    services.act(actor=w.clerk, ticket=t, action="start")
    client.force_login(w.clerk)
    page = client.get("/hall/desk/").content.decode()
    assert person.real_name in page and f'value="{item.item.code}" selected' in page
    r = client.post("/hall/desk/", {"do": "window_application", "ticket": t.pk, "item": item.item.code,
                                    "for_account": "1"}, follow=True)
    t.refresh_from_db()
    assert t.case is not None, r.content.decode()[-3000:]
    assert t.case.application.applicant == person
