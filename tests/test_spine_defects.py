"""The defects people hit on the case spine (issue I), one test each, written against the pages and
the API as a citizen, a proxy agent, a clerk, an officer and a head use them."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from onetrip.cases import selectors, services
from onetrip.cases.models import Application, Case, RuleViolation
from onetrip.core.models import Notification
from onetrip.demo.people import resident_id

from .conftest import PASSWORD, PDF, apply, make_user, supplement


def token(client, user):
    r = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                    content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def act(client, auth, number, action, **data):
    return client.post(f"/api/v1/cases/{number}/actions", {"action": action, "data": data},
                       content_type="application/json", **auth)


OFF_LIST = [{"material": "户口本复印件", "reason": "需要"}]


# --- Only staff who may act can break (and be recorded breaking) the checklist rule -------------------


@pytest.mark.django_db
def test_an_applicant_asking_for_an_off_checklist_material_is_refused_and_nothing_is_recorded(client, citizen, item):
    case = apply(citizen)
    auth = token(client, citizen)
    r = act(client, auth, case.number, "issue_notice", items=OFF_LIST)
    assert r.status_code == 403
    services.transition(case=case, action="withdraw", actor=citizen)
    r = act(client, auth, case.number, "issue_notice", items=OFF_LIST)
    assert r.status_code in (400, 409)
    assert not RuleViolation.objects.exists()


@pytest.mark.django_db
def test_a_clerk_on_a_withdrawn_case_records_nothing(citizen, item, staff):
    case = services.transition(case=apply(citizen), action="withdraw", actor=citizen)
    with pytest.raises(ValidationError) as exc:
        services.transition(case=case, action="issue_notice", actor=staff.clerk, data={"items": OFF_LIST})
    assert exc.value.code == "wrong_state" and not RuleViolation.objects.exists()


@pytest.mark.django_db
def test_the_mover_refuses_an_off_checklist_notice_and_records_it_against_the_clerk(citizen, item, staff):
    case = apply(citizen)
    with pytest.raises(ValidationError) as exc:  # not a KeyError
        services.transition(case=case, action="issue_notice", actor=staff.clerk, data={"items": OFF_LIST})
    assert exc.value.code == "off_checklist"
    violation = RuleViolation.objects.get()
    assert violation.actor == staff.clerk and violation.detail["materials"] == ["户口本复印件"]
    case.refresh_from_db()
    assert case.state == "submitted" and not case.notices.exists()


# --- Nobody acts as someone else -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_citizen_applies_as_themselves_only(client, citizen, item):
    r = client.post("/api/v1/applications", {"item": item.item.code, "form": {
        "applicant_name": "李别人", "applicant_id_number": resident_id("43070319930202002"),
        "applicant_mobile": "13907365555"}},
        content_type="application/json", **token(client, citizen))
    assert r.status_code in (400, 403)
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_proxy_agent_applies_for_a_person_with_consent_on_the_page_and_in_the_api_alike(client, item):
    agent = make_user("proxy_agent")
    person = {"applicant_name": "李示例", "applicant_id_number": resident_id("43070319920303002"),
              "applicant_mobile": "13907365555"}
    auth = token(client, agent)
    r = client.post("/api/v1/applications", {"item": item.item.code, "form": person},
                    content_type="application/json", **auth)
    assert r.status_code == 400 and "consent" in r.json()["errors"]
    r = client.post("/api/v1/applications", {"item": item.item.code, "form": {**person, "consent": "代办委托书已签"}},
                    content_type="application/json", **auth)
    assert r.status_code == 400 and "consent" in r.json()["errors"]  # a sentence is no record of consent
    upload = io.BytesIO(PDF)
    upload.name = "同意书.pdf"
    r = client.post("/api/v1/proxy-consents", {"name": "李示例", "id_number": person["applicant_id_number"],
                                               "mobile": "13907365555", "file": upload}, **auth)
    assert r.status_code == 201 and r.json()["confirmed"]
    r = client.post("/api/v1/applications", {"item": item.item.code, "form": {**person, "consent_id": str(r.json()["id"])}},
                    content_type="application/json", **auth)
    assert r.status_code == 201
    client.force_login(agent)
    upload = io.BytesIO(PDF)
    upload.name = "同意书.pdf"
    page = client.post(f"/items/{item.item.code}/apply/", {**person, "consent_file": upload})
    assert page.status_code == 302
    apps = list(Application.objects.order_by("id"))
    assert [a.applicant_name for a in apps] == ["李示例", "李示例"]
    assert all(a.applicant is None and a.submitted_by == agent and a.proxy_consent for a in apps)


@pytest.mark.django_db
def test_an_application_made_for_someone_is_theirs_once_they_have_an_account(client, item):
    from onetrip.accounts import services as accounts

    agent = make_user("proxy_agent")
    consent = services.record_consent_form(actor=agent, name="李示例", id_number=resident_id("43070319920303002"),
                                           mobile="13907365555", stream=io.BytesIO(PDF))
    application, _ = services.create_application(actor=agent, item_code=item.item.code, form={
        "applicant_name": "李示例", "applicant_id_number": resident_id("43070319920303002"),
        "applicant_mobile": "13907365555", "consent_id": str(consent.pk)})
    granny = accounts.register_citizen(real_name="李示例", mobile="13907365555",
                                       resident_id=resident_id("43070319920303002"), password=PASSWORD)
    assert services.claim_applications(actor=granny) == 1
    application.refresh_from_db()
    assert application.applicant == granny


@pytest.mark.django_db
def test_a_submission_at_the_window_records_the_trip_by_itself(item, staff):
    application, _ = services.create_application(actor=staff.clerk, item_code=item.item.code, channel="window", form={
        "applicant_name": "王示例", "applicant_id_number": resident_id("43070319950101001"), "applicant_mobile": "13907364444"})
    services.upload_material(actor=staff.clerk, application=application, name="个体工商户登记（备案）申请书",
                             stream=io.BytesIO(PDF), original_name="scan.pdf")
    [case] = services.submit_application(actor=staff.clerk, application=application)
    case.refresh_from_db()
    assert case.visit_count == 1 and case.visits.get().reason == "submit"


# --- Supplements and repeated notices ---------------------------------------------------------------


@pytest.mark.django_db
def test_supplementing_needs_a_new_file_for_each_named_material_or_a_reason(client, citizen, item, staff):
    case = services.issue_notice(case=apply(citizen), actor=staff.clerk,
                                 items=[{"material": "个体工商户登记（备案）申请书", "reason": "缺少签字"}])
    auth = token(client, citizen)
    r = act(client, auth, case.number, "supplement")
    assert r.status_code == 400 and "个体工商户登记（备案）申请书" in r.json()["detail"]
    case.refresh_from_db()
    assert case.state == "awaiting_supplement"
    r = act(client, auth, case.number, "supplement", explanations={"个体工商户登记（备案）申请书": "原件周一带到窗口"})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    client.force_login(staff.clerk)
    assert "原件周一带到窗口" in client.get(f"/cases/{case.number}/").content.decode()


@pytest.mark.django_db
def test_a_second_notice_naming_new_materials_is_recorded_but_one_for_a_wrong_supplement_is_not(
        citizen, item, staff):
    first = [{"material": "个体工商户登记（备案）申请书", "reason": "缺少签字"}]
    case = supplement(services.issue_notice(case=apply(citizen), actor=staff.clerk, items=first), citizen)
    case = supplement(services.issue_notice(case=case, actor=staff.clerk, items=first), citizen)  # wrong again
    assert not RuleViolation.objects.exists()
    services.issue_notice(case=case, actor=staff.clerk, items=[{"material": "经营场所使用证明", "reason": "补充"}])
    violation = RuleViolation.objects.get()
    assert violation.rule == "repeated_notice" and violation.detail["materials"] == ["经营场所使用证明"]


# --- What the applicant wrote ----------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_every_form_field_in_full_and_over_long_input_is_refused(client, citizen, item, staff):
    request = "申请开设一家早餐店，" * 150  # 1500 characters: longer than the old silent cut at 1000
    application, _ = services.create_application(actor=citizen, item_code=item.item.code, form={
        "address": "鼎城区武陵镇示例路1号", "request": request})
    assert application.form_data["request"] == request.strip()
    with pytest.raises(ValidationError) as exc:
        services.create_application(actor=citizen, item_code=item.item.code, form={"request": "长" * 5000})
    assert "request" in exc.value.message_dict and "4000" in exc.value.message_dict["request"][0]
    assert Application.objects.count() == 1
    case = apply(citizen)
    Application.objects.filter(pk=case.application_id).update(form_data={"address": "鼎城区武陵镇示例路1号",
                                                                          "request": request.strip()})
    client.force_login(staff.officer)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "鼎城区武陵镇示例路1号" in page and request.strip() in page


# --- Inboxes ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_role_sees_exactly_the_cases_waiting_at_their_step(citizen, item, staff):
    def todo(user):
        return [c.pk for c in selectors.inbox(user, "todo")]

    case = apply(citizen)
    assert todo(staff.clerk) == [case.pk] and todo(staff.officer) == [] and todo(staff.head) == []
    case = services.transition(case=case, action="accept", actor=staff.clerk)
    assert todo(staff.clerk) == [] and todo(staff.officer) == [case.pk] and todo(staff.head) == []
    services.transition(case=case, action="claim", actor=staff.officer)
    assert todo(staff.officer2) == []  # claimed by a colleague
    case = services.transition(case=case, action="advance", actor=staff.officer)
    assert todo(staff.officer) == [] and todo(staff.head) == [case.pk]


@pytest.mark.django_db
def test_the_inbox_puts_the_oldest_deadline_first(citizen, item, staff):
    from .conftest import at

    with at("2025-11-17"):
        later = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    with at("2025-11-10"):
        earlier = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    assert [c.pk for c in selectors.inbox(staff.officer, "todo")] == [earlier.pk, later.pk]


# --- People see sentences -------------------------------------------------------------------------------


RAW = re.compile(r"number: |action: |from: |step_to|method: |personal_data|\['|\{'|\bpickup\b|\bin_review\b")


def visible_text(page):
    """What a person reads: the page without its tags and attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.django_db
