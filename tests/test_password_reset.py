"""Password reset by a code sent to the account's mobile (找回密码)."""

import logging
import re

import pytest
from django.db import connection

from onetrip.accounts.models import SmsCode
from onetrip.core.models import TrailEntry
from onetrip.core.sms import MemoryBackend

from .conftest import PASSWORD

NEW_PASSWORD = "Brand-New-Pass-2026"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "onetrip.core.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


def ask(client, mobile="13907360001", **extra):
    return client.post("/accounts/password-reset/", {"mobile": mobile}, **extra)


def sent_code(outbox):
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def reset(client, code, password=NEW_PASSWORD):
    return client.post("/accounts/password-reset/code/", {"code": code, "password": password, "password2": password})


@pytest.mark.django_db(transaction=True)
def test_the_owner_resets_the_password_with_the_sms_code(client, citizen, sms_outbox):
    from django.utils import timezone

    from onetrip.accounts.models import LoginFailures

    LoginFailures.objects.create(user=citizen, count=50, last_at=timezone.now())  # someone was guessing
    assert "/accounts/password-reset/" in client.get("/accounts/login/").content.decode()
    r = ask(client)
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/code/"
    assert [m.to for m in sms_outbox] == ["13907360001"]
    code = sent_code(sms_outbox)
    assert "10" in sms_outbox[0].text
    r = reset(client, code)
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    entry = TrailEntry.objects.get(action="user.password_reset")
    assert entry.actor == citizen and code not in str(entry.summary)
    assert not LoginFailures.objects.exists()  # the owner proved who they are: no more waiting
    # The code is used up.
    client.post("/accounts/password-reset/", {"mobile": "13907360001"})
    assert reset(client, code, "Another-Pass-2026").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_unknown_mobile_gets_the_same_answer_and_no_sms(client, citizen, sms_outbox):
    known = ask(client)
    unknown = ask(client, mobile="13907369999")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert [m.to for m in sms_outbox] == ["13907360001"]
    page = client.get("/accounts/password-reset/code/").content.decode()
    assert "139****9999" in page
    client.cookies["django_language"] = "en"
    r = reset(client, "123456")
    assert r.status_code == 200 and "wrong or has expired" in r.content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "验证码错误或已过期" in reset(client, "123456").content.decode()


@pytest.mark.django_db(transaction=True)
def test_only_a_hash_of_the_code_is_stored(client, citizen, sms_outbox):
    ask(client)
    code = sent_code(sms_outbox)
    row = SmsCode.objects.get()
    assert code not in row.code_hash and code not in row.salt and len(row.code_hash) == 64


@pytest.mark.django_db(transaction=True)
def test_a_code_allows_five_tries(client, citizen, sms_outbox):
    ask(client)
    code = sent_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert reset(client, wrong).status_code == 200
    assert reset(client, code).status_code == 200  # the right code, too late
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_a_code_expires_after_ten_minutes(client, citizen, sms_outbox, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    ask(client)
    code = sent_code(sms_outbox)
    time_machine.move_to("2026-03-02 10:10:01+08:00", tick=False)
    assert reset(client, code).status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_the_new_password_must_pass_the_validators_and_nothing_is_used_up(client, citizen, sms_outbox):
    ask(client)
    code = sent_code(sms_outbox)
    r = reset(client, code, "12345678")
    assert r.status_code == 200 and "error-summary" in r.content.decode()
    assert SmsCode.objects.get().tries == 0
    assert reset(client, code).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_sending_is_limited_per_mobile_and_per_address(client, citizen, sms_outbox, settings):
    settings.SMS_CODES_PER_MOBILE_PER_HOUR = 2
    settings.SMS_CODES_PER_ADDRESS_PER_HOUR = 3
    codes = [ask(client, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert len(sms_outbox) == 2
    # Another number from one address: the address's limit.
    codes = [ask(client, mobile=f"1390736100{i}", REMOTE_ADDR="203.0.113.5").status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]


@pytest.mark.django_db(transaction=True)
def test_the_code_is_never_logged(client, citizen, sms_outbox, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.db.backends", "axes", "onetrip"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # SQL with its parameters goes to the log too
    try:
        ask(client)
        code = sent_code(sms_outbox)
        reset(client, f"{(int(code) + 1) % 1_000_000:06d}")
        reset(client, code, "12345678")
        reset(client, code)
        client.post("/accounts/unlock/", {"mobile": "13907360001"})
        unlock_code = sent_code(sms_outbox)
        client.post("/accounts/unlock/code/", {"code": unlock_code})
    finally:
        connection.force_debug_cursor = False
    assert any("accounts_smscode" in r.getMessage() for r in caplog.records)  # the log was really captured
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and unlock_code not in logged
    trail = " ".join(str(e.summary) for e in TrailEntry.objects.all())
    assert code not in trail and unlock_code not in trail


@pytest.mark.django_db(transaction=True)
def test_the_api_resets_and_unlocks_the_same_way(client, citizen, sms_outbox, settings):
    settings.SMS_CODES_PER_MOBILE_PER_HOUR = 2

    def post(path, data):
        return client.post(f"/api/v1/auth/{path}", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    known = post("sms-code", {"mobile": "13907360001", "purpose": "reset"})
    unknown = post("sms-code", {"mobile": "13907369999", "purpose": "reset"})
    assert known.status_code == unknown.status_code == 202
    assert known.json()["detail"].replace("13907360001", "N") == unknown.json()["detail"].replace("13907369999", "N")
    assert post("sms-code", {"mobile": "12", "purpose": "reset"}).status_code == 400
    code = sent_code(sms_outbox)
    wrong = post("password-reset", {"mobile": "13907360001", "code": "abcdef", "password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "code" in wrong.json()["errors"]
    assert post("password-reset", {"mobile": "13907360001", "code": code, "password": NEW_PASSWORD}).status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert post("sms-code", {"mobile": "13907360001", "purpose": "unlock"}).status_code == 202
    assert post("unlock", {"mobile": "13907360001", "code": sent_code(sms_outbox)}).status_code == 200
    assert post("sms-code", {"mobile": "13907360001", "purpose": "unlock"}).status_code == 429
