"""综合窗口出件: decided results wait at the result window, the applicant is told by SMS to collect,
and the clerk hands the result over with the collector's ID checked; the trip is counted and the
case closes. A proxy agent's trip is the agent's."""

import io

import pytest
from django.core.exceptions import ValidationError

from onetrip.accounts.models import Role
from onetrip.cases import selectors, services
from onetrip.cases.models import Handover, State, Visit
from onetrip.core.models import Notification, TrailEntry
from onetrip.demo.people import resident_id

from .conftest import PDF, apply, make_user
from .test_case_transitions import walk

OTHER_ID = resident_id("43070319910303123")  # a valid number that is not the applicant's


def ready(citizen, staff, key=""):
    return walk(apply(citizen, key=key), staff, citizen, State.RESULT_READY)


def proxy_case(agent, staff, *, person_id: str):
    consent = services.record_consent_form(actor=agent, name="王老伯", id_number=person_id, mobile="13907365555",
                                           stream=io.BytesIO(PDF))
    application, _ = services.create_application(actor=agent, item_code="430703-SCJGJ-001", form={
        "applicant_name": "王老伯", "applicant_id_number": person_id, "applicant_mobile": "13907365555",
        "consent_id": str(consent.pk)})
    for req in services.checklist(application):
        if req.required and not req.registry:
            services.upload_material(actor=agent, application=application, name=req.name, stream=io.BytesIO(PDF),
                                     original_name="scan.pdf")
    services.submit_application(actor=agent, application=application)
    case = application.cases.get()
    return walk(case, staff, agent, State.RESULT_READY)


@pytest.mark.django_db
def test_a_ready_result_waits_at_the_result_window_and_the_applicant_is_told_to_collect(citizen, item, staff):
    case = ready(citizen, staff)
    sms = Notification.objects.filter(event="case.issue_result").get()
    assert sms.to == citizen.mobile and "身份证" in sms.body and case.number in sms.body
    assert list(selectors.to_hand_out(staff.clerk)) == [case]
    assert list(selectors.to_hand_out(staff.clerk, case.number)) == [case]
    assert list(selectors.to_hand_out(staff.clerk, citizen.resident_id.lower())) == [case]
    assert not selectors.to_hand_out(staff.clerk, OTHER_ID).exists()
    assert not selectors.to_hand_out(citizen).exists()  # a citizen has no result window


@pytest.mark.django_db
def test_the_applicant_collects_with_their_own_id_number_and_the_case_closes_in_one_trip(citizen, item, staff):
    case = ready(citizen, staff)
    with pytest.raises(ValidationError, match="not the applicant's"):
        services.transition(case=case, action="hand_out", actor=staff.clerk,
                            data={"collector": "applicant", "collector_id_number": OTHER_ID})
    case.refresh_from_db()
    assert case.state == State.RESULT_READY and not Visit.objects.exists() and not Handover.objects.exists()
    case = services.transition(case=case, action="hand_out", actor=staff.clerk,
                               data={"collector": "applicant", "collector_id_number": citizen.resident_id})
    assert case.state == State.CLOSED and case.closed_at and case.delivery_method == "pickup"
    assert case.visit_count == 1 and case.visits.get().reason == "pickup"
    handover = Handover.objects.get(case=case)
    assert handover.collector == "applicant" and handover.collector_name == "张测试"
    assert handover.handed_by == staff.clerk
    entry = TrailEntry.objects.filter(action="case.hand_out").get()
    assert citizen.resident_id not in str(entry.summary) and entry.summary["collector"] == "applicant"
    assert Notification.objects.filter(event="case.hand_out", to=citizen.mobile).exists()
    assert not selectors.to_hand_out(staff.clerk).exists()


