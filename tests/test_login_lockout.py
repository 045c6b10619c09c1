import pytest
from django.test import override_settings

from .conftest import PASSWORD, make_user


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_staff_are_locked_out_after_repeated_failures_even_with_the_right_password(client, department):
    clerk = make_user("window_clerk", department)
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": clerk.username, "password": "wrong-password"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_right_password_logs_in(client, department):
    clerk = make_user("window_clerk", department)
    response = client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_api_token_endpoint_locks_out_too(client, department):
    officer = make_user("officer", department)
    r = client.post("/api/v1/auth/token", {"username": officer.username, "password": "nope"},
                    content_type="application/json")
    assert r.status_code == 401
    assert r.json()["detail"] == "Wrong username or password."
    client.post("/api/v1/auth/token", {"username": officer.username, "password": "nope"},
                content_type="application/json")
    r = client.post("/api/v1/auth/token", {"username": officer.username, "password": PASSWORD},
                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429
    assert "locked" in r.json()["detail"]
