"""Shared registries (政务共享数据库): one query interface, read only for a case, every read on the
case's trail; the provider boundary; once-only (免提交) at submission; the rate of waived materials;
the demo's registries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onetrip.accounts.models import Role
from onetrip.cases import services as cases
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused
from onetrip.core.models import TrailEntry
from onetrip.demo.people import resident_id, uscc
from onetrip.registries import selectors, services
from onetrip.registries.models import CompanyState, RegisteredPerson, WaivedMaterial
from onetrip.registries.providers import PersonRecord, RegistryProvider, provider

from .conftest import apply, make_department, make_user

ZHANG_ID = resident_id("43070319900101123")  # the conftest's citizen 张测试
COMPANY = uscc("91430703MA4R00077")
BOSS_ID = resident_id("43242119800808111")  # born before 鼎城区: 常德县's code


@pytest.fixture
def registry(db):
    services.import_records(actor=None, people=[
        {"id_number": ZHANG_ID, "name": "张测试", "sex": "male", "birth_date": dt.date(1990, 1, 1),
         "household_address": "湖南省常德市鼎城区玉霞街道桥南社区建设路18号"},
        {"id_number": BOSS_ID, "name": "钱老板", "sex": "male", "birth_date": dt.date(1980, 8, 8),
         "household_address": "湖南省常德市鼎城区武陵镇青山村3组1号"},
    ], companies=[
        {"uscc": COMPANY, "name": "鼎城区测试商贸有限公司（演示）", "kind": "limited", "legal_representative": "钱老板",
         "legal_representative_id_number": BOSS_ID, "legal_representative_mobile": "13907368100",
         "address": "湖南省常德市鼎城区武陵镇样板路2号", "status": "active", "established_on": dt.date(2015, 1, 1)},
    ])


def reads(case=None):
    entries = TrailEntry.objects.filter(action="registry.read")
    return entries.filter(object_id=str(case.pk)) if case is not None else entries


# --- Read only for a case, and on its trail ------------------------------------------------------


@pytest.mark.django_db
def test_a_registry_is_not_read_without_a_case_purpose(registry, staff):
    with pytest.raises(Refused) as refused:
        services.lookup_person(actor=staff.officer, id_number=ZHANG_ID, case=None, purpose="想看看")
    assert refused.value.code == "no_purpose"
    with pytest.raises(Refused, match="name the case"):
        services.lookup_company(actor=staff.officer, uscc=COMPANY, case=None)
    assert not reads().exists()


@pytest.mark.django_db
def test_every_staff_read_is_on_the_case_trail_with_the_case_as_reason(registry, item, citizen, staff):
    case = apply(citizen)
    cases.transition(case=case, action="accept", actor=staff.clerk)
    record = services.lookup_person(actor=staff.officer, id_number=ZHANG_ID, case=case, purpose="核对户籍地址")
    assert record.household_address.endswith("建设路18号") and record.source == "local"
    entry = reads(case).get()
    assert entry.actor == staff.officer and entry.object_type == "cases.case"
    assert entry.summary == {"number": case.number, "registry": "population", "record": "430703********1237",
                             "found": True, "provider": "local", "purpose": "核对户籍地址"}
    assert ZHANG_ID not in str(entry.summary)  # the trail keeps the number masked


@pytest.mark.django_db
def test_who_may_read_what_for_which_case(registry, item, citizen, staff, district):
    case = apply(citizen)
    other_department = make_user(Role.OFFICER, make_department(district, code="ZJJ", name="住建局"))
    # only the department's staff once submitted; window clerks at the front desk; the applicant's own record
    for actor in (staff.officer, staff.head, staff.clerk, citizen):
        assert services.lookup_person(actor=actor, id_number=ZHANG_ID, case=case) is not None
    for actor, code in ((other_department, "not_your_department"), (make_user(Role.SUPERVISOR), "forbidden"),
                        (make_user(Role.CITIZEN), "forbidden"), (make_user(Role.PROXY_AGENT), "forbidden")):
        with pytest.raises(Refused) as refused:
            services.lookup_person(actor=actor, id_number=ZHANG_ID, case=case)
        assert refused.value.code == code, actor.role
    # only the records the case is about: not another person, not a company it does not name
    with pytest.raises(Refused) as refused:
        services.lookup_person(actor=staff.officer, id_number=BOSS_ID, case=case)
    assert refused.value.code == "not_this_case"
    with pytest.raises(Refused):
        services.lookup_company(actor=staff.officer, uscc=COMPANY, case=case)
    # the window clerk's part ends when the case leaves the front desk
    case = cases.transition(case=case, action="accept", actor=staff.clerk)
    with pytest.raises(Refused):
        services.lookup_person(actor=staff.clerk, id_number=ZHANG_ID, case=case)
    assert reads(case).count() == 4  # the four allowed reads, nothing for the refused ones


@pytest.mark.django_db
def test_a_bad_number_is_a_clear_error_and_nothing_is_read(registry, item, citizen, staff):
    case = apply(citizen)
    with pytest.raises(ValidationError, match="not a valid resident ID number"):
        services.lookup_person(actor=staff.officer, id_number="430703199001011230", case=case)
    assert not reads().exists()


# --- The provider boundary ------------------------------------------------------------------------


class ProvinceExchange:
    """A stand-in for a province's data exchange: answers one person, knows no companies."""

    name = "province"

    def person(self, id_number):
        return PersonRecord(id_number=id_number, name="省平台人员", sex="female", birth_date=dt.date(1990, 1, 1),
                            household_address="省平台地址", source=self.name)

    def company(self, uscc):
        return None

    def licences(self, holder_id, kind=""):
        return []


