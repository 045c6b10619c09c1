"""网上申办: apply online for an item or a bundle, upload materials, submit once."""

import io

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services
from onetrip.cases.models import Application, Case, CaseMaterial
from onetrip.catalog import services as catalog
from onetrip.core.models import TrailEntry

from .conftest import PDF, PNG, apply, make_item


@pytest.mark.django_db
def test_an_application_is_a_draft_until_submitted_then_gets_its_number(citizen, item):
    application, created = services.create_application(actor=citizen, item_code=item.item.code)
    case = application.cases.get()
    assert created and case.state == "draft" and case.number is None
    assert case.version == item  # the exact version applied under
    case = apply(citizen)
    assert case.state == "submitted"
    assert case.number.startswith("430703-") and len(case.number) == len("430703-20261127-000001")


@pytest.mark.django_db
def test_the_same_idempotency_key_creates_one_application(citizen, item):
    a, created_a = services.create_application(actor=citizen, item_code=item.item.code, idempotency_key="k-1")
    b, created_b = services.create_application(actor=citizen, item_code=item.item.code, idempotency_key="k-1")
    assert a.pk == b.pk and created_a and not created_b
    assert Application.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.django_db
def test_submitting_twice_changes_nothing(citizen, item):
    case = apply(citizen)
    number = case.number
    services.submit_application(actor=citizen, application=case.application)
    case.refresh_from_db()
    assert case.number == number and TrailEntry.objects.filter(action="case.submit").count() == 1


@pytest.mark.django_db
def test_a_missing_required_material_stops_submission(citizen, item):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(ValidationError, match="Still missing"):
        services.submit_application(actor=citizen, application=application)
    assert application.cases.get().state == "draft"


@pytest.mark.django_db
def test_materials_a_registry_holds_are_never_asked_for(citizen, item):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    missing = services.missing_materials(application)
    assert "经营者居民身份证" not in missing  # supplied by the population registry
    assert "经营场所使用证明" not in missing  # conditional
    assert missing == ["个体工商户登记（备案）申请书"]


@pytest.mark.django_db
def test_a_disguised_file_is_refused_and_nothing_is_stored(citizen, item, settings):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(ValidationError, match="not a PDF, JPEG, PNG or OFD"):
        services.upload_material(actor=citizen, application=application, name="个体工商户登记（备案）申请书",
                                 stream=io.BytesIO(b"MZ\x90\x00 this is an exe"), original_name="scan.pdf")
    assert not CaseMaterial.objects.exists()
    assert not list((settings.MEDIA_ROOT).glob("**/*.*")) if settings.MEDIA_ROOT.exists() else True


@pytest.mark.django_db
def test_an_oversized_file_is_refused(citizen, item, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(ValidationError, match="limit is"):
        services.upload_material(actor=citizen, application=application, name="个体工商户登记（备案）申请书",
                                 stream=io.BytesIO(PDF + b"0" * 2048), original_name="big.pdf")
    assert not CaseMaterial.objects.exists()


@pytest.mark.django_db
def test_uploads_keep_their_hash_and_the_name_only_as_text(citizen, item):
    import hashlib

    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    m = services.upload_material(actor=citizen, application=application, name="个体工商户登记（备案）申请书",
                                 stream=io.BytesIO(PNG), original_name="../../etc/passwd.png")
    assert m.sha256 == hashlib.sha256(m.file.read()).hexdigest() and m.content_type == "image/png"
    assert "passwd" not in m.file.name and m.original_name == "../../etc/passwd.png"


@pytest.mark.django_db
def test_an_ofd_package_is_accepted(citizen, item):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    m = services.upload_material(actor=citizen, application=application, name="个体工商户登记（备案）申请书",
                                 stream=buf, original_name="a.ofd")
    assert m.content_type == "application/ofd"


@pytest.mark.django_db
def test_a_material_off_the_checklist_cannot_be_uploaded(citizen, item):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(ValidationError, match="not on this item's checklist"):
        services.upload_material(actor=citizen, application=application, name="无犯罪记录证明",
                                 stream=io.BytesIO(PDF), original_name="x.pdf")


@pytest.mark.django_db
def test_identity_numbers_on_a_proxy_agents_form_are_checked(item, district):
    from .conftest import make_user

    agent = make_user("proxy_agent")
    with pytest.raises(ValidationError) as exc:
        services.create_application(actor=agent, item_code=item.item.code, form={
            "applicant_name": "李示例", "applicant_id_number": "430703199001011230",
            "applicant_mobile": "13907369999", "consent": "签署代办委托书"})
    assert "applicant_id_number" in exc.value.message_dict
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_bundle_is_one_application_one_material_set_and_a_case_per_item(citizen, item, catalog_admin, department):
    food = make_item(catalog_admin, department, code="430703-SCJGJ-002", name="食品经营许可",
                     materials=[{"name": "个体工商户登记（备案）申请书"}, {"name": "食品安全管理制度"}])
    catalog.save_bundle(actor=catalog_admin, code="KCG", name="开餐馆一件事", items=[item.item, food.item])
    application, _ = services.create_application(actor=citizen, bundle_code="KCG")
    assert application.cases.count() == 2
    names = [r.name for r in services.checklist(application)]
    assert names.count("个体工商户登记（备案）申请书") == 1
    for name in services.missing_materials(application):
        services.upload_material(actor=citizen, application=application, name=name, stream=io.BytesIO(PDF),
                                 original_name="a.pdf")
    cases = services.submit_application(actor=citizen, application=application)
    assert {c.state for c in cases} == {"submitted"} and len({c.number for c in cases}) == 2
    assert {c.department_id for c in cases} == {department.pk}


@pytest.mark.django_db
def test_staff_cannot_apply_online(staff, item):
    with pytest.raises(ValidationError, match="Only citizens"):
        services.create_application(actor=staff.officer, item_code=item.item.code)
