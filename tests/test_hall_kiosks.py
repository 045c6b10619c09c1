"""Who takes a ticket (一人一号, 取号机): without signing in, only at one of the hall's enrolled
kiosks, each giving a limited number a minute; on a phone, a signed-in person, one open ticket per
area; at a kiosk, a booking is checked in with its code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from onetrip.accounts.models import Role
from onetrip.core.models import TrailEntry
from onetrip.hall import selectors, services
from onetrip.hall.models import Kiosk, Ticket, TicketChannel, TicketState

from .conftest import make_user
from .hall_fixtures import TUESDAY, HallWorld, build_hall, make_kiosk, moment


@pytest.fixture
def w(district: Any) -> HallWorld:
    return build_hall(district, open_all_hours=True)


def phone(w: HallWorld, person: Any, area: Any = None) -> Ticket:
    return services.take_ticket(actor=person, area=area or w.a, channel=TicketChannel.PHONE)


def refusal(call: Any) -> str | None:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code


# --- the rules ---------------------------------------------------------------------------------

def test_without_signing_in_a_ticket_comes_only_from_an_enrolled_kiosk(w):
    assert refusal(lambda: services.take_ticket(actor=None, area=w.a)) == "not_a_kiosk"
    assert refusal(lambda: services.take_ticket(actor=None, area=w.a, channel=TicketChannel.PHONE)) == "sign_in"
    t = services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    assert (t.channel, t.kiosk, t.holder) == (TicketChannel.KIOSK, w.kiosk, None)
    w.kiosk.active = False
    services.save_config(actor=make_user(Role.CATALOG_ADMIN), obj=w.kiosk, changed=["active"])
    assert refusal(lambda: services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)) == "not_a_kiosk"
    assert Ticket.objects.count() == 1


def test_a_person_holds_one_open_ticket_per_area(w, citizen):
    first = phone(w, citizen)
    assert first.holder == citizen and first.channel == TicketChannel.PHONE
    with pytest.raises(ValidationError) as exc:
        phone(w, citizen)
    assert exc.value.code == "duplicate" and first.number in exc.value.messages[0]
    assert phone(w, citizen, w.b).area == w.b  # another area: another queue
    services.sign_in_window(actor=w.clerk, window=w.windows[0])
    called = services.call_next(actor=w.clerk)
    assert called == first
    assert refusal(lambda: phone(w, citizen)) == "duplicate"  # called is still open
    services.act(actor=w.clerk, ticket=first, action="no_show")
    again = phone(w, citizen)  # a closed ticket frees the person to queue again
    assert again.number == "A002" and Ticket.objects.filter(holder=citizen, area=w.a).count() == 2


def test_a_kiosk_gives_a_limited_number_of_tickets_a_minute(w, settings):
    settings.HALL_KIOSK_TICKETS_PER_MINUTE = 3
    for _ in range(3):
        services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    assert refusal(lambda: services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)) == "throttled"
    other, _key = make_kiosk(w.hall, "入口右侧")
    assert services.take_ticket(actor=None, area=w.a, kiosk=other).number == "A004"  # no gap for the refusal
    assert Ticket.objects.count() == 4


def test_only_a_hall_manager_enrols_a_kiosk_and_only_the_key_hash_is_kept(w, citizen):
    assert refusal(lambda: services.enrol_kiosk(actor=w.clerk, hall=w.hall, name="门口")) == "forbidden"
    manager = make_user(Role.CATALOG_ADMIN)
    assert refusal(lambda: services.enrol_kiosk(actor=manager, hall=w.hall, name="  ")) == "invalid"
    kiosk, key = services.enrol_kiosk(actor=manager, hall=w.hall, name="门口")
    assert key not in kiosk.key_hash and selectors.kiosk_of(key) == kiosk and selectors.kiosk_of("nope") is None
    assert TrailEntry.objects.filter(action="hall.kiosk_enrolled", object_id=str(kiosk.pk)).exists()


def test_a_booking_is_checked_in_at_a_kiosk_with_its_code(w, settings):
    settings.HALL_KIOSK_CHECK_INS_PER_10_MINUTES = 3
    person = make_user(Role.CITIZEN, mobile="13907369801")
    wednesday = TUESDAY + dt.timedelta(days=1)
    a = services.book(actor=person, area=w.a, item=w.item, day=wednesday, start=dt.time(9),
                      now=moment(TUESDAY, 10))
    at = moment(wednesday, 8, 50)
    assert refusal(lambda: services.check_in(actor=None, code="WRONG234", kiosk=w.kiosk, now=at)) == "not_found"
    t = services.check_in(actor=None, code=a.code.lower(), kiosk=w.kiosk, now=at)
    assert (t.channel, t.priority, t.due_at, t.holder, t.kiosk) == (
        TicketChannel.APPOINTMENT, True, moment(wednesday, 9), person, w.kiosk)
    assert refusal(lambda: services.check_in(actor=None, code=a.code, kiosk=w.kiosk, now=at)) == "wrong_state"
    # the fourth code tried at this kiosk within ten minutes is not even looked at
    assert refusal(lambda: services.check_in(actor=None, code=a.code, kiosk=w.kiosk, now=at)) == "throttled"
    # without a kiosk, only a clerk checks people in
    assert refusal(lambda: services.check_in(actor=person, code=a.code, now=at)) == "forbidden"


# --- the pages and the API ---------------------------------------------------------------------

def test_the_kiosk_page_gives_tickets_only_on_an_enrolled_screen(client, w):
    page = client.get("/hall/kiosk/").content.decode()
    assert "not one of the hall's kiosks" in page or "不是" in page
    assert client.post("/hall/kiosk/", {"area": w.a.pk}).status_code == 200 and not Ticket.objects.exists()
    manager = make_user(Role.CATALOG_ADMIN)
    client.force_login(manager)
    response = client.post("/hall/kiosk/enrol/", {"name": "大厅入口"})
    assert response.status_code == 302 and response["Location"] == "/hall/kiosk/"
    cookie = response.cookies[selectors.KIOSK_COOKIE]
    assert cookie["httponly"] and Kiosk.objects.get(name="大厅入口").key_hash == Kiosk.hash_key(cookie.value)
    client.logout()  # (the test client drops every cookie here; a browser keeps the kiosk's)
    client.cookies[selectors.KIOSK_COOKIE] = cookie.value
    response = client.post("/hall/kiosk/", {"area": w.a.pk})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/hall/tickets/{ticket.token}/" and ticket.kiosk.name == "大厅入口"


def test_enrolling_a_kiosk_is_for_hall_managers(client, w, citizen):
    client.force_login(citizen)
    assert client.post("/hall/kiosk/enrol/", {"name": "x"}).status_code == 403
    assert not Kiosk.objects.filter(name="x").exists()


def test_the_phone_page_asks_to_sign_in_and_shows_the_ticket_held(client, w, citizen):
    page = client.get("/hall/").content.decode()
    assert "/accounts/login/?next=/hall/" in page and "disabled" in page
    client.post("/hall/", {"area": w.a.pk})
    assert not Ticket.objects.exists()
    client.force_login(citizen)
    response = client.post("/hall/", {"area": w.a.pk})
    ticket = Ticket.objects.get()
    assert ticket.holder == citizen and response["Location"] == f"/hall/tickets/{ticket.token}/"
    page = client.post("/hall/", {"area": w.a.pk}, follow=True).content.decode()
    assert Ticket.objects.count() == 1 and page.count(ticket.number) >= 2  # the refusal and the list name it


def test_the_api_takes_tickets_for_kiosks_and_signed_in_people(client, w, citizen):
    from onetrip.accounts import services as accounts

    assert client.post("/api/v1/hall/tickets", {"area": "business"}, content_type="application/json"
                       ).status_code == 401
    r = client.post("/api/v1/hall/tickets", {"area": "business"}, content_type="application/json",
                    HTTP_X_KIOSK_KEY=w.kiosk_key)
    assert r.status_code == 201 and Ticket.objects.get(token=r.json()["token"]).kiosk == w.kiosk
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_api_token(user=citizen, name='t')}"}
    r = client.post("/api/v1/hall/tickets", {"area": "business"}, content_type="application/json", **bearer)
    assert r.status_code == 201 and r.json()["number"] == "A002"
    r = client.post("/api/v1/hall/tickets", {"area": "business"}, content_type="application/json", **bearer)
    assert r.status_code == 409 and r.json()["code"] == "duplicate" and "A002" in r.json()["detail"]


def test_a_ticket_is_counted_on_the_day_the_kiosk_gave_it(w):
    with time_machine.travel(moment(TUESDAY, 10), tick=False):
        t = services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    assert t.day == TUESDAY and t.state == TicketState.WAITING


def test_taking_a_ticket_stays_within_its_query_budget(client, w, django_assert_max_num_queries):
    """Kiosk, area with its hall, the kiosk's count, the ticket, its trail entry (2), its number
    (one statement on PostgreSQL), and its place and wait (2); plus the test's savepoint pair."""
    from django.db import connection

    take = {"path": "/api/v1/hall/tickets", "data": {"area": "business"}, "content_type": "application/json",
            "HTTP_X_KIOSK_KEY": w.kiosk_key}
    client.post(**take)
    with django_assert_max_num_queries(11 if connection.vendor == "postgresql" else 15):
        assert client.post(**take).status_code == 201
