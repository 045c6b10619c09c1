"""Queries per request of the case sequence over the API (create → upload → submit): a fixed,
small number whatever happens elsewhere, so that a change that adds queries fails here.

The counts include the transaction's two statements (here a savepoint and its release, in
production BEGIN and COMMIT) and the trail's two statements per entry on PostgreSQL (three on
SQLite, which has no data-modifying WITH). Not counted: the SMS sent after submit's commit (one
UPDATE), which a test transaction never reaches."""

import io

import pytest
from django.db import connection

from onetrip.accounts import services as accounts

from .conftest import PDF

# create: token, item, 2 transaction, application, case, 2 trail, checklist
# upload: token, application, 2 transaction, cases locked, checklist, count, material, 2 trail
# submit: token, application, 2 transaction, cases locked, checklist, files, application, number,
#         case, SMS, 2 trail; once-only (the registries' submitted hook): the checklist's registry
#         materials, the registry's record, the waived materials, 2 trail
BUDGETS = {"postgresql": (9, 10, 18), "sqlite": (10, 11, 20)}


@pytest.fixture
def auth(citizen):
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_api_token(user=citizen, name='queries')}"}


def _sequence(client, auth, item, key, django_assert_max_num_queries=None):
    CREATE, UPLOAD, SUBMIT = BUDGETS[connection.vendor]

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
