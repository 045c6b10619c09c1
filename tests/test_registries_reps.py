"""企业经办人核验: company representatives verified through the company registry — their ID is the
legal representative's, or the legal representative confirms the delegation by a code sent to the
mobile the registry holds; unverified representatives, and revoked companies, cannot apply."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from onetrip.accounts import services as accounts
from onetrip.accounts.models import CompanyStatus
from onetrip.cases import services as cases
from onetrip.cases.rules import Refused
from onetrip.core.models import TrailEntry
from onetrip.core.sms import MemoryBackend
from onetrip.demo.people import resident_id, uscc
from onetrip.registries import services
from onetrip.registries.models import RegisteredCompany, WaivedMaterial

from .conftest import PASSWORD

USCC = uscc("91430703MA4R00088")
BOSS_ID = resident_id("43070319880808111")
LEGAL_MOBILE = "13907368200"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "onetrip.core.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


@pytest.fixture
def registry(db):
    services.import_records(actor=None, companies=[{
        "uscc": USCC, "name": "鼎城区核验测试有限公司（演示）", "kind": "limited", "legal_representative": "钱法人",
        "legal_representative_id_number": BOSS_ID, "legal_representative_mobile": LEGAL_MOBILE,
        "address": "湖南省常德市鼎城区武陵镇样板路9号", "status": "active", "established_on": dt.date(2012, 3, 1)}])


def sign_up(rid: str, name: str = "孙经办", mobile: str = "13907368201"):
    return accounts.register_company_representative(
        real_name=name, mobile=mobile, resident_id=rid, password=PASSWORD, uscc=USCC,
        company_name="鼎城区核验测试有限公司（演示）", legal_representative="钱法人")


def apply_for_company(rep, item):
    return cases.create_application(actor=rep, item_code=item.item.code)


@pytest.mark.django_db
def test_an_unverified_representative_cannot_apply_for_the_company(registry, item):
    rep = sign_up(resident_id("43070319900505123"))
    with pytest.raises(Refused) as refused:
        apply_for_company(rep, item)
    assert refused.value.code == "unverified_representative"


@pytest.mark.django_db
def test_the_legal_representative_is_verified_by_the_id_match(registry, item):
    rep = sign_up(BOSS_ID, name="钱法人")
    services.verify_by_registry(actor=rep)
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.VERIFIED and rep.company_checked_by is None
    assert "legal representative" in rep.company_check_note
    entry = TrailEntry.objects.get(action="company_rep.verify_by_registry")
    assert entry.actor == rep and entry.summary["company"] == USCC
    application, _ = apply_for_company(rep, item)
    assert application.company.uscc == USCC


@pytest.mark.django_db
def test_someone_else_is_not_verified_by_the_id_match(registry):
    rep = sign_up(resident_id("43070319900505123"))
    with pytest.raises(Refused) as refused:
        services.verify_by_registry(actor=rep)
    assert refused.value.code == "not_legal_rep"
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.PENDING
    assert not TrailEntry.objects.filter(action="company_rep.verify_by_registry").exists()


@pytest.mark.django_db
def test_the_legal_representative_confirms_the_delegation_by_a_code(registry, item, sms_outbox, django_capture_on_commit_callbacks):
    rep = sign_up(resident_id("43070319900505123"))
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.send_delegation_code(actor=rep, client="127.0.0.1")
    [sms] = sms_outbox
    assert sms.to == LEGAL_MOBILE  # the registry's mobile, never one the representative gives
    assert "孙经办" in sms.text and "鼎城区核验测试有限公司" in sms.text
    code = re.search(r"code (\d{6})", sms.text).group(1)
    assert code not in str(TrailEntry.objects.values_list("summary", flat=True))  # never kept in clear
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError, match="wrong or has expired"):
        services.confirm_delegation(actor=rep, confirmation_id=confirmation.pk, code=wrong)
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.PENDING
    services.confirm_delegation(actor=rep, confirmation_id=confirmation.pk, code=code)
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.VERIFIED
    assert "139****8200" in rep.company_check_note
    application, _ = apply_for_company(rep, item)
    assert application.company.uscc == USCC


@pytest.mark.django_db
def test_a_code_is_good_for_five_tries_and_for_its_own_representative_only(registry, sms_outbox,
                                                                            django_capture_on_commit_callbacks):
    rep = sign_up(resident_id("43070319900505123"))
    other = sign_up(resident_id("43070319900505234"), name="李冒认", mobile="13907368202")
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.send_delegation_code(actor=rep, client="127.0.0.1")
    code = re.search(r"code (\d{6})", sms_outbox[0].text).group(1)
    with pytest.raises(ValidationError):
        services.confirm_delegation(actor=other, confirmation_id=confirmation.pk, code=code)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.confirm_delegation(actor=rep, confirmation_id=confirmation.pk, code=wrong)
    with pytest.raises(ValidationError):
        services.confirm_delegation(actor=rep, confirmation_id=confirmation.pk, code=code)
    rep.refresh_from_db()
    other.refresh_from_db()
    assert rep.company_status == other.company_status == CompanyStatus.PENDING


@pytest.mark.django_db
def test_a_company_the_registry_shows_revoked_cannot_apply(registry, item):
    rep = sign_up(BOSS_ID, name="钱法人")
    services.verify_by_registry(actor=rep)
    RegisteredCompany.objects.filter(uscc=USCC).update(status="revoked")
    rep.refresh_from_db()
    with pytest.raises(Refused) as refused:
        apply_for_company(rep, item)
    assert refused.value.code == "company_not_active"


@pytest.mark.django_db
def test_the_business_licence_comes_from_the_company_registry(registry, item, catalog_admin, department):
    from .conftest import apply, make_item

    rep = sign_up(BOSS_ID, name="钱法人")
    services.verify_by_registry(actor=rep)
    rep.refresh_from_db()
    version = make_item(catalog_admin, department, materials=[
        {"name": "申请书", "form": "original"}, {"name": "营业执照", "form": "copy", "registry": "company"}])
    case = apply(rep, version.item.code)
    waived = case.waived_materials.get()
    assert (waived.name, waived.reference, waived.found) == ("营业执照", USCC, True)
    assert waived.snapshot["legal_representative"] == "钱法人" and "legal_representative_mobile" not in waived.snapshot
    assert WaivedMaterial.objects.count() == 1


@pytest.mark.django_db
def test_the_representative_page(registry, client):
    rep = sign_up(BOSS_ID, name="钱法人")
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    page = client.get("/registries/representative/").content.decode()
    assert "Check my ID against the company registry" in page
    r = client.post("/registries/representative/", {"check_id": "1"}, follow=True)
    assert "You are verified as the representative" in r.content.decode()
    rep.refresh_from_db()
    assert rep.company_status == CompanyStatus.VERIFIED