@pytest.mark.django_db
def test_the_provider_is_chosen_by_a_setting(settings, item, citizen, staff):
    assert isinstance(provider(), RegistryProvider) and provider().name == "local"
    settings.REGISTRY_PROVIDER = "tests.test_registries.ProvinceExchange"
    case = apply(citizen)
    assert services.lookup_person(actor=staff.officer, id_number=ZHANG_ID, case=case).name == "省平台人员"
    assert case.waived_materials.get().snapshot["source"] == "province"
    assert reads(case).get().summary["provider"] == "province"


def test_the_setting_is_strict(monkeypatch):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                          "'onetrip.settings'; django.setup()"], env={**__import__("os").environ,
                                                                       "REGISTRY_PROVIDER": "province"},
                         capture_output=True, text=True)
    assert run.returncode != 0 and "REGISTRY_PROVIDER='province'" in run.stderr


# --- Once-only (免提交) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_registry_materials_are_recorded_as_waived_on_submission(registry, item, citizen):
    case = apply(citizen)
    waived = case.waived_materials.get()
    assert (waived.name, waived.registry, waived.reference, waived.found) == ("经营者居民身份证", "population", ZHANG_ID,
                                                                              True)
    assert waived.snapshot["household_address"].endswith("建设路18号") and waived.provider == "local"
    entry = TrailEntry.objects.get(action="registry.supply")
    assert entry.object_id == str(case.pk) and entry.actor is None
    assert entry.summary["supplied"] == [{"name": "经营者居民身份证", "registry": "population",
                                           "record": "430703********1237", "found": True}]
    # submitting again (a double tap) records nothing twice
    cases.submit_application(actor=citizen, application=case.application)
    assert WaivedMaterial.objects.count() == 1


@pytest.mark.django_db
def test_a_person_the_registry_does_not_know_is_recorded_as_not_found(item, citizen, staff, client):
    case = apply(citizen)
    waived = case.waived_materials.get()
    assert not waived.found and waived.snapshot == {}
    assert selectors.waived_rate().waived == 0
    client.force_login(staff.clerk)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "The registry holds no record for this case" in page
    assert not TrailEntry.objects.filter(action="personal_data.view").exists()  # nothing personal was shown


@pytest.mark.django_db
def test_nothing_is_waived_if_the_submission_fails(registry, item, citizen):
    application, _ = cases.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(Refused, match="Still missing"):
        cases.submit_application(actor=citizen, application=application)
    assert not WaivedMaterial.objects.exists()


@pytest.mark.django_db
def test_the_applicant_sees_provided_by_the_government(registry, item, citizen, client):
    case = apply(citizen)
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "Provided by the government: nothing to upload" in page and "经营者居民身份证" in page
    client.cookies["django_language"] = "zh-hans"
    assert "政府部门提供，无需上传" in client.get(f"/cases/{case.number}/").content.decode()
    api = client.get(f"/api/v1/cases/{case.number}").json()
    [line] = [m for m in api["materials"] if m["name"] == "经营者居民身份证"]
    assert line["status"] == "registry" and "nothing to upload" in line["status_label"] or "无需上传" in line[
        "status_label"]


