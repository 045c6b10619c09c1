"""The marketplace from an item's guide (a ``catalog.hooks`` guide panel: the intermediary services
the item needs, linking to the listing), kept fresh in the visitors' page cache; the listing's
query count, fixed whatever the number of agencies; and one agency over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from onetrip.agencies import rules, selectors, services
from onetrip.agencies.models import AgencyRating, Purchase, Violation
from onetrip.catalog import hooks

from .agency_fixtures import build_market, make_agency, post
from .conftest import make_item

pytestmark = pytest.mark.django_db


# --- the guide panel --------------------------------------------------------------------------------


def test_the_guide_lists_the_intermediary_services_with_links_to_the_listing(client, catalog_admin, department):
    v = make_item(catalog_admin, department, code="ZJ-1")
    other = make_item(catalog_admin, department, code="ZJ-2")
    build_market(catalog_admin, n=1, item=v)
    page = client.get("/items/ZJ-1/").content.decode()
    assert "环境影响评价报告编制" in page and 'href="/agencies/?type=HPBG"' in page
    assert "环境影响评价报告编制" in client.get("/items/ZJ-1/print/").content.decode()
    assert "环境影响评价报告编制" not in client.get("/items/ZJ-2/").content.decode()  # needs none: no panel
    assert client.get("/agencies/?type=HPBG").status_code == 200
    assert other.item.code == "ZJ-2"


def test_the_cached_guide_follows_the_service_types(client, catalog_admin, department):
    cache.clear()
    v = make_item(catalog_admin, department, code="ZJ-3")
    first = client.get("/items/ZJ-3/")
    assert "X-Page-Cache" not in first and "环境影响评价报告编制" not in first.content.decode()
    assert client.get("/items/ZJ-3/")["X-Page-Cache"] == "hit"
    m = build_market(catalog_admin, n=0, item=v)  # a service type now linked to the item: no publication
    fresh = client.get("/items/ZJ-3/")
    assert "X-Page-Cache" not in fresh and "环境影响评价报告编制" in fresh.content.decode()
    assert client.get("/items/ZJ-3/")["X-Page-Cache"] == "hit"
    services.save_service_type(actor=catalog_admin, code=m.st.code, name="环境影响评价（报告表）编制", items=[v.item])
    renamed = client.get("/items/ZJ-3/").content.decode()
    assert "环境影响评价（报告表）编制" in renamed
    services.save_service_type(actor=catalog_admin, code=m.st.code, name="环境影响评价（报告表）编制", items=[])
    assert "环境影响评价（报告表）编制" not in client.get("/items/ZJ-3/").content.decode()


def test_the_guide_s_queries_do_not_grow_with_the_intermediary_services(client, catalog_admin, department,
                                                                          django_assert_num_queries):
    v1 = make_item(catalog_admin, department, code="ZJ-4")
    v2 = make_item(catalog_admin, department, code="ZJ-5")
    services.save_service_type(actor=catalog_admin, code="A1", name="测绘", items=[v1.item, v2.item])
    for n in range(4):
        services.save_service_type(actor=catalog_admin, code=f"B{n}", name=f"评估{n}", items=[v2.item])
    cache.clear()
    client.get("/items/ZJ-4/")  # a visitor fills the cache…
    with django_assert_num_queries(2):  # … then a hit costs the stamp: publications, service types
        assert client.get("/items/ZJ-4/")["X-Page-Cache"] == "hit"
    client.force_login(catalog_admin)  # a fresh page, not the visitors' cache
    client.get("/items/ZJ-4/")  # warm caches (content types, sessions)
    with django_assert_num_queries(10) as one:  # session, user, 7 for the guide, 1 for the panel
        page = client.get("/items/ZJ-4/").content.decode()
    assert page.count("/agencies/?type=") == 1
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/items/ZJ-5/").content.decode()
    assert page.count("/agencies/?type=") == 5


def test_a_guide_panel_registry_in_the_catalogue(catalog_admin, department):
    v = make_item(catalog_admin, department, code="ZJ-6")
    seen = []

    def context(item):
        seen.append(item.code)
        return {"n": 1} if item.code == "ZJ-6" else None

    hooks.register_guide_panel(hooks.GuidePanel(name="test.panel", template="x.html", context=context,
                                                stamp=lambda: "s1", position=1))
    try:
        panels = hooks.guide_panels(v.item)
        assert panels[0] == {"name": "test.panel", "template": "x.html", "context": {"n": 1}}
        assert [p["name"] for p in panels] == ["test.panel"]  # the item needs no intermediary service
        assert ("test.panel", "s1") in hooks.guide_panel_stamps()
        other = make_item(catalog_admin, department, code="ZJ-7")
        assert all(p["name"] != "test.panel" for p in hooks.guide_panels(other.item))
    finally:
        hooks.forget_guide_panel("test.panel")
    assert all(name != "test.panel" for name, _s in hooks.guide_panel_stamps())


# --- the listing's query count ----------------------------------------------------------------------


def _with_figures(m, agency, *, on_time: bool, quality: int, violation: bool) -> None:
    """A finished service with its rating and, if asked, a violation in the last three years (rows
    written directly: the figures the credit reads, not the way to them)."""
    p = post(m, publish=False)
    Purchase.objects.filter(pk=p.pk).update(winner=agency, on_time=on_time, state="completed")
    AgencyRating.objects.create(purchase=p, agency=agency, quality=quality, timeliness=4, attitude=5, price=3,
                                by=m.owner, at=timezone.now())
    if violation:
        Violation.objects.create(agency=agency, kind="abandoned", penalty="suspended", reasons="测试",
                                 until=timezone.localdate(), by=m.admin,
                                 on=timezone.localdate() - dt.timedelta(days=30))
        Violation.objects.create(agency=agency, kind="abandoned", penalty="suspended", reasons="三年前",
                                 until=timezone.localdate(), by=m.admin,
                                 on=timezone.localdate() - dt.timedelta(days=4 * 365))


LISTINGS = ["/agencies/", "/agencies/?type=HPBG", "/api/v1/agencies", "/api/v1/agencies?service_type=HPBG"]


def _counts(client, django_assert_max_num_queries) -> dict[str, int]:
    counts = {}
    for url in LISTINGS:
        with django_assert_max_num_queries(1000) as q:
            assert client.get(url).status_code == 200
        counts[url] = len(q.captured_queries)
    return counts


def test_the_listing_s_queries_do_not_grow_with_the_agencies(client, catalog_admin, django_assert_max_num_queries):
    m = build_market(catalog_admin, n=1)
    _with_figures(m, m.agencies[0][0], on_time=True, quality=5, violation=True)
    client.get("/agencies/")  # warm caches
    few = _counts(client, django_assert_max_num_queries)
    for i in range(4):
        a, _o = make_agency(catalog_admin, m.st)
        _with_figures(m, a, on_time=bool(i % 2), quality=1 + i, violation=i == 2)
        _with_figures(m, a, on_time=True, quality=2, violation=False)
    many = _counts(client, django_assert_max_num_queries)
    print("listing queries with 1 and 5 agencies:", few, many)
    assert many == few, (few, many)
    assert max(few.values()) <= 12


def test_the_listing_s_credit_and_eligibility_are_the_rules(catalog_admin):
    m = build_market(catalog_admin, n=3)
    (a, _o), (b, _p), (c, _q) = m.agencies
    _with_figures(m, a, on_time=False, quality=1, violation=True)  # R (1,4,5,3) = 3.25, T 0, V 1
    _with_figures(m, b, on_time=True, quality=5, violation=False)
    services.decide_violation(actor=catalog_admin, agency=c, kind="abandoned", penalty="suspended",
                              until=timezone.localdate() + dt.timedelta(days=30), reasons="中途放弃")
    rows = {r.agency.uscc: r for r in selectors.listing(m.st)}
    for agency in (a, b, c):
        agency.refresh_from_db()
        assert rows[agency.uscc].credit == rules.credit(agency), agency.name
        assert rows[agency.uscc].eligible == rules.eligible(agency, m.st, timezone.localdate()), agency.name
    assert rows[a.uscc].credit.level == "D" and not rows[a.uscc].eligible  # 10 + 32.5 + 0 − 20 = 22.5
    assert rows[b.uscc].eligible and not rows[c.uscc].eligible  # c: suspended


# --- one agency over the API ----------------------------------------------------------------------


def test_one_agency_over_the_api(client, catalog_admin):
    m = build_market(catalog_admin, n=2)
    a, _o = m.agencies[0]
    _with_figures(m, a, on_time=True, quality=5, violation=False)
    r = client.get(f"/api/v1/agencies/{a.uscc}")
    assert r.status_code == 200
    body = r.json()
    assert body["uscc"] == a.uscc and body["name"] == a.name and body["state"] == "published"
    assert body["qualifications"][0]["certificate_no"].startswith("HP-") and body["offers"][0]["service_type"] == "HPBG"
    credit = rules.credit(a)
    assert (body["credit_score"], body["credit_level"]) == (credit.score, credit.level)
    assert body["ratings_count"] == 1 and body["rating_mean"] == "4.25" and body["on_time_share"] == "1.00"
    assert body["violations"] == 0 and body["staff_count"] == 12
    b, _p = m.agencies[1]
    assert client.get(f"/api/v1/agencies/{b.uscc}").json()["rating_mean"] is None  # not rated yet
    assert client.get(f"/api/v1/agencies/{a.uscc.lower()}").status_code == 200


def test_an_agency_not_in_the_marketplace_is_404(client, catalog_admin):
    m = build_market(catalog_admin, n=0)
    draft, _o = make_agency(catalog_admin, m.st, publish=False)
    assert client.get(f"/api/v1/agencies/{draft.uscc}").status_code == 404
    assert client.get("/api/v1/agencies/91430703MA4L0000XX").status_code == 404
    assert client.get("/api/v1/agencies/purchases").status_code == 200  # not taken for a USCC
    assert client.get("/api/v1/agencies/service-types").status_code == 200
