"""进度可查: the applicant follows the case; anyone with the number and the phone can look it up."""

import pytest

from onetrip.cases import services

from .conftest import apply


@pytest.mark.django_db
def test_lookup_by_number_and_mobile_shows_masked_progress(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    r = client.get("/api/v1/progress", {"number": case.number, "phone": "13907360001"})
    assert r.status_code == 200
    data = r.json()
    assert data["state"] == "in_review" and data["applicant"] == "张**" and data["applicant_mobile"] == "139****0001"
    assert [e["action"] for e in data["timeline"]] == ["submit", "accept"]
    assert all(e["who"] in {"applicant", "window_clerk", "system"} for e in data["timeline"])
    assert staff.clerk.username not in r.content.decode()


@pytest.mark.django_db
def test_lookup_by_id_number_works_too(client, citizen, item):
    case = apply(citizen)
    assert client.get("/api/v1/progress", {"number": case.number, "id_number": citizen.resident_id}).status_code == 200


@pytest.mark.django_db
def test_a_wrong_pair_says_only_not_found(client, citizen, item):
    case = apply(citizen)
    wrong_phone = client.get("/api/v1/progress", {"number": case.number, "phone": "13900000000"})
    wrong_number = client.get("/api/v1/progress", {"number": "430703-20000101-000001", "phone": "13907360001"})
    assert wrong_phone.status_code == wrong_number.status_code == 404
    assert wrong_phone.json() == wrong_number.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_lookups_are_rate_limited(client, citizen, item, settings):
    settings.PROGRESS_LOOKUPS_PER_HOUR = 3
    case = apply(citizen)
    codes = [client.get("/api/v1/progress", {"number": case.number, "phone": f"1390000000{i}"}).status_code
             for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    # Even the right pair is refused until the hour is over.
    assert client.get("/api/v1/progress", {"number": case.number, "phone": "13907360001"}).status_code == 429


@pytest.mark.django_db
def test_the_lookup_page(client, citizen, item):
    case = apply(citizen)
    page = client.post("/progress/", {"number": case.number, "secret": "13907360001"})
    assert page.status_code == 200 and "个体工商户设立登记" in page.content.decode()
    assert client.post("/progress/", {"number": case.number, "secret": "1"}).status_code == 404


@pytest.mark.django_db
def test_the_lookup_keeps_personal_data_out_of_the_address(client, citizen, item):
    """The form posts; a lookup put in the URL (as the old GET form did) is not answered."""
    case = apply(citizen)
    form = client.get("/progress/").content.decode()
    assert 'method="post"' in form
    page = client.get("/progress/", {"number": case.number, "secret": "13907360001"})
    assert "个体工商户设立登记" not in page.content.decode()
    api = client.post("/api/v1/progress", {"number": case.number, "phone": "13907360001"},
                      content_type="application/json")
    assert api.status_code == 200 and api.json()["number"] == case.number


@pytest.mark.django_db
def test_the_applicant_sees_the_timeline_with_departments_not_officer_names(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    services.transition(case=case, action="claim", actor=staff.officer)
    client.force_login(citizen)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert staff.clerk.real_name not in page and staff.officer.username not in page
    assert "claim" not in page  # internal steps are not on the applicant's timeline
