"""Error pages speak Chinese first, look like the rest of the site and always offer a way home."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from onetrip.accounts.models import Role
from onetrip.core import views

from .conftest import make_user

HOME = 'href="/"'


@pytest.mark.django_db
def test_a_citizen_on_a_staff_page_gets_a_chinese_403_with_a_way_back(client, citizen):
    client.force_login(citizen)
    response = client.get("/manage/catalogue/import/", HTTP_REFERER="http://testserver/items/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "您无权打开此页面" in page
    assert HOME in page and 'class="site-header"' in page
    assert 'href="http://testserver/items/"' in page  # back to where they came from
    assert "/accounts/login/" not in page.split("<main")[1]  # logged in: no log-in button


@pytest.mark.django_db
def test_a_403_for_an_anonymous_visitor_offers_to_log_in():
    request = RequestFactory().get("/manage/catalogue/import/", HTTP_REFERER="https://evil.example/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        response = views.permission_denied(request, None)
    page = response.content.decode()
    assert response.status_code == 403
    assert "/accounts/login/?next=/manage/catalogue/import/" in page and "登录" in page
    assert "evil.example" not in page  # a back link only to this site


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_a_chinese_page(department):
    clerk = make_user(Role.WINDOW_CLERK, department)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post("/accounts/logout/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in page and HOME in page


@pytest.mark.django_db
def test_a_bad_request_gets_a_chinese_400(client):
    response = client.get("/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法处理此请求" in page and HOME in page


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_fault_gets_a_chinese_500_without_touching_the_database():
    # No django_db mark: any query while rendering the page would fail this test.
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出了故障" in page and HOME in page and "12345" in page
    assert 'lang="zh-Hans"' in page


def test_the_500_page_is_english_for_english_readers():
    with translation.override("en"):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_500_page_shows_even_when_static_files_are_broken(tmp_path, settings):
    # A missing static manifest is a classic cause of 500s; the 500 page must not depend on it.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    with translation.override("zh-hans"):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出了故障" in response.content.decode()