def test_no_key_dict_or_enum_reaches_the_applicant_or_the_staff(client, citizen, item, staff):
    from .test_case_transitions import walk

    case = walk(apply(citizen), staff, citizen, "result_ready")
    case = services.transition(case=case, action="hand_out", actor=staff.clerk,
                               data={"collector": "applicant", "collector_id_number": citizen.resident_id})
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        services.record_visit(case=case, reason="other", actor=staff.clerk)  # a second trip: a violation
    client.force_login(staff.officer)
    client.post(f"/cases/{case.number}/", {"action": "reveal", "purpose": "核对"})
    for user in (citizen, staff.officer):
        client.force_login(user)
        for lang in ("zh-hans", "en"):
            client.cookies["django_language"] = lang
            page = visible_text(client.get(f"/cases/{case.number}/").content.decode())
            assert not RAW.search(page), (user, lang, RAW.search(page))
    client.force_login(make_user("supervisor"))
    client.cookies["django_language"] = "zh-hans"
    page = visible_text(client.get("/supervision/?tab=violations").content.decode())
    with translation.override("zh-hans"):
        sentence = RuleViolation.objects.get(rule="visits_exceeded").sentence()
    assert not RAW.search(page) and sentence in page
    sms = Notification.objects.filter(body__contains=case.number).order_by("-id").values_list("body", flat=True)
    assert "窗口领取" in sms[0] and "pickup" not in sms[0]


