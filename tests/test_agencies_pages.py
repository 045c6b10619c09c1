"""The marketplace's public pages: the listing by service type, and a purchase's record with the
draw's seed hash before the deadline and the seed and candidates after it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onetrip.agencies import services

from .agency_fixtures import build_market, post

pytestmark = pytest.mark.django_db


def test_the_listing_shows_qualifications_fees_and_credit(client, catalog_admin):
    m = build_market(catalog_admin, n=2)
    page = client.get("/agencies/", {"type": m.st.code}).content.decode()
    a, _o = m.agencies[0]
    assert a.name in page and a.uscc in page and "HP-" in page and "下浮20%" in page
    assert "Level B (80 points)" in page


def test_a_purchase_page_shows_the_commitment_then_the_seed_and_candidates(client, catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    page = client.get(f"/agencies/p/{p.number}/").content.decode()
    assert p.seed_hash in page and "Revealed after the sign-up deadline" in page
    for a, o in m.agencies:
        services.sign_up(actor=o, purchase=p, agency=a)
    with time_machine.travel(p.signup_deadline + dt.timedelta(minutes=1), tick=False):
        p = services.select(actor=None, purchase=p)
    page = client.get(f"/agencies/p/{p.number}/").content.decode()
    assert p.seed in page and all(c in page for c in p.candidates) and p.winner.name in page


def test_a_draft_purchase_is_not_public(client, catalog_admin):
    m = build_market(catalog_admin, n=1)
    p = post(m, publish=False)
    assert client.get(f"/agencies/p/{p.number}/").status_code == 404
    client.force_login(m.owner)
    assert client.get(f"/agencies/p/{p.number}/").status_code == 200


def test_the_admin_reviews_on_the_workbench(client, catalog_admin):
    from onetrip.agencies.models import AgencyState

    from .agency_fixtures import make_agency

    m = build_market(catalog_admin, n=1)
    a, owner = make_agency(catalog_admin, m.st, publish=False)
    services.submit_agency(actor=owner, agency=a)
    client.force_login(owner)
    assert client.get("/staff/agencies/").status_code == 403
    client.force_login(catalog_admin)
    page = client.get("/staff/agencies/").content.decode()
    assert a.name in page and a.registry_name in page
    r = client.post("/staff/agencies/", {"agency": a.pk, "decision": "send_back", "reasons": ""})
    assert r.status_code == 400 and "error-summary" in r.content.decode()
    a.refresh_from_db()
    assert a.state == AgencyState.SUBMITTED
    r = client.post("/staff/agencies/", {"agency": a.pk, "decision": "publish"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.state == AgencyState.PUBLISHED
    r = client.post("/staff/agencies/", {"agency": a.pk, "decision": "violation", "kind": "abandoned",
                                         "penalty": "blacklisted", "until": "2099-01-01", "reasons": "中途放弃"})
    assert r.status_code == 400  # more than three years ahead
    until = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    r = client.post("/staff/agencies/", {"agency": a.pk, "decision": "violation", "kind": "abandoned",
                                         "penalty": "blacklisted", "until": until, "reasons": "中途放弃"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.state == AgencyState.BLACKLISTED and str(a.state_until) == until
