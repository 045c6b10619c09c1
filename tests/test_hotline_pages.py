"""The hotline's pages: the operator registers a call at the desk and dispatches it from the
ticket's page; the department acknowledges and replies from its own list; a refused action comes
back as an error summary with nothing written; the department never sees an anonymous reporter."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onetrip.cases import services as cases
from onetrip.hotline import services
from onetrip.hotline.models import Ticket, TicketState

from .conftest import apply, at
from .hotline_fixtures import build_centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department):
    return build_centre(department)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_call_taken_at_the_desk_dispatched_acknowledged_and_replied(c):
    op, officer = logged_in(c.operator), logged_in(c.officer)
    with at("2025-06-10"):
        page = op.get("/hotline/")
        assert page.status_code == 200 and 'name="caller_mobile"' in page.content.decode()
        r = op.post("/hotline/", {"kind": "complaint", "channel": "phone", "caller_name": "李秀英",
                                  "caller_mobile": "13907361234", "text": "烧烤摊油烟扰民", "location": "武陵大道"})
        assert r.status_code == 302
        t = Ticket.objects.get()
        assert r["Location"] == f"/hotline/t/{t.number}/"
        page = op.get(r["Location"]).content.decode()
        assert "李秀英" in page and "13907361234" in page and 'value="dispatch"' in page
        r = op.post(f"/hotline/t/{t.number}/", {"do": "dispatch", "department": c.department.pk})
        assert r.status_code == 302
        inbox = officer.get("/staff/hotline/").content.decode()
        assert t.number in inbox
        page = officer.get(f"/hotline/t/{t.number}/").content.decode()
        assert "李**" in page and "139****1234" in page and "13907361234" not in page and "李秀英" not in page
        assert officer.post(f"/hotline/t/{t.number}/", {"do": "acknowledge"}).status_code == 302
        assert officer.post(f"/hotline/t/{t.number}/", {"do": "reply", "answer": "已整改"}).status_code == 302
    t.refresh_from_db()
    assert (t.state, t.answer) == (TicketState.REPLIED, "已整改")


def test_bad_input_comes_back_as_an_error_summary_and_nothing_is_written(c):
    op = logged_in(c.operator)
    with at("2025-06-10"):
        r = op.post("/hotline/", {"kind": "complaint", "channel": "phone", "text": ""})
        assert r.status_code == 400
        html = r.content.decode()
        assert "error-summary" in html and 'href="#n-text"' in html and 'id="n-text"' in html
        assert not Ticket.objects.exists()
        op.post("/hotline/", {"kind": "complaint", "channel": "phone", "caller_mobile": "13907361234", "text": "噪音"})
        t = Ticket.objects.get()
        r = op.post(f"/hotline/t/{t.number}/", {"do": "dispatch", "department": ""})
        assert r.status_code == 400 and 'href="#dispatch-department"' in r.content.decode()
        r = op.post(f"/hotline/t/{t.number}/", {"do": "reply", "answer": "越权答复"})
        assert r.status_code == 400
    t.refresh_from_db()
    assert (t.state, t.answer, t.events.count()) == (TicketState.REGISTERED, "", 1)


def test_an_anonymous_report_shows_its_code_once_and_never_the_reporter_to_the_department(c):
    op, officer = logged_in(c.operator), logged_in(c.officer)
    with at("2025-06-10"):
        r = op.post("/hotline/", {"kind": "report", "channel": "phone", "anonymous": "on",
                                  "caller_mobile": "13907365555", "text": "加油站夜间偷排废油"}, follow=True)
        html = r.content.decode()
        code = re.search(r"([2-9A-Z]{4} [2-9A-Z]{4} [2-9A-Z]{4})", html)
        assert code is not None
        t = Ticket.objects.get()
        assert code.group(1) not in op.get(f"/hotline/t/{t.number}/").content.decode()  # shown once
        op.post(f"/hotline/t/{t.number}/", {"do": "dispatch", "department": c.department.pk})
        page = officer.get(f"/hotline/t/{t.number}/").content.decode()
    assert "13907365555" not in page and "139****5555" not in page
    assert "匿名举报人" in page or "Anonymous reporter" in page


def test_another_department_and_other_roles_do_not_see_the_ticket(c):
    with at("2025-06-10"):
        logged_in(c.operator).post("/hotline/", {"kind": "help", "channel": "phone", "caller_mobile": "13907361234",
                                                 "text": "求助"})
    t = Ticket.objects.get()
    assert logged_in(c.other_officer).get(f"/hotline/t/{t.number}/").status_code == 404
    assert logged_in(c.supervisor).get(f"/hotline/t/{t.number}/").status_code == 200
    assert logged_in(c.officer).get("/hotline/").status_code == 403
    assert Client().get("/hotline/").status_code == 302


def test_a_complaint_about_a_case_shows_on_the_case_page(c, citizen, item, staff):
    case = cases.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    t = services.register_ticket(actor=c.operator, kind="complaint", channel="phone", text="受理后一直没有进展",
                                 caller_mobile="13907361234", case=case).ticket
    services.dispatch(actor=c.operator, ticket=t, department=case.department)
    page = logged_in(staff.officer).get(f"/cases/{case.number}/").content.decode()
    assert t.number in page and "受理后一直没有进展" in page and "13907361234" not in page


def test_a_citizen_follows_a_ticket_by_number_and_mobile_or_a_report_by_its_code(c, settings):
    settings.PROGRESS_LOOKUPS_PER_HOUR = 3
    with at("2025-06-10"):
        t = services.dispatch(actor=c.operator, ticket=services.register_ticket(
            actor=c.operator, kind="complaint", channel="phone", text="油烟扰民", caller_name="李秀英",
            caller_mobile="13907361234").ticket, department=c.department)
        reg = services.register_ticket(actor=c.operator, kind="report", channel="phone", text="偷排废油",
                                       anonymous=True)
    visitor = Client()
    page = visitor.post("/hotline/follow/", {"number": t.number, "mobile": "13907361234"})
    html = page.content.decode()
    assert page.status_code == 200 and t.number in html and c.department.name in html
    assert "李秀英" not in html and c.operator.real_name not in html  # nobody's name
    assert visitor.post("/hotline/follow/", {"number": t.number, "mobile": "13907360000"}).status_code == 404
    page = visitor.post("/hotline/follow/", {"code": reg.query_code.lower()})
    assert page.status_code == 200 and reg.ticket.number in page.content.decode()
    assert visitor.post("/hotline/follow/", {"code": "x"}).status_code == 429  # the fourth look-up this hour
    assert visitor.get("/hotline/follow/").status_code == 200