@pytest.mark.django_db
def test_an_authorised_person_needs_a_name_and_a_valid_resident_id(citizen, item, staff):
    case = ready(citizen, staff)
    bad = OTHER_ID[:-1] + ("0" if OTHER_ID[-1] != "0" else "1")  # wrong check digit
    for data, field in [({"collector": "authorised", "collector_name": "李代领", "collector_id_number": bad},
                         "collector_id_number"),
                        ({"collector": "authorised", "collector_id_number": OTHER_ID}, "collector_name"),
                        ({"collector": "somebody", "collector_id_number": OTHER_ID}, "collector")]:
        with pytest.raises(ValidationError) as exc:
            services.transition(case=case, action="hand_out", actor=staff.clerk, data=data)
        assert field in exc.value.message_dict
    assert not Handover.objects.exists() and not Visit.objects.exists()
    case = services.transition(case=case, action="hand_out", actor=staff.clerk, data={
        "collector": "authorised", "collector_name": "李代领", "collector_id_number": OTHER_ID.lower()})
    assert case.state == State.CLOSED and case.visit_count == 1
    assert Handover.objects.get().collector_id_number == OTHER_ID


@pytest.mark.django_db
def test_only_window_clerks_hand_out_and_not_a_posted_result(citizen, item, staff):
    case = ready(citizen, staff)
    data = {"collector": "applicant", "collector_id_number": citizen.resident_id}
    for actor in (staff.officer, citizen):
        with pytest.raises(ValidationError):
            services.transition(case=case, action="hand_out", actor=actor, data=data)
    with pytest.raises(ValidationError, match="handed out at the result window"):
        services.transition(case=case, action="deliver", actor=staff.clerk, data={"method": "pickup"})
    case = services.transition(case=case, action="deliver", actor=staff.clerk,
                               data={"method": "post", "tracking_number": "EMS1234567890"})
    assert case.state == State.DELIVERED and case.visit_count == 0


@pytest.mark.django_db
def test_the_proxy_agent_collecting_makes_the_trip_as_theirs(item, staff):
    agent = make_user(Role.PROXY_AGENT, resident_id=resident_id("43070319950505234"))
    case = proxy_case(agent, staff, person_id=resident_id("43070319890101111"))
    with pytest.raises(ValidationError, match="not the proxy agent's"):
        services.transition(case=case, action="hand_out", actor=staff.clerk,
                            data={"collector": "proxy_agent", "collector_id_number": OTHER_ID})
    case = services.transition(case=case, action="hand_out", actor=staff.clerk,
                               data={"collector": "proxy_agent", "collector_id_number": agent.resident_id})
    visit = case.visits.get()
    assert visit.proxy_agent == agent and case.visit_count == 0  # the person made no trip
    assert case.state == State.CLOSED


@pytest.mark.django_db
def test_the_result_window_page(client, citizen, item, staff):
    case = ready(citizen, staff)
    client.force_login(citizen)
    assert client.get("/staff/results/").status_code == 403
    client.force_login(staff.officer)
    assert client.get("/staff/results/").status_code == 403
    client.force_login(staff.clerk)
    page = client.get("/staff/results/").content.decode()
    assert case.number in page and citizen.resident_id not in page and "张*" in page  # masked
    page = client.get("/staff/results/", {"q": citizen.resident_id}).content.decode()
    assert 'name="collector_id_number"' in page and case.number in page
    response = client.post("/staff/results/", {"number": case.number, "collector": "applicant",
                                                "collector_id_number": OTHER_ID})
    assert response.status_code == 400 and "申请人" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RESULT_READY
    response = client.post("/staff/results/", {"number": case.number, "collector": "applicant",
                                                "collector_id_number": citizen.resident_id})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.visit_count == 1


@pytest.mark.django_db
def test_hand_out_through_the_api(client, citizen, item, staff):
    from onetrip.accounts import services as accounts

    case = ready(citizen, staff)
    token = accounts.issue_api_token(user=staff.clerk)
    response = client.post(f"/api/v1/cases/{case.number}/actions", {"action": "hand_out", "data": {
        "collector": "applicant", "collector_id_number": citizen.resident_id}}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"
