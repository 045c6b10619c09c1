"""一次性告知: every missing or faulty material at once, and only materials on the checklist."""

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services
from onetrip.cases.models import OneTimeNotice, RuleViolation
from onetrip.core.models import TrailEntry

from .conftest import apply, supplement


@pytest.mark.django_db
def test_a_notice_names_all_the_checklist_materials_at_once(citizen, item, staff, client):
    case = services.issue_notice(case=apply(citizen), actor=staff.clerk, items=[
        {"material": "个体工商户登记（备案）申请书", "reason": "缺少经营者签字"},
        {"material": "经营场所使用证明", "reason": "租赁合同已过期"},
    ])
    notice = case.notices.get()
    assert [i.requirement.name for i in notice.items.all()] == ["个体工商户登记（备案）申请书", "经营场所使用证明"]
    client.force_login(citizen)
    printable = client.get(f"/cases/{case.number}/notices/{notice.pk}/").content.decode()
    assert "缺少经营者签字" in printable and "租赁合同已过期" in printable and case.number in printable
    assert "缺少经营者签字" in client.get(f"/cases/{case.number}/").content.decode()


@pytest.mark.django_db
def test_asking_for_a_material_off_the_checklist_is_refused_and_recorded(citizen, item, staff):
    case = apply(citizen)
    with pytest.raises(ValidationError) as exc:
        services.issue_notice(case=case, actor=staff.officer, items=[
            {"material": "个体工商户登记（备案）申请书", "reason": "缺少签字"},
            {"material": "无犯罪记录证明", "reason": "需要提供"},
        ])
    assert exc.value.code == "off_checklist"
    case.refresh_from_db()
    assert case.state == "submitted" and not OneTimeNotice.objects.exists()
    violation = RuleViolation.objects.get()
    assert violation.rule == "off_checklist" and violation.actor == staff.officer
    assert violation.detail["materials"] == ["无犯罪记录证明"]
    assert TrailEntry.objects.filter(action="case.rule_violation").exists()


@pytest.mark.django_db
def test_the_checklist_is_the_one_of_the_version_applied_under(citizen, item, staff, catalog_admin):
    from onetrip.catalog import services as catalog

    case = apply(citizen)
    # The catalogue later adds a material; this case was applied under version 1 and may not be asked for it.
    draft = catalog.start_draft(actor=catalog_admin, item=item.item)
    catalog.update_draft(actor=catalog_admin, version=draft, materials=[
        {"name": "个体工商户登记（备案）申请书"}, {"name": "新增的承诺书"}])
    catalog.publish_for_seeding(actor=catalog_admin, versions=[draft], name="第二批")
    with pytest.raises(ValidationError):
        services.issue_notice(case=case, actor=staff.clerk, items=[{"material": "新增的承诺书", "reason": "缺"}])


@pytest.mark.django_db
def test_an_empty_notice_is_refused(citizen, item, staff):
    with pytest.raises(ValidationError):
        services.issue_notice(case=apply(citizen), actor=staff.clerk, items=[])


@pytest.mark.django_db
def test_the_applicant_supplements_online_and_the_case_returns_for_acceptance(citizen, item, staff):
    case = services.issue_notice(case=apply(citizen), actor=staff.clerk,
                                 items=[{"material": "个体工商户登记（备案）申请书", "reason": "缺少签字"}])
    case = supplement(case, citizen)
    assert case.state == "submitted" and case.notices.get().supplemented_at is not None
    assert case.visit_count == 0  # supplementing online is not a trip


@pytest.mark.django_db
def test_not_accepting_a_complete_online_application_is_recorded_once_whatever_data_is_sent(citizen, item, staff):
    """Findings of a window check cannot be claimed through the data of an API call."""
    case = apply(citizen)
    services.transition(case=case, action="refuse", actor=staff.clerk,
                        data={"reasons": "不予受理", "findings": {"problems": ["营业执照"]}})
    [violation] = RuleViolation.objects.filter(case=case)
    assert violation.rule == "refused_complete"
    assert TrailEntry.objects.filter(action="case.rule_violation", object_id=str(case.pk)).count() == 1


@pytest.mark.django_db
def test_not_accepting_an_application_missing_a_required_material_is_no_violation(citizen, item, staff):
    from onetrip.cases.models import CaseMaterial

    case = apply(citizen)
    CaseMaterial.objects.filter(application=case.application).update(current=False)
    services.transition(case=case, action="refuse", actor=staff.clerk, data={"reasons": "材料不全且拒不补正"})
    assert not RuleViolation.objects.exists()
