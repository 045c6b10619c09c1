"""The case pages a citizen and the staff use."""

import io

import pytest

from onetrip.cases import services
from onetrip.cases.models import Application
from onetrip.core.models import TrailEntry

from .conftest import PDF, apply


@pytest.mark.django_db
def test_a_citizen_applies_through_the_pages(client, citizen, item):
    client.force_login(citizen)
    assert client.get(f"/items/{item.item.code}/apply/").status_code == 200
    r = client.post(f"/items/{item.item.code}/apply/", {
        "applicant_name": "张测试", "applicant_id_number": citizen.resident_id, "applicant_mobile": "13907360001",
        "idempotency_key": "form-1"})
    app = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/applications/{app.pk}/"
    # Pressing the button twice does not make a second application.
    client.post(f"/items/{item.item.code}/apply/", {
        "applicant_name": "张测试", "applicant_id_number": citizen.resident_id, "applicant_mobile": "13907360001",
        "idempotency_key": "form-1"})
    assert Application.objects.count() == 1
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "个体工商户登记（备案）申请书" in page
    f = io.BytesIO(PDF)
    f.name = "scan.pdf"
    client.post(f"/applications/{app.pk}/", {"upload": "1", "name": "个体工商户登记（备案）申请书", "file": f})
    r = client.post(f"/applications/{app.pk}/", {"submit": "1"})
    assert r.status_code == 302
    case = app.cases.get()
    assert case.state == "submitted"
    assert case.number in client.get("/my/cases/").content.decode()


@pytest.mark.django_db
def test_a_bad_id_number_on_a_proxy_agents_form_is_explained_next_to_the_field(client, item, district):
    from .conftest import make_user

    client.force_login(make_user("proxy_agent"))
    r = client.post(f"/items/{item.item.code}/apply/", {
        "applicant_name": "李示例", "applicant_id_number": "430703199001011230", "applicant_mobile": "13907369999",
        "consent": "签署代办委托书"})
    assert r.status_code == 400 and not Application.objects.exists()
    page = r.content.decode()
    assert 'href="#applicant_id_number"' in page and "430703199001011230" in page


@pytest.mark.django_db
def test_staff_take_a_case_through_the_page(client, citizen, item, staff):
    case = apply(citizen)
    client.force_login(staff.clerk)
    assert case.number in client.get("/staff/inbox/?view=todo").content.decode()
    client.post(f"/cases/{case.number}/", {"action": "accept"})
    client.force_login(staff.officer)
    client.post(f"/cases/{case.number}/", {"action": "advance"})
    client.force_login(staff.head)
    page = client.post(f"/cases/{case.number}/", {"action": "approve"})  # asks first
    case.refresh_from_db()
    assert case.state == "in_review" and 'name="confirmed"' in page.content.decode()
    client.post(f"/cases/{case.number}/", {"action": "approve", "confirmed": "1"})
    case.refresh_from_db()
    assert case.state == "approved"


@pytest.mark.django_db
def test_staff_see_the_id_masked_and_unmasking_is_on_the_trail(client, citizen, item, staff):
    case = apply(citizen)
    client.force_login(staff.officer)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert citizen.resident_id not in page and citizen.resident_id[-4:] in page
    page = client.post(f"/cases/{case.number}/", {"action": "reveal", "purpose": "核对身份"}).content.decode()
    assert citizen.resident_id in page
    entry = TrailEntry.objects.get(action="personal_data.view")
    assert entry.actor == staff.officer and entry.summary["purpose"] == "核对身份"


@pytest.mark.django_db
def test_staff_issue_a_notice_from_the_page(client, citizen, item, staff):
    case = apply(citizen)
    client.force_login(staff.clerk)
    client.post(f"/cases/{case.number}/", {"action": "issue_notice", "material": ["经营场所使用证明"],
                                           "reason:经营场所使用证明": "过期", "confirmed": "1"})
    case.refresh_from_db()
    assert case.state == "awaiting_supplement"
    assert [i.reason for i in case.notices.get().items.all()] == ["过期"]


@pytest.mark.django_db
def test_other_people_cannot_open_a_case(client, citizen, item, department, district):
    from .conftest import make_department, make_user

    case = apply(citizen)
    outsider = make_user("officer", make_department(district, code="WJJ", name="卫生健康局"))
    client.force_login(outsider)
    assert client.get(f"/cases/{case.number}/").status_code == 404
    client.logout()
    assert client.get(f"/cases/{case.number}/").status_code == 302


@pytest.mark.django_db
def test_inbox_queries_do_not_grow_with_the_number_of_cases(client, citizen, item, staff,
                                                            django_assert_max_num_queries):
    apply(citizen)
    client.force_login(staff.clerk)
    client.get("/staff/inbox/?view=todo")
    with django_assert_max_num_queries(12) as ctx:
        client.get("/staff/inbox/?view=todo")
    for _ in range(5):
        apply(citizen)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get("/staff/inbox/?view=todo")


@pytest.mark.django_db
def test_the_supervision_page_says_plainly_when_a_year_has_no_calendar(client, staff, department):
    from .conftest import make_user

    client.force_login(make_user("supervisor"))
    page = client.get("/supervision/?tab=trail").content.decode()
    assert "2027" in page and ("Monday to Friday" in page or "周一至周五" in page)


@pytest.mark.django_db
def test_the_applicant_withdraws_from_the_page(client, citizen, item):
    case = apply(citizen)
    client.force_login(citizen)
    page = client.post(f"/cases/{case.number}/", {"action": "withdraw", "reason": "不办了"})
    case.refresh_from_db()
    assert case.state == "submitted", "one tap must not withdraw"
    assert 'name="confirmed"' in page.content.decode() and "不办了" in page.content.decode()
    client.post(f"/cases/{case.number}/", {"action": "withdraw", "reason": "不办了", "confirmed": "1"})
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert services.actions_for(case, citizen) == []


@pytest.mark.django_db
def test_the_supervision_page_lists_overdue_cases(client, citizen, item, staff, department):
    from .conftest import at, make_user

    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    client.force_login(make_user("supervisor"))
    client.cookies["django_language"] = "en"
    with at("2025-12-01"):
        page = client.get("/supervision/").content.decode()
    assert case.number in page and "1 overdue" in page


@pytest.mark.django_db
def test_staff_open_materials_and_each_opening_is_on_the_trail(client, citizen, item, staff, district):
    from .conftest import make_department, make_user

    case = apply(citizen)
    material = case.application.materials.get()
    client.force_login(staff.clerk)
    response = client.get(f"/cases/{case.number}/materials/{material.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    entry = TrailEntry.objects.get(action="personal_data.view")
    assert entry.actor == staff.clerk and entry.summary["material"] == material.name
    # The applicant opens their own without a trail entry; outsiders get 404.
    client.force_login(citizen)
    assert client.get(f"/cases/{case.number}/materials/{material.pk}/").status_code == 200
    assert TrailEntry.objects.filter(action="personal_data.view").count() == 1
    client.force_login(make_user("officer", make_department(district, code="WJJ", name="卫生健康局")))
    assert client.get(f"/cases/{case.number}/materials/{material.pk}/").status_code == 404
