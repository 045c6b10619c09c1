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
    assert "B级（80分）" in page  # Level B (80 points)


def test_a_purchase_page_shows_the_commitment_then_the_seed_and_candidates(client, catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    page = client.get(f"/agencies/p/{p.number}/").content.decode()
    assert p.seed_hash in page and "报名截止后公布" in page  # revealed after the deadline
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


def test_an_agency_and_an_owner_work_through_their_page(client, catalog_admin):
    import io

    from onetrip.accounts.models import Role
    from onetrip.agencies.models import Agency, AgencyState, Purchase, PurchaseState

    from .agency_fixtures import agency_uscc, in_registry
    from .conftest import PDF, make_user

    m = build_market(catalog_admin, n=2)
    rep = make_user(Role.COMPANY_REP)
    code = agency_uscc(950)
    in_registry(code, "鼎城区页面测试咨询有限公司（演示）")
    client.force_login(rep)
    assert client.get("/agencies/mine/").status_code == 200
    r = client.post("/agencies/mine/", {"op": "register", "name": "页面测试咨询", "uscc": code[:-1] + "0"
                                        if code[-1] != "0" else code[:-1] + "1", "contact_name": "周",
                                        "contact_phone": "13907364444"})
    assert r.status_code == 400 and 'href="#register-uscc"' in r.content.decode()
    assert client.post("/agencies/mine/", {"op": "register", "name": "页面测试咨询", "uscc": code, "contact_name": "周",
                                           "contact_phone": "13907364444"}).status_code == 302
    a = Agency.objects.get(uscc=code)
    f = io.BytesIO(PDF)
    f.name = "资质.pdf"
    assert client.post("/agencies/mine/", {"op": "qualification", "agency": a.pk, "service_type": m.st.code,
                                           "name": "环评资质", "level": "甲级", "certificate_no": "P-1",
                                           "issued_by": "省厅", "valid_from": "2024-01-01", "valid_to": "2099-01-01",
                                           "file": f}).status_code == 302
    for data in ({"op": "offer", "service_type": m.st.code, "fee_standard": "按标准收费"}, {"op": "commit"},
                 {"op": "submit"}):
        assert client.post("/agencies/mine/", {**data, "agency": a.pk}).status_code == 302, data
    a.refresh_from_db()
    assert a.state == AgencyState.SUBMITTED and a.qualifications.get().sha256
    services.review_agency(actor=catalog_admin, agency=a, publish=True)
    # the owner posts and publishes a random draw
    client.force_login(m.owner)
    deadline = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post("/agencies/mine/", {
        "op": "post", "owner_name": "示例建设公司", "project": "页面项目", "service_type": m.st.code,
        "price_ceiling": "100000", "service_workdays": "10", "method": "random", "signup_deadline": deadline,
        "contact_name": "吴", "contact_phone": "13907365555"}).status_code == 302
    p = Purchase.objects.get(project="页面项目")
    assert client.post("/agencies/mine/", {"op": "publish", "number": p.number}).status_code == 302
    r = client.post("/agencies/mine/", {"op": "select", "number": p.number})
    assert r.status_code == 400  # too early: the error is shown, nothing written
    p.refresh_from_db()
    assert p.state == PurchaseState.PUBLISHED and p.seed_hash
    # the new agency sees it and signs up; another agency's id is refused
    client.force_login(rep)
    assert p.number in client.get("/agencies/mine/").content.decode()
    assert client.post("/agencies/mine/", {"op": "sign_up", "agency": m.agencies[0][0].pk,
                                           "number": p.number}).status_code == 400
    assert client.post("/agencies/mine/", {"op": "sign_up", "agency": a.pk, "number": p.number}).status_code == 302
    assert p.signups.get().agency == a


def test_the_admin_answers_an_objection_on_the_workbench(client, catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    for a, o in m.agencies:
        services.sign_up(actor=o, purchase=p, agency=a)
    with time_machine.travel(p.signup_deadline + dt.timedelta(minutes=1), tick=False):
        p = services.select(actor=None, purchase=p)
        loser = next(o for a, o in m.agencies if a != p.winner)
        objection = services.raise_objection(actor=loser, purchase=p, text="评审不公")
    client.force_login(catalog_admin)
    assert "评审不公" in client.get("/staff/agencies/").content.decode()
    assert client.post("/staff/agencies/", {"decision": "answer", "objection": objection.pk,
                                            "answer": ""}).status_code == 400
    assert client.post("/staff/agencies/", {"decision": "answer", "objection": objection.pk,
                                            "answer": "经复核，抽取过程合规"}).status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "经复核，抽取过程合规" and objection.answered_at


def test_the_owner_records_merit_scores_on_the_page(client, catalog_admin):
    m = build_market(catalog_admin, n=1)
    p = post(m, method="merit", criteria=[{"name": "技术方案", "weight": 70}, {"name": "业绩", "weight": 30}])
    a, o = m.agencies[0]
    services.sign_up(actor=o, purchase=p, agency=a)
    client.force_login(m.owner)
    with time_machine.travel(p.signup_deadline + dt.timedelta(minutes=1), tick=False):
        r = client.post("/agencies/mine/", {"op": "score", "number": p.number, "uscc": a.uscc, "score-0": "90",
                                            "score-1": "101"})
        assert r.status_code == 400
        r = client.post("/agencies/mine/", {"op": "score", "number": p.number, "uscc": a.uscc, "score-0": "90",
                                            "score-1": "80"})
        assert r.status_code == 302
    assert sorted(p.scores.values_list("criterion", "score")) == [("业绩", 80), ("技术方案", 90)]
