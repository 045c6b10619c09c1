"""The catalogue API: every response checked against the OpenAPI schema it publishes."""

import pytest
from openapi_spec_validator import validate

from onetrip.catalog import services

from .conftest import PASSWORD, make_item, make_user
from .openapi import assert_matches


def test_the_openapi_document_is_built_once_per_language(client, db, monkeypatch):
    import ninja.main

    from onetrip.api.api import api

    built = []
    real = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kw: built.append(kw) or real(**kw))
    monkeypatch.setattr(type(api), "_schemas", {})
    first = client.get("/api/openapi.json")
    assert first.status_code == 200 and client.get("/api/openapi.json").json() == first.json()
    assert len(built) == 1
    client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    assert len(built) == 2


@pytest.fixture
def items(catalog_admin, department):
    a = make_item(catalog_admin, department, code="430703-SCJGJ-001", name="个体工商户设立登记",
                  fees=[{"name": "工本费", "standard": "免费", "basis": "无"}])
    b = make_item(catalog_admin, department, code="430703-SCJGJ-002", name="食品经营许可", kind="licensing",
                  promised_limit_days=0, max_visits=0)
    sub = make_item(catalog_admin, department, code="430703-SCJGJ-002-01", name="食品经营许可（新办）", parent=b.item)
    services.save_bundle(actor=catalog_admin, code="KBQY", name="开办企业一件事", items=[a.item, b.item])
    return a, b, sub


def test_the_schema_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ["/api/v1/items", "/api/v1/items/{code}", "/api/v1/departments", "/api/v1/bundles",
                 "/api/v1/bundles/{code}", "/api/v1/auth/token", "/api/v1/me"]:
        assert path in spec["paths"], path


def test_the_docs_page_uses_local_assets_only(client, db):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle" in html
    assert "cdn." not in html and "https://" not in html.replace("https://swagger", "")


@pytest.mark.django_db
def test_item_list(client, spec, items):
    data = assert_matches(spec, "/api/v1/items", "get", client.get("/api/v1/items"))
    assert data["count"] == 3
    first = data["results"][0]
    assert set(first) >= {"code", "name", "kind", "department", "legal_limit_days", "promised_limit_days",
                          "max_visits", "online"}


@pytest.mark.django_db
def test_item_list_search_and_filters(client, spec, items):
    data = assert_matches(spec, "/api/v1/items", "get", client.get("/api/v1/items", {"q": "spjyxk"}))
    # the main item is applied for through its sub-items: the first one (新办) ranks just above it
    assert [r["code"] for r in data["results"]][:2] == ["430703-SCJGJ-002-01", "430703-SCJGJ-002"]
    data = client.get("/api/v1/items", {"bundle": "KBQY"}).json()
    assert {r["code"] for r in data["results"]} == {"430703-SCJGJ-001", "430703-SCJGJ-002"}
    data = client.get("/api/v1/items", {"department": "SCJGJ", "kind": "licensing"}).json()
    assert data["count"] == 3


@pytest.mark.django_db
def test_item_list_pages(client, spec, items, settings):
    settings.PAGE_SIZE = 2
    first = assert_matches(spec, "/api/v1/items", "get", client.get("/api/v1/items"))
    assert first["pages"] == 2 and first["next"] == 2 and len(first["results"]) == 2
    second = client.get("/api/v1/items", {"page": 2}).json()
    assert second["previous"] == 1 and len(second["results"]) == 1
    response = client.get("/api/v1/items", {"page": 9})
    assert response.status_code == 404
    assert_matches(spec, "/api/v1/items", "get", client.get("/api/v1/items", {"kind": "bogus"}))


@pytest.mark.django_db
def test_bad_parameters_are_400_with_a_message(client, spec, items):
    for params in [{"kind": "bogus"}, {"audience": "aliens"}, {"page": "abc"}, {"page": 0}]:
        response = client.get("/api/v1/items", params)
        assert response.status_code == 400, params
        assert response.json()["detail"]


@pytest.mark.django_db
def test_item_guide(client, spec, items):
    data = assert_matches(spec, "/api/v1/items/{code}", "get", client.get("/api/v1/items/430703-SCJGJ-001"))
    assert data["name"] == "个体工商户设立登记"
    assert [m["name"] for m in data["materials"]][0] == "个体工商户登记（备案）申请书"
    assert data["materials"][2]["required"] is False and data["materials"][2]["condition"]
    assert data["fees"][0]["name"] == "工本费" and data["free"] is False
    food = client.get("/api/v1/items/430703-SCJGJ-002").json()
    assert food["on_the_spot"] is True and food["sub_items"] == [
        {"code": "430703-SCJGJ-002-01", "name": "食品经营许可（新办）"}]


@pytest.mark.django_db
def test_unknown_codes_are_404_json(client, spec, items):
    for path, template in [("/api/v1/items/NOPE", "/api/v1/items/{code}"), ("/api/v1/bundles/NOPE", "/api/v1/bundles/{code}")]:
        response = client.get(path)
        assert response.status_code == 404
        assert "NOPE" in assert_matches(spec, template, "get", response)["detail"]


@pytest.mark.django_db
def test_departments_and_bundles(client, spec, items):
    deps = assert_matches(spec, "/api/v1/departments", "get", client.get("/api/v1/departments"))
    assert deps[0]["code"] == "SCJGJ" and deps[0]["item_count"] == 3
    bundles = assert_matches(spec, "/api/v1/bundles", "get", client.get("/api/v1/bundles"))
    assert bundles == [{"code": "KBQY", "name": "开办企业一件事", "name_en": "", "audience": "both", "item_count": 2}]
    bundle = assert_matches(spec, "/api/v1/bundles/{code}", "get", client.get("/api/v1/bundles/KBQY"))
    names = [m["name"] for m in bundle["materials"]]
    assert len(names) == len(set(names))


@pytest.mark.django_db
def test_token_authentication(client, spec, department):
    officer = make_user("officer", department)
    response = client.post("/api/v1/auth/token", {"username": officer.username, "password": PASSWORD},
                           content_type="application/json")
    token = assert_matches(spec, "/api/v1/auth/token", "post", response)["token"]
    assert response.status_code == 201
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert assert_matches(spec, "/api/v1/me", "get", me)["username"] == officer.username
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_own_data_is_masked_in_the_api_too(client, spec, citizen):
    client.force_login(citizen)
    data = client.get("/api/v1/me").json()
    assert data["resident_id"] == citizen.resident_id_masked and citizen.resident_id not in str(data)


@pytest.mark.django_db
def test_malformed_json_is_a_400(client, db):
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
