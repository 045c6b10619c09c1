"""The marketplace over the API: a purchase posted and published, three agencies signing up, the
draw made after the deadline and recomputed from the public record; sealed bids refused to be
read early; the rating moving the credit."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.utils import timezone

from onetrip.accounts import services as accounts
from onetrip.agencies import services

from .agency_fixtures import build_market

pytestmark = pytest.mark.django_db


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_api_token(user=user, name='test')}"}


def purchase_body(st, **extra):
    return {"owner_name": "鼎城区示例建设有限公司", "project": "桥南农贸市场改造", "service_type": st.code,
            "price_ceiling": "200000.00", "service_workdays": 10, "method": "random",
            "signup_deadline": (timezone.now() + dt.timedelta(hours=1)).isoformat(), "contact_name": "吴业主",
            "contact_phone": "13907365555", "publish": True, **extra}


def test_a_random_draw_end_to_end_and_recomputed_from_the_public_record(client, catalog_admin):
    m = build_market(catalog_admin, n=3)
    r = client.post("/api/v1/agencies/purchases", purchase_body(m.st), content_type="application/json",
                    **auth(m.owner))
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["state"] == "published" and len(p["draw"]["seed_hash"]) == 64 and p["draw"]["seed"] == ""
    for a, o in m.agencies:
        r = client.post(f"/api/v1/agencies/purchases/{p['number']}/sign-ups", {"agency": a.pk},
                        content_type="application/json", **auth(o))
        assert r.status_code == 201, r.content
    stranger = m.agencies[0][1]
    r = client.post(f"/api/v1/agencies/purchases/{p['number']}/sign-ups", {"agency": m.agencies[1][0].pk},
                    content_type="application/json", **auth(stranger))
    assert r.status_code == 403
    r = client.post(f"/api/v1/agencies/purchases/{p['number']}/actions", {"action": "select"},
                    content_type="application/json", **auth(m.owner))
    assert r.status_code == 409 and r.json()["code"] == "too_early"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        r = client.post(f"/api/v1/agencies/purchases/{p['number']}/actions", {"action": "select"},
                        content_type="application/json", **auth(m.agencies[2][1]))
        assert r.status_code == 200, r.content
        r = client.post(f"/api/v1/agencies/purchases/{p['number']}/sign-ups", {"agency": m.agencies[0][0].pk},
                        content_type="application/json", **auth(m.agencies[0][1]))
        assert r.status_code == 409
    public = client.get(f"/api/v1/agencies/purchases/{p['number']}").json()
    d = public["draw"]
    assert hashlib.sha256(d["seed"].encode()).hexdigest() == d["seed_hash"]
    order = sorted(sorted(d["candidates"]), key=lambda c: (hashlib.sha256(f"{d['seed']}:{c}".encode()).hexdigest(), c))
    assert order == d["ranking"] and d["winner"] == order[0] and public["state"] == "selected"


def test_sealed_bids_over_the_api(client, catalog_admin):
    m = build_market(catalog_admin, n=3)
    r = client.post("/api/v1/agencies/purchases", purchase_body(m.st, method="price"),
                    content_type="application/json", **auth(m.owner))
    number = r.json()["number"]
    a, o = m.agencies[0]
    client.post(f"/api/v1/agencies/purchases/{number}/sign-ups", {"agency": a.pk}, content_type="application/json",
                **auth(o))
    r = client.post(f"/api/v1/agencies/purchases/{number}/bids", {"agency": a.pk, "price": "88000.00"},
                    content_type="application/json", **auth(o))
    assert r.status_code == 201 and r.json()["sealed"] is True
    body = client.get(f"/api/v1/agencies/purchases/{number}", **auth(catalog_admin)).json()
    assert body["bids"] == [] and "88000" not in str(body)


def test_listing_and_service_types_are_public(client, catalog_admin):
    m = build_market(catalog_admin, n=2)
    types = client.get("/api/v1/agencies/service-types").json()
    assert [t["code"] for t in types] == ["HPBG"]
    rows = client.get("/api/v1/agencies", {"service_type": "HPBG"}).json()
    assert len(rows) == 2 and all(r["credit_level"] == "B" and r["eligible"] for r in rows)
    assert client.get("/api/v1/agencies", {"service_type": "NONE"}).json() == []
    a, o = m.agencies[0]
    services.decide_violation(actor=catalog_admin, agency=a, kind="abandoned", penalty="blacklisted",
                              until=timezone.localdate() + dt.timedelta(days=365), reasons="中途放弃")
    rows = client.get("/api/v1/agencies", {"service_type": "HPBG"}).json()
    assert rows[-1]["uscc"] == a.uscc and rows[-1]["eligible"] is False and rows[-1]["state"] == "blacklisted"


def test_registering_and_reviewing_an_agency(client, catalog_admin):
    m = build_market(catalog_admin, n=0)
    r = client.post("/api/v1/agencies", {"name": "某测绘公司", "uscc": "91430703MA4L0000XX", "contact_name": "周",
                                         "contact_phone": "13907361000"}, content_type="application/json",
                    **auth(m.owner))
    assert r.status_code == 400 and "uscc" in r.json()["errors"]
    r = client.post("/api/v1/agencies/1/review", {"decision": "publish"}, content_type="application/json",
                    **auth(m.owner))
    assert r.status_code == 403