# --- Uploads from phones ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_of_several_pages_keeps_every_file(client, citizen, item, settings, staff):
    settings.FILES_PER_MATERIAL = 3
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    client.force_login(citizen)
    pages = []
    for i in range(3):
        f = io.BytesIO(PDF + str(i).encode())
        f.name = f"page{i + 1}.pdf"
        pages.append(f)
    client.post(f"/applications/{application.pk}/", {"upload": "1", "name": "个体工商户登记（备案）申请书", "file": pages})
    assert application.materials.filter(current=True).count() == 3
    one_more = io.BytesIO(PDF + b"4")
    one_more.name = "page4.pdf"
    page = client.post(f"/applications/{application.pk}/", {"upload": "1", "name": "个体工商户登记（备案）申请书",
                                                            "file": one_more}, follow=True).content.decode()
    assert 'class="message-error"' in page and application.materials.filter(current=True).count() == 3
    [case] = services.submit_application(actor=citizen, application=application)
    client.force_login(staff.clerk)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert all(f"page{i}.pdf" in page for i in (1, 2, 3))


# --- The staff workbench ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_workbench_shows_the_checklist_clock_and_actions_in_a_fixed_number_of_queries(
        client, citizen, item, staff, django_assert_max_num_queries):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    client.force_login(staff.officer)
    client.get(f"/cases/{case.number}/")
    with django_assert_max_num_queries(40) as ctx:
        page = client.get(f"/cases/{case.number}/").content.decode()
    for text in ("个体工商户登记（备案）申请书", "经营场所使用证明", 'class="panel"', 'name="action" value="advance"'):
        assert text in page
    for _ in range(3):
        services.record_visit(case=case, reason="other", actor=staff.clerk)
        services.transition(case=case, action="comment", actor=staff.officer, data={"text": "电话联系"})
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(f"/cases/{case.number}/")


@pytest.mark.django_db
def test_a_lost_race_is_a_conflict_not_an_error(client, citizen, item, staff):
    case = apply(citizen)
    services.transition(case=case, action="accept", actor=staff.clerk)
    r = act(client, token(client, staff.clerk), case.number, "accept")
    assert r.status_code == 409
    assert Case.objects.get(pk=case.pk).state == "in_review"


