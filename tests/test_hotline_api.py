"""The hotline over the API: an operator registers a call and dispatches it, the department
acknowledges and replies through the same mover; a stale action is a 409, another department's
ticket a 404, and the caller is masked for the department."""

from __future__ import annotations

import pytest
from django.test import Client

from onetrip.hotline.models import Ticket

from .hotline_fixtures import build_centre

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict | None = None):
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json")


def test_a_complaint_through_the_api(department):
    c = build_centre(department)
    op, officer = api(c.operator), api(c.officer)
    r = post(op, "/hotline/tickets", {"kind": "complaint", "text": "烧烤摊油烟扰民", "caller_name": "李秀英",
                                      "caller_mobile": "13907361234"})
    assert r.status_code == 201, r.content
    number = r.json()["ticket"]["number"]
    assert r.json()["ticket"]["caller_mobile"] == "13907361234" and r.json()["query_code"] == ""
    r = post(op, f"/hotline/tickets/{number}/actions/dispatch", {"department": c.department.code})
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    listed = officer.get("/api/v1/hotline/tickets").json()
    assert [t["number"] for t in listed] == [number]
    assert (listed[0]["caller_name"], listed[0]["caller_mobile"]) == ("李**", "139****1234")
    assert listed[0]["actions"] == ["acknowledge", "return_ticket"]
    assert post(officer, f"/hotline/tickets/{number}/actions/reply", {"answer": "太早"}).status_code == 409
    assert post(officer, f"/hotline/tickets/{number}/actions/acknowledge").status_code == 200
    r = post(officer, f"/hotline/tickets/{number}/actions/reply", {"answer": ""})
    assert r.status_code == 400
    r = post(officer, f"/hotline/tickets/{number}/actions/reply", {"answer": "已责令整改。"})
    assert r.status_code == 200 and r.json()["state"] == "replied"
    assert [e["action"] for e in r.json()["history"]] == ["register", "dispatch", "acknowledge", "reply"]
    assert api(c.other_officer).get(f"/api/v1/hotline/tickets/{number}").status_code == 404
    assert post(api(c.supervisor), f"/hotline/tickets/{number}/actions/finish").status_code == 403
    assert Client().get("/api/v1/hotline/tickets").status_code == 401


def test_an_anonymous_report_gets_its_query_code_once_and_only_operators_register(department):
    c = build_centre(department)
    r = post(api(c.operator), "/hotline/tickets", {"kind": "report", "text": "偷排废油", "anonymous": True})
    assert r.status_code == 201 and len(r.json()["query_code"]) == 12
    assert "query_code" not in api(c.operator).get(f"/api/v1/hotline/tickets/{r.json()['ticket']['number']}").json()
    assert post(api(c.officer), "/hotline/tickets", {"kind": "help", "text": "求助",
                                                     "caller_mobile": "13907361234"}).status_code == 403
    assert Ticket.objects.count() == 1
