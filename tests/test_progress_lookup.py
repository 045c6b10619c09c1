"""进度可查: the applicant follows the case; anyone with the number and the phone can look it up."""

import re

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
def test_the_applicant_sees_the_timeline_in_chinese_sentences_with_offices_not_officers(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    services.transition(case=case, action="claim", actor=staff.officer)
    client.force_login(citizen)
    page = client.get(f"/cases/{case.number}/").content.decode()
    found = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert found, "no timeline on the case page"
    entries = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]
    # Two events the applicant may see, each a Chinese sentence with the office that acted.
    assert len(entries) == 2, entries
    assert "已提交" in entries[0] and "申请人" in entries[0]
    assert "受理" in entries[1] and "综合窗口" in entries[1]
    # The officer's claim is internal: neither its label nor the officer shows.
    assert "认领" not in page
    assert staff.clerk.real_name not in page and staff.officer.real_name not in page
    assert staff.officer.username not in page
    # No English label, role or raw action key: the timeline's text has no Latin letter at all.
    assert not [e for e in entries if re.search(r"[A-Za-z]", e)], entries


@pytest.mark.django_db
def test_a_repeated_lookup_is_answered_from_the_cache_and_a_change_is_seen_at_once(
        client, citizen, item, staff, django_assert_max_num_queries):
    case = apply(citizen)
    body = {"number": case.number, "phone": "13907360001"}
    first = client.post("/api/v1/progress", body, content_type="application/json").json()
    with django_assert_max_num_queries(2):  # the client's count and the case's last change
        again = client.post("/api/v1/progress", body, content_type="application/json").json()
    assert again == first and first["state"] == "submitted"
    services.transition(case=case, action="accept", actor=staff.clerk)
    after = client.post("/api/v1/progress", body, content_type="application/json").json()
    assert after["state"] == "in_review"
    assert [e["action"] for e in after["timeline"]] == ["submit", "accept"]
    assert after["state_label"] == "已受理，审查中"
    # Cached per language: a reader in English after one in Chinese gets English.
    english = client.post("/api/v1/progress", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["state_label"] == "Accepted, under review"
    # The page answers from the same cache.
    page = client.post("/progress/", {"number": case.number, "secret": "13907360001"})
    assert "已受理，审查中" in page.content.decode()
