"""Open311 GeoReport v2 at /open311/: an existing client library (georeport) reads the services,
a definition and the requests, in JSON and in XML, from a live server; a request is created
with an api_key (an API token); lists filter by id, service, status and dates; errors come in
the specification's format; a list without a key publishes no caller, words or place and no
report of wrongdoing at all."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role
from onetrip.hotline import rules
from onetrip.hotline import services as hotline
from onetrip.hotline.models import Ticket

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_key(citizen):
    return accounts.issue_api_token(user=citizen, name="311 app")


def xml_of(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own server's answer)


def create(client, key, fmt="json", **fields):
    return client.post(f"/open311/v2/requests.{fmt}", {"api_key": key, **fields})


def test_the_service_list_and_a_definition_in_json_and_xml(client):
    services = client.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in services] == ["consultation", "help", "complaint", "report", "suggestion"]
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    root = xml_of(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and [s.findtext("service_code") for s in root] == [s["service_code"] for s in services]
    report = client.get("/open311/v2/services/report.json").json()
    assert [a["code"] for a in report["attributes"]] == ["category", "case_number", "anonymous"]
    assert [v["key"] for v in report["attributes"][2]["values"]] == ["false", "true"]
    assert "anonymous" not in [a["code"] for a in client.get("/open311/v2/services/complaint.json").json()["attributes"]]
    missing = client.get("/open311/v2/services/parking.xml")
    error = xml_of(missing.content).find("error")
    assert missing.status_code == 404 and error.findtext("code") == "404" and error.findtext("description")


def test_discovery_names_the_endpoint_and_its_formats(client):
    body = client.get("/open311/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["formats"] == ["application/json", "text/xml"]
    assert xml_of(client.get("/open311/discovery.xml").content).find("endpoints/endpoint/url").text


def test_a_request_is_created_with_an_api_key_as_a_hotline_ticket_of_the_keys_account(client, citizen, citizen_key):
    response = create(client, citizen_key, service_code="complaint", description="菜市场旁烧烤摊油烟扰民",
                      address_string="武陵镇武陵大道", **{"attribute[category]": "环境"})
    assert response.status_code == 201
    [answer] = response.json()
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    assert (ticket.kind, ticket.channel, ticket.caller_id, ticket.state) == ("complaint", "api", citizen.pk, "registered")
    assert (ticket.caller_mobile, ticket.location, ticket.category) == (citizen.mobile, "武陵镇武陵大道", "环境")
    assert ticket.deadline is not None and str(ticket.deadline) in answer["service_notice"]
    assert client.get(f"/open311/v2/tokens/{answer['token']}.json").json() == [
        {"service_request_id": ticket.number, "token": answer["token"]}]
    assert client.get("/open311/v2/tokens/forged.json").status_code == 404


def test_an_anonymous_report_gets_its_query_code_once_and_is_never_listed_in_public(client, citizen_key):
    [answer] = create(client, citizen_key, service_code="report", description="某厂夜间偷排废水",
                      **{"attribute[anonymous]": "true"}).json()
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    assert ticket.anonymous and ticket.caller_id is None and ticket.caller_mobile == ""
    assert not rules.published_on_open311(ticket) and rules.open311_status(ticket) == "open"
    assert len(answer["query_code"]) >= 8 and Ticket.hash_code(answer["query_code"]) == ticket.query_code_hash
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{ticket.number}.json").status_code == 404


def test_bad_input_is_refused_in_the_specifications_format_and_writes_nothing(client, citizen_key):
    cases = [
        ({"service_code": "complaint", "description": "x"}, 403, "api_key is required"),
        ({"api_key": "not-a-key", "service_code": "complaint", "description": "x"}, 403, "not valid"),
        ({"api_key": citizen_key, "service_code": "parking", "description": "x"}, 400, "service_code"),
        ({"api_key": citizen_key, "service_code": "complaint", "description": "  "}, 400, "description"),
        ({"api_key": citizen_key, "service_code": "complaint", "description": "x",
          "attribute[case_number]": "430703-20990101-000001"}, 400, "case_number"),
        ({"api_key": citizen_key, "service_code": "complaint", "description": "x",
          "attribute[anonymous]": "true"}, 400, "anonymous"),
    ]
    for data, status, words in cases:
        response = client.post("/open311/v2/requests.json", data)
        assert response.status_code == status, data
        [error] = response.json()
        assert error["code"] == status and words in error["description"], (data, error)
        xml = xml_of(client.post("/open311/v2/requests.xml", data).content)
        assert xml.tag == "errors" and xml.findtext("error/code") == str(status)
    assert not Ticket.objects.exists()
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400


def test_lists_filter_and_publish_only_what_may_be_published(client, citizen, citizen_key, department):
    operator = make_user(Role.HOTLINE_OPERATOR)
    mine = Ticket.objects.get(number=create(client, citizen_key, service_code="help", description="我家门口路灯坏了",
                                            address_string="善卷路12号").json()[0]["service_request_id"])
    other = hotline.register_ticket(actor=operator, kind="consultation", channel="phone", text="社保卡怎么办",
                                    caller_name="赵来电（演示）", caller_mobile="13907360088",
                                    answer="带身份证到人社窗口即办").ticket
    public = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert set(public) == {mine.number, other.number}
    assert public[other.number]["status"] == "closed" and public[mine.number]["status"] == "open"
    assert all(r["description"] == "" and r["address"] == "" and r["service_notice"] == "" for r in public.values())
    assert "赵来电" not in client.get("/open311/v2/requests.xml").content.decode()
    assert [r["service_request_id"] for r in client.get(
        "/open311/v2/requests.json", {"status": "open"}).json()] == [mine.number]
    assert [r["service_request_id"] for r in client.get(
        "/open311/v2/requests.json", {"service_code": "consultation"}).json()] == [other.number]
    assert [r["service_request_id"] for r in client.get(
        "/open311/v2/requests.json", {"service_request_id": f"{other.number},nothing"}).json()] == [other.number]
    now = dt.datetime.now(dt.UTC)
    week_ago = {"start_date": (now - dt.timedelta(days=10)).isoformat(), "end_date": (now - dt.timedelta(days=5)).isoformat()}
    assert client.get("/open311/v2/requests.json", week_ago).json() == []
    assert client.get("/open311/v2/requests.json", {"start_date": (now + dt.timedelta(days=1)).isoformat()}).status_code == 400
    own = client.get("/open311/v2/requests.json", {"api_key": citizen_key}).json()
    assert [(r["service_request_id"], r["description"], r["address"]) for r in own] == [
        (mine.number, "我家门口路灯坏了", "善卷路12号")]
    staff = client.get("/open311/v2/requests.json", {"api_key": accounts.issue_api_token(user=operator, name="x")})
    assert {r["service_request_id"] for r in staff.json()} == {mine.number, other.number}
    one = client.get(f"/open311/v2/requests/{other.number}.json").json()
    assert one[0]["service_name"] and one[0]["agency_responsible"] == ""


def test_an_existing_open311_client_reads_the_live_server(live_server, citizen, citizen_key):
    """georeport (a GeoReport v2 client from PyPI) against the running site, in JSON and in XML."""
    from georeport import GeoReport

    created = Client().post("/open311/v2/requests.json", {"api_key": citizen_key, "service_code": "suggestion",
                                                           "description": "建议延长周六窗口时间"})
    number = created.json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}/open311/v2", output_format=fmt)
        codes = [s["service_code"] for s in client.get_service_list()]
        assert codes == ["consultation", "help", "complaint", "report", "suggestion"], fmt
        definition = client.get_service_definition("complaint")
        assert definition["service_code"] == "complaint", fmt
        requests = client.get_service_requests(service_code="suggestion")
        requests = requests if isinstance(requests, list) else [requests]
        assert [r["service_request_id"] for r in requests] == [number], fmt
        assert requests[0]["status"] == "open"


def test_a_list_is_read_in_a_fixed_number_of_queries(client, citizen_key, django_assert_max_num_queries):
    for n in range(5):
        create(client, citizen_key, service_code="help", description=f"路灯坏了{n}")
    with django_assert_max_num_queries(4):
        assert len(client.get("/open311/v2/requests.json", {"api_key": citizen_key}).json()) == 5
