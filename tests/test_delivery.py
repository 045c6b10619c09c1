"""快递送达: the applicant chooses window pickup or post (postable items only), a post choice
becomes a shipment with an S10 tracking number when the result is ready, staff post it from
their queue (the full address read is on the trail), the carrier's signed webhook moves it, and
"delivered" delivers and closes the case through the mover with no trip."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from onetrip.cases import selectors as case_selectors
from onetrip.cases import services
from onetrip.cases.models import State, Visit
from onetrip.core.models import Notification, TrailEntry
from onetrip.delivery import carriers, rules
from onetrip.delivery import services as delivery
from onetrip.delivery.models import DeliveryChoice, Shipment, ShipmentEvent, ShipmentState

from .conftest import apply
from .test_case_transitions import walk

LOCAL = carriers.CARRIERS["local"]
assert isinstance(LOCAL, carriers.LocalCarrier)
ADDRESS = "湖南省常德市鼎城区武陵镇玉霞街道示例路88号3栋201室"


def choose_post(case, citizen):
    return delivery.choose_delivery(actor=citizen, case=case, method="post", recipient_name="张测试",
                                    address=ADDRESS, phone="13907360001")


def webhook(shipment, state, event_id="e1", signature=None):
    body = json.dumps({"event_id": event_id, "tracking_number": shipment.tracking_number, "state": state}).encode()
    return delivery.receive_webhook(carrier="local", body=body,
                                    headers={carriers.SIGNATURE_HEADER: signature or LOCAL.sign(body)})


# --- tracking numbers -------------------------------------------------------------------------------

def test_tracking_numbers_are_s10_with_a_check_digit():
    assert rules.s10_check_digit("47312482") == 9  # the UPU S10 standard's example: RA473124829GB
    assert rules.s10_check_digit("00000008") == 0  # 11 - sum mod 11 = 10 → 0
    assert rules.s10_check_digit("00000015") == 5  # = 11 → 5
    number = rules.s10_number("DC", 12345678)
    assert rules.valid_tracking_number(number)
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    assert not rules.valid_tracking_number(wrong)
    assert not rules.valid_tracking_number("DC1234567CN")


def test_the_public_page_masks_the_street_and_house_number():
    assert rules.mask_address(ADDRESS) == "湖南省常德市鼎城区****"
    assert "示例路" not in rules.mask_address(ADDRESS)


# --- choosing --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_applicant_chooses_post_and_the_result_is_then_not_for_the_window(citizen, item, staff):
    case = apply(citizen)
    choose_post(case, citizen)
    case.refresh_from_db()
    assert case.delivery_method == "post"
    case = walk(case, staff, citizen, State.RESULT_READY)
    assert not case_selectors.to_hand_out(staff.clerk).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError, match="post queue"):
        services.transition(case=case, action="hand_out", actor=staff.clerk,
                            data={"collector": "applicant", "collector_id_number": citizen.resident_id})
    sms = Notification.objects.filter(event="case.issue_result").get()
    assert "post" in sms.body or "邮寄" in sms.body


@pytest.mark.django_db
def test_post_is_offered_only_for_a_postable_item(catalog_admin, department, citizen):
    from .payments_fixtures import fee_item

    fee_item(catalog_admin, department, [], postable=False)
    case = apply(citizen)
    with pytest.raises(ValidationError, match="cannot be posted"):
        choose_post(case, citizen)
    assert not DeliveryChoice.objects.exists()
    delivery.choose_delivery(actor=citizen, case=case, method="pickup")  # pickup is always fine


@pytest.mark.django_db
def test_a_post_choice_needs_a_full_address_and_a_phone_and_writes_nothing_otherwise(citizen, item):
    case = apply(citizen)
    with pytest.raises(ValidationError) as bad:
        delivery.choose_delivery(actor=citizen, case=case, method="post", recipient_name="", address="鼎城区",
                                 phone="12345")
    assert set(bad.value.message_dict) == {"recipient_name", "address", "phone"}
    with pytest.raises(ValidationError):
        delivery.choose_delivery(actor=citizen, case=case, method="drone")
    assert not DeliveryChoice.objects.exists()
    case.refresh_from_db()
    assert case.delivery_method == ""


@pytest.mark.django_db
def test_only_the_applicant_chooses(citizen, item, staff):
    case = apply(citizen)
    with pytest.raises(ValidationError, match="Only the applicant"):
        choose_post(case, staff.clerk)


@pytest.mark.django_db
def test_the_choice_can_change_until_the_result_is_handed_out_or_posted(citizen, item, staff):
    case = walk(apply(citizen), staff, citizen, State.RESULT_READY)
    choose_post(case, citizen)  # later, with the result ready: the shipment is made at once
    shipment = Shipment.objects.get()
    assert shipment.state == ShipmentState.CREATED
    delivery.choose_delivery(actor=citizen, case=case, method="pickup")  # not posted yet: back to the window
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.CANCELLED
    choose_post(case, citizen)
    live = Shipment.objects.exclude(state=ShipmentState.CANCELLED).get()
    delivery.update_shipment(actor=staff.clerk, shipment=live, state="posted")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        delivery.choose_delivery(actor=citizen, case=case, method="pickup")


# --- shipments ----------------------------------------------------------------------------------

@pytest.fixture
def posted_case(citizen, item, staff):
    case = apply(citizen)
    choose_post(case, citizen)
    return walk(case, staff, citizen, State.RESULT_READY)


@pytest.mark.django_db
def test_a_post_choice_becomes_a_shipment_with_a_tracking_number_when_the_result_is_ready(posted_case):
    shipment = Shipment.objects.get()
    assert shipment.case == posted_case and shipment.address == ADDRESS
    assert rules.valid_tracking_number(shipment.tracking_number)
    assert TrailEntry.objects.get(action="case.issue_result").summary["tracking_number"] == shipment.tracking_number


@pytest.mark.django_db
def test_delivered_closes_the_case_with_zero_trips_through_the_mover(posted_case, staff):
    shipment = Shipment.objects.get()
    delivery.update_shipment(actor=staff.clerk, shipment=shipment, state="posted")
    webhook(shipment, "in_transit", "e1")
    webhook(shipment, "delivered", "e2")
    posted_case.refresh_from_db()
    assert posted_case.state == State.CLOSED and posted_case.closed_at is not None
    assert posted_case.visit_count == 0 and not Visit.objects.exists()
    assert posted_case.delivery_reference == shipment.tracking_number
    actions = list(TrailEntry.objects.filter(object_type="cases.case").values_list("action", flat=True))
    assert actions[-2:] == ["case.post_delivered", "case.close"]
    assert Notification.objects.filter(event="case.post_delivered").exists()


@pytest.mark.django_db
def test_the_manual_deliver_is_blocked_for_a_shipment_of_the_post_queue(posted_case, staff):
    with pytest.raises(ValidationError, match="post queue"):
        services.transition(case=posted_case, action="deliver", actor=staff.clerk,
                            data={"method": "post", "tracking_number": "X1"})


@pytest.mark.django_db
def test_a_shipment_moves_only_forward(posted_case, staff):
    shipment = Shipment.objects.get()
    with pytest.raises(ValidationError, match="cannot become"):
        delivery.update_shipment(actor=staff.clerk, shipment=shipment, state="delivered")  # not posted yet
    posted_case.refresh_from_db()
    assert posted_case.state == State.RESULT_READY


@pytest.mark.django_db
def test_a_forged_or_replayed_webhook_is_refused_and_on_the_trail(posted_case, staff):
    shipment = Shipment.objects.get()
    delivery.update_shipment(actor=staff.clerk, shipment=shipment, state="posted")
    with pytest.raises(carriers.WebhookRefused, match="forged"):
        webhook(shipment, "delivered", signature="sha256=" + "0" * 64)
    webhook(shipment, "in_transit", "e1")
    with pytest.raises(carriers.WebhookRefused, match="duplicate"):
        webhook(shipment, "in_transit", "e1")
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.IN_TRANSIT
    assert ShipmentEvent.objects.filter(shipment=shipment, state="in_transit").count() == 1
    assert sorted(TrailEntry.objects.filter(action="delivery.webhook_refused").values_list(
        "summary__reason", flat=True)) == ["duplicate", "forged"]


# --- pages and the API ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_applicant_chooses_on_the_case_page_and_the_progress_page_masks_the_address(citizen, item, staff):
    case = apply(citizen)
    c = Client()
    c.force_login(citizen)
    c.get("/prefs/language/en")
    page = c.get(f"/cases/{case.number}/").content.decode()
    assert "How do you want the result?" in page and 'value="post"' in page
    r = c.post(f"/cases/{case.number}/delivery/", {"method": "post", "recipient_name": "张测试", "address": ADDRESS,
                                                   "phone": "13907360001"})
    assert r.status_code == 302 and DeliveryChoice.objects.get().method == "post"
    walk(case, staff, citizen, State.RESULT_READY)
    tracking = Shipment.objects.get().tracking_number
    assert tracking in c.get(f"/cases/{case.number}/").content.decode()
    anyone = Client()
    anyone.get("/prefs/language/en")
    public = anyone.post("/progress/", {"number": case.number, "secret": citizen.mobile}).content.decode()
    assert tracking in public and "湖南省常德市鼎城区****" in public and "示例路" not in public


@pytest.mark.django_db
def test_the_post_queue_masks_addresses_and_opening_a_shipment_is_on_the_trail(posted_case, staff, citizen):
    c = Client()
    c.force_login(staff.clerk)
    c.get("/prefs/language/en")
    queue = c.get("/staff/post/").content.decode()
    shipment = Shipment.objects.get()
    assert shipment.tracking_number in queue and "示例路" not in queue
    page = c.get(f"/staff/post/{shipment.pk}/").content.decode()
    assert ADDRESS in page
    assert TrailEntry.objects.filter(action="personal_data.view", actor=staff.clerk).count() == 1
    r = c.post(f"/staff/post/{shipment.pk}/", {"state": "posted"})
    assert r.status_code == 302
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.POSTED
    other = Client()
    other.force_login(citizen)
    other.get("/prefs/language/en")
    assert other.get("/staff/post/").status_code == 403


@pytest.mark.django_db
def test_the_api_sets_the_choice_and_tracks_the_shipment(citizen, item, staff, client):
    case = apply(citizen)
    client.force_login(citizen)
    client.get("/prefs/language/en")
    r = client.post(f"/api/v1/cases/{case.number}/delivery", {"method": "post", "recipient_name": "张测试",
                                                              "address": ADDRESS, "phone": "13907360001"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["method"] == "post" and r.json()["address"] == ADDRESS
    walk(case, staff, citizen, State.RESULT_READY)
    tracking = client.get(f"/api/v1/cases/{case.number}/delivery").json()["shipment"]["tracking_number"]
    clerk = Client()
    clerk.force_login(staff.clerk)
    clerk.get("/prefs/language/en")
    queue = clerk.get("/api/v1/shipments").json()
    assert [s["tracking_number"] for s in queue] == [tracking] and "示例路" not in queue[0]["address"]
    assert clerk.post(f"/api/v1/shipments/{tracking}/status", {"state": "posted"},
                      content_type="application/json").status_code == 200
    body = json.dumps({"event_id": "x9", "tracking_number": tracking, "state": "delivered"}).encode()
    r = client.post("/api/v1/delivery/carriers/local/webhook", body, content_type="application/json",
                    HTTP_X_ONETRIP_SIGNATURE=LOCAL.sign(body))
    assert r.status_code == 200 and r.json()["state"] == "delivered"
    assert client.post("/api/v1/delivery/carriers/local/webhook", body, content_type="application/json",
                       HTTP_X_ONETRIP_SIGNATURE="sha256=x").status_code == 403
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.visit_count == 0


# --- choosing while applying ---------------------------------------------------------------------

@pytest.mark.django_db
def test_the_applicant_chooses_post_on_the_application_form_before_submitting(citizen, item, staff):
    from onetrip.cases import services as cases_services

    draft = apply(citizen, submit=False)  # the draft's case, not yet submitted
    app = draft.application
    c = Client()
    c.force_login(citizen)
    page = c.get(f"/applications/{app.pk}/").content.decode()
    assert f'action="/applications/{app.pk}/delivery/"' in page and 'value="post"' in page
    response = c.post(f"/applications/{app.pk}/delivery/", {"method": "post", "recipient_name": "张测试",
                                                             "address": ADDRESS, "phone": "13907360001"})
    assert response.status_code == 302 and response["Location"].endswith(f"/applications/{app.pk}/#delivery-h")
    choice = DeliveryChoice.objects.get(case=draft)
    assert (choice.method, choice.address) == ("post", ADDRESS)
    assert TrailEntry.objects.filter(action="delivery.choose").count() == 1
    [case] = cases_services.submit_application(actor=citizen, application=app)
    case = walk(case, staff, citizen, State.RESULT_READY)
    shipment = Shipment.objects.get(case=case)  # the choice made while applying was kept
    assert shipment.address == ADDRESS and shipment.state == ShipmentState.CREATED


@pytest.mark.django_db
def test_a_bad_choice_on_the_application_form_writes_nothing_and_says_why(citizen, item):
    draft = apply(citizen, submit=False)
    c = Client()
    c.force_login(citizen)
    response = c.post(f"/applications/{draft.application.pk}/delivery/",
                      {"method": "post", "recipient_name": "", "address": "鼎城区", "phone": "1"}, follow=True)
    assert "请填写完整的邮寄地址" in response.content.decode()
    assert not DeliveryChoice.objects.exists()


@pytest.mark.django_db
def test_only_the_applicant_chooses_on_a_draft_and_not_after_submitting_through_it(citizen, item, staff):
    from onetrip.accounts.models import Role

    from .conftest import make_user

    draft = apply(citizen, submit=False)
    other = Client()
    other.force_login(make_user(Role.CITIZEN))
    assert other.post(f"/applications/{draft.application.pk}/delivery/", {"method": "pickup"}).status_code == 404
    submitted = apply(citizen, key="second")
    with pytest.raises(ValidationError) as refused:
        delivery.choose_for_application(actor=citizen, application=submitted.application, method="pickup")
    assert refused.value.code == "wrong_state"
    assert not DeliveryChoice.objects.exists()


@pytest.mark.django_db
def test_the_api_takes_the_choice_while_applying(citizen, item):
    draft = apply(citizen, submit=False)
    c = Client()
    c.force_login(citizen)
    response = c.post(f"/api/v1/applications/{draft.application.pk}/delivery", {
        "method": "post", "recipient_name": "张测试", "address": ADDRESS, "phone": "13907360001"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert [r["method"] for r in response.json()] == ["post"]
    assert DeliveryChoice.objects.get(case=draft).method == "post"
