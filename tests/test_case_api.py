"""The case API, every response checked against the OpenAPI schema."""

import io

import pytest

from onetrip.accounts import services as accounts
from onetrip.cases.models import Application, Case

from .conftest import PASSWORD, PDF
from .openapi import assert_matches


def token(client, user):
    r = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                    content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


@pytest.mark.django_db
def test_apply_upload_submit_follow(client, spec, citizen, item, staff):
    auth = token(client, citizen)
    r = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="abc-1", **auth)
    data = assert_matches(spec, "/api/v1/applications", "post", r)
    assert r.status_code == 201 and data["missing"] == ["个体工商户登记（备案）申请书"]
    again = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc-1", **auth)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Application.objects.count() == 1

    path = f"/api/v1/applications/{data['id']}/materials"
    upload = io.BytesIO(PDF)
    upload.name = "scan.pdf"
    r = client.post(path, {"name": "个体工商户登记（备案）申请书", "file": upload}, **auth)
    assert r.status_code == 201, r.content
    assert_matches(spec, "/api/v1/applications/{application_id}/materials", "post", r)

    r = client.post(f"/api/v1/applications/{data['id']}/submit", **auth)
    submitted = assert_matches(spec, "/api/v1/applications/{application_id}/submit", "post", r)
    number = submitted["cases"][0]["number"]
    assert submitted["cases"][0]["state"] == "submitted"

    mine = assert_matches(spec, "/api/v1/cases", "get", client.get("/api/v1/cases", **auth))
    assert [c["number"] for c in mine] == [number]
    detail = assert_matches(spec, "/api/v1/cases/{number}", "get", client.get(f"/api/v1/cases/{number}", **auth))
    assert detail["allowed_actions"] == ["withdraw"]


@pytest.mark.django_db
def test_staff_work_the_inbox_and_act(client, spec, citizen, item, staff):
    from .conftest import apply

    case = apply(citizen)
    clerk = token(client, staff.clerk)
    inbox = assert_matches(spec, "/api/v1/inbox", "get", client.get("/api/v1/inbox?view=todo", **clerk))
    assert [c["number"] for c in inbox] == [case.number]
    r = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "accept"}, content_type="application/json",
                    **clerk)
    assert assert_matches(spec, "/api/v1/cases/{number}/actions", "post", r)["state"] == "in_review"
    # Wrong state: a 409 that says why.
    r = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "accept"}, content_type="application/json",
                    **clerk)
    body = assert_matches(spec, "/api/v1/cases/{number}/actions", "post", r)
    assert r.status_code == 409 and body["code"] == "wrong_state"


@pytest.mark.django_db
def test_refusals_are_4xx_json_that_say_why(client, spec, citizen, item, staff):
    from .conftest import apply

    case = apply(citizen)
    officer = token(client, staff.officer)
    off = client.post(f"/api/v1/cases/{case.number}/actions",
                      {"action": "issue_notice", "data": {"items": [{"material": "无犯罪记录证明", "reason": "需要"}]}},
                      content_type="application/json", **officer)
    assert off.status_code == 400 and off.json()["code"] == "off_checklist"
    assert_matches(spec, "/api/v1/cases/{number}/actions", "post", off)
    mine = token(client, citizen)
    r = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "accept"}, content_type="application/json",
                    **mine)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "fly"}, content_type="application/json",
                    **officer)
    assert r.status_code == 400 and r.json()["code"] == "unknown_action" and r.json()["detail"]


@pytest.mark.django_db
def test_someone_elses_case_is_404(client, citizen, item):
    from onetrip.demo.people import resident_id

    from .conftest import apply

    case = apply(citizen)
    other = accounts.register_citizen(real_name="李示例", mobile="13907360002",
                                      resident_id=resident_id("43070319920202234"), password=PASSWORD)
    r = client.get(f"/api/v1/cases/{case.number}", **token(client, other))
    assert r.status_code == 404


@pytest.mark.django_db
def test_a_disguised_upload_is_refused_over_the_api(client, citizen, item):
    auth = token(client, citizen)
    app = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                      **auth).json()
    fake = io.BytesIO(b"<html>not a pdf</html>")
    fake.name = "scan.pdf"
    r = client.post(f"/api/v1/applications/{app['id']}/materials", {"name": "个体工商户登记（备案）申请书", "file": fake},
                    **auth)
    assert r.status_code == 400 and "PDF" in r.json()["detail"]


@pytest.mark.django_db
def test_the_api_applies_for_a_bundle(client, citizen, item, catalog_admin, department):
    from onetrip.catalog import services as catalog

    from .conftest import make_item

    food = make_item(catalog_admin, department, code="F-1", name="食品经营许可")
    catalog.save_bundle(actor=catalog_admin, code="KCG", name="开餐馆一件事", items=[item.item, food.item])
    r = client.post("/api/v1/applications", {"bundle": "KCG"}, content_type="application/json",
                    **token(client, citizen))
    assert r.status_code == 201 and len(r.json()["cases"]) == 2
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_unknown_items_are_404(client, citizen, db):
    r = client.post("/api/v1/applications", {"item": "NOPE"}, content_type="application/json",
                    **token(client, citizen))
    assert r.status_code == 404


@pytest.mark.django_db
def test_staff_download_a_material_over_the_api(client, spec, citizen, item, staff):
    from onetrip.core.models import TrailEntry

    from .conftest import apply

    case = apply(citizen)
    material = case.application.materials.get()
    r = client.get(f"/api/v1/cases/{case.number}/materials/{material.pk}", **token(client, staff.clerk))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert TrailEntry.objects.filter(action="personal_data.view").count() == 1
    missing = client.get(f"/api/v1/cases/{case.number}/materials/999999", **token(client, staff.clerk))
    assert missing.status_code == 404
    assert "/api/v1/cases/{number}/materials/{material_id}" in spec["paths"]


@pytest.mark.django_db
def test_a_case_another_officer_claimed_is_a_409_that_says_so(client, spec, citizen, item, staff):
    from onetrip.cases import services

    from .conftest import apply

    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    services.transition(case=case, action="claim", actor=staff.officer)
    r = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "claim"}, content_type="application/json",
                    **token(client, staff.officer2))
    body = assert_matches(spec, "/api/v1/cases/{number}/actions", "post", r)
    assert r.status_code == 409 and body["code"] == "claimed" and "认领" in body["detail"]  # says it, in Chinese
    case.refresh_from_db()
    assert case.assignee == staff.officer


@pytest.mark.django_db
def test_a_database_still_locked_after_the_wait_is_a_503_to_retry(client, spec, monkeypatch):
    from django.db import OperationalError

    from onetrip.catalog import selectors

    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "departments_with_counts", locked)
    r = client.get("/api/v1/departments")
    assert r.status_code == 503 and r["Retry-After"] == "2" and r.json()["code"] == "busy"
    assert assert_matches(spec, "/api/v1/departments", "get", r)["detail"]  # documented, like on every operation

    def broken():
        raise OperationalError("no such table: accounts_department")

    monkeypatch.setattr(selectors, "departments_with_counts", broken)
    with pytest.raises(OperationalError, match="no such table"):
        client.get("/api/v1/departments")  # any other database fault stays a 500