@pytest.mark.django_db
def test_the_officer_sees_the_record_masked_and_the_view_is_on_the_trail(registry, item, citizen, staff, client):
    case = apply(citizen)
    client.force_login(staff.officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "Household address" in page and "建设路18号" in page
    assert "430703********1237" in page and ZHANG_ID not in page and "张测试" not in page  # masked as the applicant's
    view = TrailEntry.objects.filter(action="personal_data.view", object_id=str(case.pk)).get()
    assert view.actor == staff.officer and view.summary["registry_records"] == ["经营者居民身份证"]


@pytest.mark.django_db
def test_the_rate_of_waived_materials(registry, item, citizen, catalog_admin, department):
    from .conftest import make_item

    assert selectors.waived_rate().rate is None  # nothing submitted yet: no figure, not 0 %
    apply(citizen)  # 2 required materials, 1 from the population registry
    other = make_item(catalog_admin, department, materials=[{"name": "申请书", "form": "original"},
                                                            {"name": "身份证", "form": "copy", "registry": "population"},
                                                            {"name": "营业执照", "form": "copy", "registry": "company"}])
    apply(citizen, other.item.code)  # 3 required, 1 found (the person; no company on a citizen's case)
    rate = selectors.waived_rate()
    assert (rate.waived, rate.required) == (2, 5) and rate.rate == pytest.approx(0.4)
    assert selectors.waived_rate(item_id=other.item_id).required == 3
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert selectors.waived_rate(since=tomorrow).required == 0
    # a draft counts for nothing
    application, _ = cases.create_application(actor=citizen, item_code=other.item.code)
    assert selectors.waived_rate().required == 5


# --- Form prefill ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_application_form_starts_with_the_registry_address(registry, item, citizen, client):
    client.force_login(citizen)
    page = client.get(f"/items/{item.item.code}/apply/").content.decode()
    assert 'value="湖南省常德市鼎城区玉霞街道桥南社区建设路18号"' in page
    unknown = make_user(Role.CITIZEN, resident_id=resident_id("43070319900303001"), mobile="13907368123")
    client.force_login(unknown)
    assert 'name="address" value=""' in client.get(f"/items/{item.item.code}/apply/").content.decode()


# --- The demo's registries -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_registries_are_seeded_valid_and_hold_the_demo_people():
    from stdnum.cn import ric
    from stdnum.cn import uscc as uscc_check

    from onetrip.demo import people
    from onetrip.demo.registries import generate, load_registries

    everyone, companies = generate()
    assert (everyone, companies) == generate()  # the same on every run
    assert len(everyone) >= 300 and len(companies) >= 100
    assert all(ric.is_valid(p["id_number"]) for p in everyone)
    assert all(uscc_check.is_valid(c["uscc"]) and ric.is_valid(c["legal_representative_id_number"]) for c in companies)
    assert len({p["id_number"] for p in everyone}) == len(everyone)
    assert all("鼎城区" in p["household_address"] for p in everyone)
    assert {p["id_number"][:6] for p in everyone} == {"430703", "432421"}
    ids = {p["id_number"] for p in everyone}
    assert {rid for *_x, rid, _d, _e in people.PEOPLE if rid} <= ids
    assert {c["uscc"] for c in people.COMPANIES} <= {c["uscc"] for c in companies}
    assert {c["legal_representative_id_number"] for c in companies} <= ids
    assert {c["status"] for c in companies} > {CompanyState.ACTIVE}
    assert load_registries() == (len(everyone), len(companies))
    assert load_registries() == (0, 0)  # loaded once
    assert RegisteredPerson.objects.count() == len(everyone)


@pytest.mark.django_db
def test_in_the_demo_the_id_card_comes_from_the_registry():
    from onetrip.demo.services import load

    load()
    case = Case.objects.filter(application__applicant__username="13907360001").exclude(number=None).order_by("id")[0]
    waived = list(case.waived_materials.filter(found=True))
    assert waived and all(w.registry == "population" for w in waived)
    assert not case.application.materials.filter(name__in=[w.name for w in waived]).exists()




# --- The API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_looks_up_only_for_a_case_and_puts_it_on_the_trail(registry, item, citizen, staff, client):
    case = apply(citizen)
    client.force_login(staff.officer)
    r = client.get(f"/api/v1/registries/people/{ZHANG_ID}")
    assert r.status_code == 400 and r.json()["code"] == "no_purpose"
    assert not reads().exists()
    r = client.get(f"/api/v1/registries/people/{ZHANG_ID}", {"case": case.number, "purpose": "核对"})
    assert r.status_code == 200
    assert r.json() == {"found": True, "source": "local", "person": {
        "name": "张测试", "id_number": "430703********1237", "sex": "male", "sex_label": "男",
        "birth_date": "1990-01-01", "household_address": "湖南省常德市鼎城区玉霞街道桥南社区建设路18号"}}
    assert reads(case).get().summary["purpose"] == "核对"
    assert client.get(f"/api/v1/registries/people/{BOSS_ID}", {"case": case.number}).status_code == 403
    assert client.get(f"/api/v1/registries/people/{ZHANG_ID}", {"case": "430703-19990101-000001"}).status_code == 404
    client.force_login(make_user(Role.SUPERVISOR))
    assert client.get(f"/api/v1/registries/people/{ZHANG_ID}", {"case": case.number}).status_code in (403, 404)
    assert reads().count() == 1