# --- Bundles -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bundle_application_keeps_conditions_and_the_bundles_order(citizen, catalog_admin, department):
    from onetrip.catalog import services as catalog

    from .conftest import make_item

    later = make_item(catalog_admin, department, code="430703-T-LATER", name="食品经营许可", materials=[
        {"name": "营业执照", "required": False, "condition": "已办理营业执照的"}, {"name": "食品安全管理制度"}])
    first = make_item(catalog_admin, department, code="430703-T-FIRST", name="个体工商户设立登记", materials=[
        {"name": "营业执照", "required": False, "condition": "变更登记时"}, {"name": "经营场所使用证明"}])
    catalog.save_bundle(actor=catalog_admin, code="KCG", name="开餐馆一件事", items=[first.item, later.item])
    application, _ = services.create_application(actor=citizen, bundle_code="KCG")
    lines = services.checklist(application)
    assert [c.item.code for c in application.cases.order_by("id")] == ["430703-T-FIRST", "430703-T-LATER"]
    assert [line.name for line in lines] == ["营业执照", "经营场所使用证明", "食品安全管理制度"]
    licence = lines[0]
    assert not licence.required and "变更登记时" in licence.condition and "已办理营业执照的" in licence.condition
    assert services.missing_materials(application) == ["经营场所使用证明", "食品安全管理制度"]


@pytest.mark.django_db
def test_only_the_actions_the_case_is_ready_for_are_offered(citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    offered = services.actions_for(case, staff.officer)
    assert "advance" in offered and "approve" not in offered and "deny" not in offered and "return" not in offered
    case = services.transition(case=case, action="advance", actor=staff.officer)
    offered = services.actions_for(case, staff.head)
    assert {"approve", "deny", "return"} <= set(offered) and "advance" not in offered


@pytest.mark.django_db
def test_staff_see_who_acted_by_name_and_the_applicant_sees_only_the_office(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    client.force_login(staff.officer)
    assert staff.clerk.real_name in client.get(f"/cases/{case.number}/").content.decode()
    client.force_login(citizen)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert staff.clerk.real_name not in page and staff.clerk.username not in page


@pytest.mark.django_db
def test_staff_see_photographed_pages_as_previews_logged_once(client, citizen, item, staff):
    from onetrip.core.models import TrailEntry

    from .conftest import png

    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    for i in range(2):
        services.upload_material(actor=citizen, application=application, name="个体工商户登记（备案）申请书",
                                 stream=io.BytesIO(png(i)), original_name=f"page{i}.png")
    [case] = services.submit_application(actor=citizen, application=application)
    client.force_login(staff.clerk)
    assert "<img" not in client.get(f"/cases/{case.number}/").content.decode()  # nothing opened unasked
    views = TrailEntry.objects.filter(action="personal_data.view")
    page = client.get(f"/cases/{case.number}/?previews=1").content.decode()
    srcs = re.findall(r'<img class="preview" src="([^"]+)"', page)
    assert len(srcs) == 2 and views.count() == 1
    assert all(client.get(src.replace("&amp;", "&")).status_code == 200 for src in srcs)
    assert views.count() == 1  # the previews were logged once, together
    client.force_login(staff.officer)  # someone else's token opens nothing unlogged
    client.get(srcs[0].replace("&amp;", "&"))
    assert views.count() == 2


@pytest.mark.django_db
def test_a_bundles_supplements_are_sent_all_or_none(citizen, catalog_admin, department, staff):
    from onetrip.catalog import services as catalog

    from .conftest import make_item

    first = make_item(catalog_admin, department, code="430703-T-S1", materials=[{"name": "申请书甲"}])
    second = make_item(catalog_admin, department, code="430703-T-S2", materials=[{"name": "申请书乙"}])
    catalog.save_bundle(actor=catalog_admin, code="SUPP", name="补正一件事", items=[first.item, second.item])
    application, _ = services.create_application(actor=citizen, bundle_code="SUPP")
    for name in ("申请书甲", "申请书乙"):
        services.upload_material(actor=citizen, application=application, name=name, stream=io.BytesIO(PDF),
                                 original_name="a.pdf")
    one, two = services.submit_application(actor=citizen, application=application)
    services.issue_notice(case=one, actor=staff.clerk, items=[{"material": "申请书甲", "reason": "未签字"}])
    services.issue_notice(case=two, actor=staff.clerk, items=[{"material": "申请书乙", "reason": "未签字"}])
    services.upload_material(actor=citizen, application=application, name="申请书甲", stream=io.BytesIO(PDF),
                             original_name="again.pdf")
    with pytest.raises(ValidationError):
        services.supplement_application(actor=citizen, application=application, explanations={})
    assert sorted(application.cases.values_list("state", flat=True)) == ["awaiting_supplement"] * 2
