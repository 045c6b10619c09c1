"""The public verification page (扫码核验) kept per content for visitors without a session: a kept
page is reused only while everything it shows is unchanged (a revocation, a rename, an expiry
show at once), the file check is a step of its own with its CSRF token, signed-in visitors get
their own page, and the one-query read equals the ORM's."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client

from onetrip.accounts.models import Department
from onetrip.licenses import selectors, services
from onetrip.licenses.models import Licence, LicenceStatus, LicenceType

from .conftest import PDF
from .licence_fixtures import english_client, licence_of

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def licence(citizen, department):
    return licence_of(citizen, department)


def url(licence):
    return f"/verify/{licence.verification_id}/"


def test_a_kept_page_is_reused_and_a_revocation_shows_at_once(licence, staff, citizen):
    first = english_client().get(url(licence))
    assert first.status_code == 200 and first.templates  # rendered
    again = english_client().get(url(licence))
    assert again.status_code == 200 and not again.templates  # the kept page
    page = again.content.decode()
    assert page == first.content.decode()
    assert "This licence was issued by the department named below and is valid today." in page
    assert citizen.real_name not in page and citizen.resident_id not in page  # still masked
    assert "no-cache" in again["Cache-Control"] and "no-store" in again["Cache-Control"]

    services.change_status(actor=staff.officer, licence=licence, status=LicenceStatus.REVOKED,
                           reason="以欺骗手段取得")
    revoked = english_client().get(url(licence))
    page = revoked.content.decode()
    assert revoked.templates and "This licence was revoked: it is no longer valid." in page
    assert "以欺骗手段取得" in page and "valid today" not in page


def test_any_change_to_what_the_page_shows_shows_at_once(licence, department):
    def page() -> str:
        english_client().get(url(licence))  # kept, if it can be
        return english_client().get(url(licence)).content.decode()

    assert "住房和城乡建设局" not in page()
    Department.objects.filter(pk=department.pk).update(name="住房和城乡建设局")
    assert "住房和城乡建设局" in page()
    LicenceType.objects.filter(pk=licence.licence_type_id).update(name="食品经营许可证")
    assert "食品经营许可证" in page()
    Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date(2020, 1, 1))  # past: expired today
    assert "This licence has expired." in page()
    successor = Licence.objects.create(
        licence_type=licence.licence_type, previous=licence, identifier="1.2.156.3005.2.GTGSHYYZZ.X.00000001.002.0",
        number="GT1", version=2, holder_kind=licence.holder_kind, holder_name=licence.holder_name,
        holder_id_number=licence.holder_id_number, department=department, title=licence.title,
        valid_from=dt.date(2026, 1, 1))
    assert successor.identifier in page()


def test_a_chinese_visitor_after_an_english_one_reads_chinese(licence):
    english_client().get(url(licence))
    english_client().get(url(licence))
    page = Client().get(url(licence)).content.decode()
    assert 'lang="zh-Hans"' in page and "Verify an electronic licence" not in page


def test_the_file_check_is_a_step_of_its_own_with_its_csrf_token(licence):
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies["django_language"] = "en"
    english_client().get(url(licence))
    landing = visitor.get(url(licence))
    assert not landing.templates  # the kept page: no token in it, no cookie set
    assert not TOKEN.search(landing.content.decode()) and "csrftoken" not in landing.cookies
    assert 'href="?check=file#chk"' in landing.content.decode()
    step = visitor.get(url(licence) + "?check=file")
    assert step.templates and 'enctype="multipart/form-data"' in step.content.decode()
    token = TOKEN.search(step.content.decode())
    assert token and "csrftoken" in step.cookies
    checked = visitor.post(url(licence), {"file": io.BytesIO(PDF), "csrfmiddlewaretoken": token.group(1)})
    assert checked.status_code == 200
    assert "The file matches the issued licence exactly." in checked.content.decode()
    assert TOKEN.search(checked.content.decode())  # the form again, for another file
    assert Client(enforce_csrf_checks=True).post(url(licence), {"file": io.BytesIO(PDF)}).status_code == 403


def test_a_signed_in_visitor_gets_their_own_page_not_a_kept_one(licence, citizen):
    english_client().get(url(licence))
    kept = english_client().get(url(licence))
    assert not kept.templates and "Log out" not in kept.content.decode()
    mine = english_client()
    mine.force_login(citizen)
    answer = mine.get(url(licence))
    assert answer.templates and "Log out" in answer.content.decode()
    assert "My licences" in answer.content.decode()


def test_the_one_query_read_is_the_orm_read(licence, staff, django_assert_num_queries):
    services.change_status(actor=staff.officer, licence=licence, status=LicenceStatus.SUSPENDED, reason="停业整顿")
    with django_assert_num_queries(1):
        view = selectors.verification_view(licence.verification_id)
    orm = selectors.public_view(selectors.by_verification_id(licence.verification_id))  # type: ignore[arg-type]
    assert view == orm
    assert view is not None and view.status_changed_at is not None and view.status_changed_at.tzinfo is not None
    assert view.status == LicenceStatus.SUSPENDED and view.status_reason == "停业整顿"
    assert view.holder != licence.holder_name and "*" in view.holder_id  # masked
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.PENDING)
    assert selectors.verification_view(licence.verification_id) is None
    assert selectors.verification_view("not-a-key") is None and selectors.verification_view("x" * 33) is None
