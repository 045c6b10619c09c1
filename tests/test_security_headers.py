"""Headers and settings an attacker probes first: CSP, framing, referrer, sniffing, cookies, HSTS,
``check --deploy``, and bodies too large to read."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from onetrip.cases.models import CaseMaterial

from .conftest import PDF

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p for p in (ROOT / "onetrip").rglob("templates/**/*.html"))


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def assert_strict(policy: str) -> None:
    d = directives(policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert d["frame-ancestors"] == ["'none'"] and d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
    assert d["default-src"] == ["'self'"] and d["script-src"] == ["'self'"] and d["style-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/items/", "/accounts/login/", "/progress/", "/api/v1/items",
                                  "/no-such-page/", "/admin/login/"])
def test_every_response_has_a_strict_policy_and_the_usual_headers(client, path, item):
    response = client.get(path)
    assert_strict(response["Content-Security-Policy"])
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style_but_the_500_page():
    """An inline script, <style> block or style= attribute would be blocked by the policy (and
    allowing it would let injected markup run): templates use the static files."""
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        if path.name == "500.html" and path.parent.name == "templates":
            continue  # its own policy allows its <style> block by hash
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
        for pattern in (r"<style\b", r"\sstyle\s*=", r"\son[a-z]+\s*=", r"javascript:"):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert TEMPLATES and not offenders, offenders


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.error_urls", DEBUG=False)
def test_the_500_page_allows_exactly_its_own_style_block():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    [style] = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    d = directives(response["Content-Security-Policy"])
    assert d["style-src"] == [f"'sha256-{digest}'"] and d["default-src"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"] and "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_page_may_load_only_data_images_besides(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert_strict(response["Content-Security-Policy"])
    assert directives(response["Content-Security-Policy"])["img-src"] == ["'self'", "data:"]  # Swagger UI's icons
    assert directives(client.get("/")["Content-Security-Policy"])["img-src"] == ["'self'"]


# --- settings under HTTPS, and check --deploy --------------------------------------------------

def production_env(tmp_path: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"DEBUG": "false", "HTTPS": "true", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "zwfw.dingcheng.gov.cn", "ONETRIP_VAR_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "onetrip.settings", **more})
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT,  # noqa: S603
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_turns_on_secure_cookies_redirects_and_hsts(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS)")
    on = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=production_env(tmp_path),  # noqa: S603
                        capture_output=True, text=True, timeout=60)
    assert on.stdout.split() == ["True", "True", "True", "True", "31536000", "True"], on.stderr
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT,  # noqa: S603
                         env=production_env(tmp_path, HTTPS="false"),
                         capture_output=True, text=True, timeout=60)
    assert off.stdout.split() == ["False", "False", "True", "False", "0", "True"], off.stderr


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"])
def test_over_https_responses_carry_hsts_and_plain_http_is_redirected(client):
    assert "max-age=31536000" in client.get("/", secure=True)["Strict-Transport-Security"]
    plain = client.get("/items/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


# --- bodies too large to read ------------------------------------------------------------------

GIGABYTE = str(1 << 30)


@pytest.mark.django_db
def test_a_one_gigabyte_upload_to_a_page_is_refused_before_it_is_read(client, citizen, item):
    from onetrip.cases import services

    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    client.force_login(citizen)
    f = io.BytesIO(PDF)
    f.name = "scan.pdf"
    # The test client's body is small; a view that read it up to the stated length would fail.
    response = client.post(f"/applications/{application.pk}/", {"upload": "1", "name": "个体工商户登记（备案）申请书",
                                                                 "file": f}, CONTENT_LENGTH=GIGABYTE)
    assert response.status_code == 413 and "10.0 MB" in response.content.decode()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert not CaseMaterial.objects.exists()


@pytest.mark.django_db
def test_a_one_gigabyte_upload_to_the_api_is_refused_with_json(client):
    response = client.post("/api/v1/applications/1/materials", b"x", content_type="multipart/form-data; boundary=x",
                           CONTENT_LENGTH=GIGABYTE)
    assert response.status_code == 413 and "MB" in response.json()["detail"]


@pytest.mark.django_db
def test_the_limit_is_on_the_stated_length(client, settings):
    settings.REQUEST_MAX_BYTES = 2000
    under = client.post("/accounts/login/", {"username": "x" * 1500, "password": "y"})
    over = client.post("/accounts/login/", {"username": "x" * 2500, "password": "y"})
    assert under.status_code == 200 and over.status_code == 413


def test_the_request_limit_is_one_file_plus_room_for_the_form():
    from django.conf import settings

    assert settings.UPLOAD_MAX_BYTES < settings.REQUEST_MAX_BYTES <= settings.UPLOAD_MAX_BYTES + 1_048_576
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440 and settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440


@pytest.mark.django_db
def test_a_nul_character_anywhere_in_the_text_is_refused_before_the_database_sees_it(client):
    """PostgreSQL cannot store NUL: without this the fuzzer's "\\u0000" was a server error there."""
    api = client.post("/api/v1/progress", '{"number": "430703-\\u0000", "phone": "13907360001"}',
                      content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "nul_character"
    page = client.post("/progress/", {"number": "430703\x00", "secret": "13907360001"})
    assert page.status_code == 400
    assert client.get("/items/", {"q": "营业\x00执照"}).status_code == 400
    assert client.post("/progress/", {"number": "430703-20261129-000001", "secret": "1"}).status_code == 404


@pytest.mark.django_db
def test_a_username_longer_than_any_account_fails_the_log_in_like_any_other(client):
    r = client.post("/accounts/login/", {"username": "x" * 1500, "password": "y"})
    assert r.status_code == 200
    from axes.models import AccessAttempt

    assert all(len(a.username or "") <= 150 for a in AccessAttempt.objects.all())


@pytest.mark.django_db(transaction=True)
def test_too_large_is_413_on_the_development_server_too(live_server, settings):
    """The development server (wsgiref) refuses hop-by-hop headers from the application: the 413
    must not carry ``Connection: close`` there (it became a 500)."""
    import http.client
    from urllib.parse import urlsplit

    settings.REQUEST_MAX_BYTES = 2000
    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    conn.request("POST", "/progress/", body=b"x" * 5000)
    assert conn.getresponse().status == 413
    conn.close()
