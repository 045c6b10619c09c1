"""Queries per request of the case sequence over the API (create → upload → submit): a fixed,
small number whatever happens elsewhere, so that a change that adds queries fails here.

The counts include the test's savepoints (two per service transaction; none in production)
and the trail's three statements per entry, five for the first entry of a new object."""

import io

import pytest

from onetrip.accounts import services as accounts

from .conftest import PDF

# create starts the application's trail chain, submit the case's (2 statements each)
CREATE, UPLOAD, SUBMIT = 12, 12, 18


@pytest.fixture
def auth(citizen):
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_api_token(user=citizen, name='queries')}"}


def _sequence(client, auth, item, key, django_assert_max_num_queries=None):
    def counted(limit):
        return django_assert_max_num_queries(limit) if django_assert_max_num_queries else _nothing()

    with counted(CREATE):
        r = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key, **auth)
    assert r.status_code == 201, r.content
    app = r.json()
    assert app["missing"] and [c["state"] for c in app["cases"]] == ["draft"]
    for name in app["missing"]:
        upload = io.BytesIO(PDF)
        upload.name = "scan.pdf"
        with counted(UPLOAD):
            r = client.post(f"/api/v1/applications/{app['id']}/materials", {"name": name, "file": upload}, **auth)
        assert r.status_code == 201, r.content
    with counted(SUBMIT):
        r = client.post(f"/api/v1/applications/{app['id']}/submit", **auth)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["missing"] == [] and out["cases"][0]["state"] == "submitted" and out["cases"][0]["number"]
    assert all(line["uploaded"] for line in out["checklist"] if line["required"] and not line["from_registry"])
    return out


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.django_db
def test_create_upload_submit_stay_within_their_query_budgets(client, auth, item, django_assert_max_num_queries):
    _sequence(client, auth, item, "warm-up")  # the working-day calendar is read once per process
    _sequence(client, auth, item, "counted", django_assert_max_num_queries)


@pytest.mark.django_db
def test_a_repeated_create_answers_the_first_application(client, auth, item):
    first = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="same", **auth)
    again = client.post("/api/v1/applications", {"item": item.item.code}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="same", **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
