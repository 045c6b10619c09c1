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


# --- account and address together; the account as a whole only slows down ----------------------

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.9"


def log_in(client, username, password, address):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_someone_who_knows_the_mobile_cannot_lock_the_owner_out(client, citizen):
    for _ in range(3):
        log_in(client, citizen.username, "wrong-password", ATTACKER)
    assert log_in(client, citizen.username, PASSWORD, ATTACKER).status_code == 429
    owner = log_in(client, citizen.username, PASSWORD, OWNER)
    assert owner.status_code == 302 and client.session["_auth_user_id"] == str(citizen.pk)


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_behind_a_proxy_the_lock_is_per_client_not_per_proxy(client, citizen, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(3):
        client.post("/accounts/login/", {"username": citizen.username, "password": "nope"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.{_}, {ATTACKER}")
    owner = client.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD},
                        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OWNER)
    assert owner.status_code == 302


@pytest.mark.django_db
def test_many_addresses_only_slow_the_account_down(client, citizen, settings, time_machine):
    settings.LOGIN_SLOWDOWN_AFTER = 3
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    for i in range(3):
        assert log_in(client, citizen.username, "wrong-password", f"198.51.100.{i}").status_code == 200
    # Now every attempt waits 5 s after the last failure, from anywhere, right password or not.
    slowed = log_in(client, citizen.username, PASSWORD, OWNER)
    assert slowed.status_code == 429 and slowed["Retry-After"] == "5"
    client.cookies["django_language"] = "en"
    assert "wait 5 seconds" in log_in(client, citizen.username, PASSWORD, OWNER).content.decode()
    time_machine.move_to("2026-03-02 10:00:05+08:00", tick=False)
    assert log_in(client, citizen.username, "wrong-again", "198.51.100.50").status_code == 200
    time_machine.move_to("2026-03-02 10:00:14+08:00", tick=False)  # the wait doubled to 10 s
    assert log_in(client, citizen.username, PASSWORD, OWNER).status_code == 429
    time_machine.move_to("2026-03-02 10:00:15+08:00", tick=False)
    assert log_in(client, citizen.username, PASSWORD, OWNER).status_code == 302


@pytest.mark.django_db
def test_the_wait_has_a_ceiling_and_refused_attempts_do_not_count(client, citizen, settings, time_machine):
    from axes.models import AccessAttempt

    from onetrip.accounts.lockout import wait_seconds
    from onetrip.accounts.models import LoginFailures

    settings.LOGIN_SLOWDOWN_AFTER = 1
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 30
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    for i in range(8):  # each one after the previous wait is over
        log_in(client, citizen.username, "wrong-password", f"198.51.100.{i}")
        time_machine.shift(30)
    log_in(client, citizen.username, "wrong-password", ATTACKER)
    assert wait_seconds(citizen.username) == 30
    for _ in range(20):
        assert log_in(client, citizen.username, "wrong-password", OWNER).status_code == 429
    assert LoginFailures.objects.get(user=citizen).count == 9
    assert not AccessAttempt.objects.filter(ip_address=OWNER).exists()
    time_machine.shift(30)
    assert log_in(client, citizen.username, PASSWORD, OWNER).status_code == 302


@pytest.mark.django_db(transaction=True)
@override_settings(AXES_FAILURE_LIMIT=3, SMS_BACKEND="onetrip.core.sms.MemoryBackend")
def test_the_owner_unlocks_the_account_with_an_sms_code(client, citizen, settings):
    import re

    from onetrip.accounts.models import LoginFailures
    from onetrip.core.models import TrailEntry
    from onetrip.core.sms import MemoryBackend

    settings.LOGIN_SLOWDOWN_AFTER = 3
    MemoryBackend.outbox = []
    for _ in range(3):
        log_in(client, citizen.username, "wrong-password", OWNER)
    locked = log_in(client, citizen.username, PASSWORD, OWNER)
    assert locked.status_code == 429 and "/accounts/unlock/" in locked.content.decode()
    r = client.post("/accounts/unlock/", {"mobile": citizen.mobile}, REMOTE_ADDR=OWNER)
    assert r["Location"] == "/accounts/unlock/code/"
    code = re.search(r"\b(\d{6})\b", MemoryBackend.outbox[-1].text).group(1)
    assert client.post("/accounts/unlock/code/", {"code": "000000" if code != "000000" else "111111"},
                       REMOTE_ADDR=OWNER).status_code == 200
    assert client.post("/accounts/unlock/code/", {"code": code}, REMOTE_ADDR=OWNER)["Location"] == "/accounts/login/"
    assert not LoginFailures.objects.filter(user=citizen).exists()
    entry = TrailEntry.objects.get(action="user.unlock")
    assert entry.actor == citizen and code not in str(entry.summary)
    assert log_in(client, citizen.username, PASSWORD, OWNER).status_code == 302


def token(client, username, password, address):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json", REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_api_token_endpoint_follows_the_same_rule(client, citizen, settings, time_machine):
    settings.LOGIN_SLOWDOWN_AFTER = 4
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    assert token(client, citizen.username, "nope", ATTACKER).status_code == 401
    assert token(client, citizen.username, "nope", ATTACKER).status_code == 429  # the limit is reached
    assert token(client, citizen.username, PASSWORD, ATTACKER).status_code == 429
    assert token(client, citizen.username, PASSWORD, OWNER).status_code == 201
    for i in range(2):
        token(client, citizen.username, "nope", f"198.51.100.{i}")
    slowed = token(client, citizen.username, PASSWORD, OWNER)
    assert slowed.status_code == 429 and slowed.json()["retry_after"] == 5 and "wait 5 seconds" in slowed.json()["detail"]
