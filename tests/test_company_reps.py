"""A company's USCC is public, so a self-registered representative waits for a window clerk."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onetrip.accounts import services
from onetrip.accounts.models import CompanyStatus, Role
from onetrip.accounts.selectors import may_apply_for_company
from onetrip.core.models import TrailEntry
from onetrip.demo.people import resident_id, uscc

from .conftest import PASSWORD, make_user

USCC = uscc("91430703MA4R00001")


@pytest.fixture
def company(db):
    return services.register_company(actor=None, uscc=USCC, name="鼎城区测试贸易有限公司（演示）",
                                     legal_representative="钱测试")


def sign_up(mobile="13907368801", rid="43070319880808123", uscc_code=USCC, **extra):
    return services.register_company_representative(
        real_name="孙冒认", mobile=mobile, resident_id=resident_id(rid), password=PASSWORD, uscc=uscc_code,
        company_name=extra.get("company_name", ""), legal_representative=extra.get("legal_representative", ""))


@pytest.mark.django_db
def test_a_self_registered_representative_may_not_apply_until_confirmed(company, department):
    rep = sign_up()
    assert rep.company == company and rep.company_status == CompanyStatus.PENDING
    assert not may_apply_for_company(rep)
    clerk = make_user(Role.WINDOW_CLERK, department)
    services.confirm_company_representative(actor=clerk, user_id=rep.pk)
    rep.refresh_from_db()
    assert may_apply_for_company(rep)
    entry = TrailEntry.objects.filter(action="company_rep.confirm").get()
    assert entry.actor == clerk and entry.object_id == str(rep.pk) and entry.summary == {"company": USCC}


@pytest.mark.django_db
def test_registering_a_company_first_proves_nothing_either(db):
    rep = sign_up(uscc_code=uscc("91430703MA4R00002"), company_name="新公司（演示）", legal_representative="李")
    assert rep.company_status == CompanyStatus.PENDING and not may_apply_for_company(rep)


@pytest.mark.django_db
def test_who_may_apply_for_a_company(company, department):
    made_by_admin = make_user(Role.COMPANY_REP, company=company)
    assert may_apply_for_company(made_by_admin)
    made_by_admin.is_active = False
    assert not may_apply_for_company(made_by_admin)
    assert not may_apply_for_company(make_user(Role.CITIZEN))
    assert not may_apply_for_company(make_user(Role.WINDOW_CLERK, department))


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_is_final(company, department):
    rep = sign_up()
    clerk = make_user(Role.WINDOW_CLERK, department)
    with pytest.raises(ValidationError, match="Say why"):
        services.reject_company_representative(actor=clerk, user_id=rep.pk, reason="  ")
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.PENDING
    services.reject_company_representative(actor=clerk, user_id=rep.pk, reason="授权委托书无公司印章")
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.REJECTED and not may_apply_for_company(rep)
    assert TrailEntry.objects.get(action="company_rep.reject").summary == {"company": USCC,
                                                                           "reason": "授权委托书无公司印章"}
    with pytest.raises(ValidationError, match="not awaiting verification"):
        services.confirm_company_representative(actor=clerk, user_id=rep.pk)


@pytest.mark.django_db
def test_only_window_clerks_decide(company, department):
    rep = sign_up()
    for role in (Role.OFFICER, Role.COMPANY_REP, Role.SYSTEM_ADMIN):
        with pytest.raises(PermissionDenied):
            services.confirm_company_representative(actor=make_user(role, department), user_id=rep.pk)
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.PENDING


@pytest.mark.django_db
def test_the_clerk_page_lists_confirms_and_rejects(client, company, department):
    first, second = sign_up(), sign_up(mobile="13907368802", rid="43070319880808234")
    client.force_login(make_user(Role.WINDOW_CLERK, department))
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/company-representatives/").content.decode()
    assert "孙冒认" in page and USCC in page and first.resident_id not in page  # ID shown masked
    r = client.post(f"/accounts/company-representatives/{first.pk}/confirm/")
    assert r.status_code == 302
    r = client.post(f"/accounts/company-representatives/{second.pk}/reject/", {"reason": ""}, follow=True)
    assert "Say why the representative is not confirmed." in r.content.decode()
    client.post(f"/accounts/company-representatives/{second.pk}/reject/", {"reason": "非本公司员工"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.company_status, second.company_status) == (CompanyStatus.VERIFIED, CompanyStatus.REJECTED)
    assert "Nobody is waiting." in client.get("/accounts/company-representatives/").content.decode()
    assert client.get(f"/accounts/company-representatives/{first.pk}/confirm/").status_code == 405


@pytest.mark.django_db
def test_the_representative_sees_that_a_window_must_verify_them(client, company):
    rep = sign_up()
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    assert "Awaiting verification at a window" in client.get("/accounts/me/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "等待窗口核验" in client.get("/accounts/me/").content.decode()


@pytest.mark.django_db
def test_the_api_for_window_clerks(client, company, department):
    rep = sign_up()
    client.force_login(make_user(Role.OFFICER, department))
    assert client.get("/api/v1/company-representatives").status_code == 403
    client.force_login(make_user(Role.WINDOW_CLERK, department))
    listed = client.get("/api/v1/company-representatives").json()
    assert [(r["id"], r["company_uscc"], r["resident_id"]) for r in listed] == [(rep.pk, USCC, rep.resident_id_masked)]
    r = client.post(f"/api/v1/company-representatives/{rep.pk}/reject", {"reason": ""}, content_type="application/json")
    assert r.status_code == 400
    r = client.post(f"/api/v1/company-representatives/{rep.pk}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "verified"
    assert client.post(f"/api/v1/company-representatives/{rep.pk}/confirm").status_code == 400
    assert client.post("/api/v1/company-representatives/999999/confirm").status_code == 404
