"""网上诉求: anyone writes to the 12345 line on the web; a signed-in citizen is the caller; an
anonymous report gets its query code once; bad input is refused with nothing written; an
address that sends too many is stopped."""

from __future__ import annotations

import pytest
from django.test import Client

from onetrip.hotline.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_visitor_sends_a_complaint_and_it_waits_for_dispatch(client):
    assert client.get("/hotline/new/").status_code == 200
    response = client.post("/hotline/new/", {"kind": "complaint", "text": "小区门口垃圾三天没人收",
                                             "caller_name": "钱网友（演示）", "caller_mobile": "13907360066",
                                             "location": "武陵镇"})
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.state, ticket.kind, ticket.caller_mobile, ticket.location) == (
        "web", "registered", "complaint", "13907360066", "武陵镇")
    assert ticket.number in response.content.decode() and ticket.deadline is not None


def test_a_signed_in_citizen_is_the_caller(citizen):
    c = Client()
    c.force_login(citizen)
    assert c.post("/hotline/new/", {"kind": "help", "text": "路灯坏了"}).status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.caller_id, ticket.caller_name, ticket.caller_mobile) == (citizen.pk, citizen.real_name,
                                                                            citizen.mobile)


def test_an_anonymous_report_shows_its_query_code_once(client):
    response = client.post("/hotline/new/", {"kind": "report", "text": "某作坊无证生产食品", "anonymous": "on"})
    ticket = Ticket.objects.get()
    page = response.content.decode()
    code = page.split('class="query-code"><strong>')[1].split("<")[0].replace(" ", "")
    assert Ticket.hash_code(code) == ticket.query_code_hash and ticket.anonymous and not ticket.caller_mobile
    found = client.post("/hotline/follow/", {"code": code})
    assert found.status_code == 200 and ticket.number in found.content.decode()


def test_bad_input_is_refused_with_nothing_written(client):
    for data in ({"kind": "complaint", "text": "", "caller_mobile": "13907360066"},
                 {"kind": "parking", "text": "x", "caller_mobile": "13907360066"},
                 {"kind": "complaint", "text": "x"},  # nobody to answer
                 {"kind": "complaint", "text": "x", "anonymous": "on"},  # only reports are anonymous
                 {"kind": "complaint", "text": "x", "caller_mobile": "12345"}):
        response = client.post("/hotline/new/", data)
        assert response.status_code == 400, data
        assert 'class="error-box' in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_address_that_sends_too_many_is_stopped(client, settings):
    settings.HOTLINE_WEB_REQUESTS_PER_HOUR = 2
    data = {"kind": "suggestion", "text": "建议增加自助机", "caller_mobile": "13907360066"}
    assert [client.post("/hotline/new/", data).status_code for _ in range(3)] == [201, 201, 429]
    assert Ticket.objects.count() == 2
