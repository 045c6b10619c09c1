"""好差评 pages: the online rating page of an invitation link (phone first), the rating panel of
the case page, the window's rating pad and its enrolment, the rectification workbench, the
supervisor's void requests and the public page (anonymised)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from onetrip.accounts.models import Role
from onetrip.core.models import TrailEntry
from onetrip.ratings import selectors, services
from onetrip.ratings.models import Rating, Rectification, VoidRequest

from .conftest import make_user
from .ratings_fixtures import closed_case, token_of

pytestmark = pytest.mark.django_db


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_the_invitation_page_rates_once_and_says_so(client, citizen, item, staff):
    case = closed_case(citizen, staff)
    url = f"/ratings/r/{token_of(case)}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert case.version.name in html and 'name="level"' in html and case.number not in html
    assert citizen.real_name not in html and citizen.mobile not in html
    bad = client.post(url, {"level": "9"})
    assert bad.status_code == 400 and "error-summary" in bad.content.decode()
    done = client.post(url, {"level": "2", "aspect_efficiency": "1", "comment": "排队太久"})
    assert done.status_code == 200 and Rating.objects.get(case=case).level == 2
    again = client.get(url).content.decode()
    assert 'name="level"' not in again
    assert client.get("/ratings/r/" + "A" * 32 + "/").status_code == 404


def test_an_expired_link_shows_the_default_rule_and_takes_nothing(client, citizen, item, staff):
    case = closed_case(citizen, staff)
    url = f"/ratings/r/{token_of(case)}/"
    with time_machine.travel(timezone.now() + dt.timedelta(days=16)):
        page = client.get(url).content.decode()
        assert 'name="level"' not in page
        client.post(url, {"level": "1"})
    assert not Rating.objects.exists()


def test_the_case_page_has_a_rating_panel_after_the_result(citizen, item, staff):
    case = closed_case(citizen, staff)
    c = _client(citizen)
    html = c.get(f"/cases/{case.number}/").content.decode()
    assert 'id="rating-h"' in html and f"/cases/{case.number}/rating/" in html
    r = c.post(f"/cases/{case.number}/rating/", {"level": "5"})
    assert r.status_code == 302 and Rating.objects.get(case=case).level == 5
    html = c.get(f"/cases/{case.number}/").content.decode()
    assert 'id="rating-h"' in html and 'name="level"' not in html
    # staff see no rating form on the case
    assert _client(staff.clerk).post(f"/cases/{case.number}/rating/", {"level": "1"}).status_code == 302
    assert Rating.objects.count() == 1


def test_the_pad_enrolled_by_the_clerk_shows_the_service_just_given_and_takes_a_tap(district):
    from onetrip.hall import services as hall

    from .hall_fixtures import build_hall

    w = build_hall(district, open_all_hours=True)
    tablet = Client()
    assert tablet.get("/ratings/pad/").status_code == 403
    tablet.force_login(w.clerk)
    assert tablet.post("/ratings/pad/enrol/").status_code == 200  # not at a window yet: nothing enrolled
    hall.sign_in_window(actor=w.clerk, window=w.windows[0])
    r = tablet.post("/ratings/pad/enrol/")
    assert r.status_code == 302 and selectors.PAD_COOKIE in r.cookies and r.cookies[selectors.PAD_COOKIE]["httponly"]
    tablet.logout()  # the tablet keeps only its pad key
    tablet.cookies[selectors.PAD_COOKIE] = r.cookies[selectors.PAD_COOKIE].value
    ticket = hall.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    hall.call_next(actor=w.clerk)
    hall.act(actor=w.clerk, ticket=ticket, action="start")
    hall.act(actor=w.clerk, ticket=ticket, action="finish")
    html = tablet.get("/ratings/pad/").content.decode()
    assert ticket.number in html and w.clerk.real_name in html and f'value="ticket:{ticket.pk}"' in html
    tap = tablet.post("/ratings/pad/", {"subject": f"ticket:{ticket.pk}", "level": "1", "aspect_attitude": "1"})
    assert tap.status_code == 302
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.level, rating.aspects, rating.window_id) == (1, {"attitude": 1}, w.windows[0].pk)
    assert Rectification.objects.filter(rating=rating).exists()
    assert f'value="ticket:{ticket.pk}"' not in tablet.get("/ratings/pad/").content.decode()


def test_the_workbench_return_visit_close_and_void_request_pages(citizen, item, staff):
    case = closed_case(citizen, staff)
    services.rate_case(actor=citizen, case=case, level=1, comment="态度差")
    rect = Rectification.objects.get()
    officer = _client(staff.officer)
    listing = officer.get("/staff/rectifications/").content.decode()
    assert f"/staff/rectifications/{rect.pk}/" in listing and "light-" in listing
    page = officer.get(f"/staff/rectifications/{rect.pk}/").content.decode()
    assert citizen.mobile in page and "态度差" in page  # the department calls the citizen back
    assert TrailEntry.objects.filter(action="personal_data.view", actor=staff.officer).exists()
    assert 'value="close"' not in page  # the return visit first
    officer.post(f"/staff/rectifications/{rect.pk}/", {"do": "visit", "answer": "satisfied", "note": "已致歉"})
    assert 'value="close"' in officer.get(f"/staff/rectifications/{rect.pk}/").content.decode()
    officer.post(f"/staff/rectifications/{rect.pk}/", {"do": "close", "measures": "窗口培训"})
    rect.refresh_from_db()
    assert rect.state == "closed"
    supervisor = _client(make_user(Role.SUPERVISOR))
    seen = supervisor.get(f"/staff/rectifications/{rect.pk}/").content.decode()
    assert citizen.mobile not in seen  # masked for the supervisor


def test_the_supervisor_decides_void_requests_on_their_page(citizen, item, staff):
    case = closed_case(citizen, staff)
    rating = services.rate_case(actor=citizen, case=case, level=1)
    rect = Rectification.objects.get()
    _client(staff.head).post(f"/staff/rectifications/{rect.pk}/", {"do": "void", "reasons": "与本案无关，疑为恶意差评"})
    req = VoidRequest.objects.get()
    sup = make_user(Role.SUPERVISOR)
    page = _client(sup).get("/staff/ratings/void-requests/").content.decode()
    assert "与本案无关" in page and f"/staff/ratings/void-requests/{req.pk}/decide/" in page
    admin = _client(make_user(Role.SYSTEM_ADMIN))
    admin.post(f"/staff/ratings/void-requests/{req.pk}/decide/", {"decision": "grant", "note": "x"})
    req.refresh_from_db()
    assert req.state == "pending"  # a system admin watches but does not decide
    _client(sup).post(f"/staff/ratings/void-requests/{req.pk}/decide/", {"decision": "grant", "note": "核实"})
    rating.refresh_from_db()
    assert rating.voided


def test_the_public_page_shows_counts_and_rectifications_without_personal_data(client, citizen, item, staff):
    case = closed_case(citizen, staff)
    services.rate_case(actor=citizen, case=case, level=1, comment=f"我是{citizen.real_name}，电话{citizen.mobile}")
    rect = Rectification.objects.get()
    services.record_return_visit(actor=staff.officer, rectification=rect, answer="satisfied")
    services.close_rectification(actor=staff.officer, rectification=rect,
                                 measures=f"已回访{citizen.real_name}（{citizen.mobile}），办件{case.number}，窗口培训")
    good = closed_case(citizen, staff, key="good")
    services.rate_case(actor=citizen, case=good, level=5)
    html = client.get("/ratings/").content.decode()
    assert case.department.name in html and "50.0 %" in html and "窗口培训" in html
    for secret in (citizen.real_name, citizen.mobile, case.number, good.number, citizen.resident_id, "电话"):
        assert secret not in html, secret
    api = client.get("/api/v1/ratings/summary").json()
    assert api == [{"department": case.department.name, "counts": {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1},
                    "defaults": 0, "total": 2, "satisfaction": 0.5, "rectified": 1}]


def test_the_demo_district_has_ratings_and_an_open_rectification(client):
    from django.core.management import call_command

    from onetrip.accounts.models import User
    from onetrip.demo.history import HISTORY_NAME

    call_command("demo", stdout=None)
    demo_ratings = Rating.objects.exclude(case__application__applicant_name=HISTORY_NAME)
    assert sorted(demo_ratings.values_list("level", flat=True)) == [1, 4, 5]
    assert Rating.objects.filter(case__application__applicant_name=HISTORY_NAME).count() > 100  # the history
    rect = Rectification.objects.get()
    assert rect.state == "open" and rect.deadline is not None
    officer = _client(User.objects.get(username="scjg.officer"))
    assert f"/staff/rectifications/{rect.pk}/" in officer.get("/staff/rectifications/").content.decode()
    assert client.get("/ratings/").status_code == 200
