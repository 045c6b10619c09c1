"""Agencies: registration with a checked USCC, the company registry at submission, the admin's
review, qualifications (scanned copy with SHA-256), eligibility (expired qualification, level,
suspension, credit D), expiry reminders, violations — each write on the trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onetrip.accounts.models import Role
from onetrip.agencies import jobs, rules, selectors, services
from onetrip.agencies.models import Agency, AgencyState
from onetrip.cases.rules import Refused
from onetrip.core.models import Notification, TrailEntry

from .agency_fixtures import agency_uscc, build_market, in_registry, make_agency
from .conftest import PDF, make_user

pytestmark = pytest.mark.django_db


def test_a_uscc_with_a_wrong_check_character_is_refused_and_nothing_written(catalog_admin):
    owner = make_user(Role.COMPANY_REP)
    good = agency_uscc(901)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.register_agency(actor=owner, name="某咨询公司", uscc=bad, contact_name="周", contact_phone="13907361000")
    assert "uscc" in exc.value.message_dict
    assert not Agency.objects.exists()
    a = services.register_agency(actor=owner, name="某咨询公司", uscc=good.lower(), contact_name="周",
                                 contact_phone="13907361000")
    assert a.uscc == good and a.state == AgencyState.DRAFT and list(a.owners.all()) == [owner]
    with pytest.raises(ValidationError):
        services.register_agency(actor=owner, name="又一家", uscc=good, contact_name="周", contact_phone="13907361000")


def test_submission_checks_the_company_registry_and_the_admin_publishes(catalog_admin):
    m = build_market(catalog_admin, n=0)
    a, owner = make_agency(catalog_admin, m.st, publish=False)
    other = make_user(Role.COMPANY_REP)
    unknown = services.register_agency(actor=other, name="未登记公司", uscc=agency_uscc(902), contact_name="周",
                                       contact_phone="13907361001")
    services.set_offer(actor=other, agency=unknown, service_type=m.st, fee_standard="面议")
    services.add_qualification(actor=other, agency=unknown, service_type=m.st, name="资质", level="乙级",
                               certificate_no="X-1", issued_by="省厅", valid_from=dt.date(2024, 1, 1),
                               valid_to=dt.date(2030, 1, 1))
    services.sign_commitment(actor=other, agency=unknown)
    with pytest.raises(Refused) as exc:
        services.submit_agency(actor=other, agency=unknown)
    assert exc.value.code == "not_in_registry"
    in_registry(unknown.uscc, "未登记公司", status="revoked")  # known now, but no longer active
    with pytest.raises(Refused) as exc:
        services.submit_agency(actor=other, agency=unknown)
    assert exc.value.code == "not_in_registry"
    # each registry read is on the trail, though the submission was refused
    assert TrailEntry.objects.filter(action="agencies.registry_check", object_id=str(unknown.pk)).count() == 2
    a = services.submit_agency(actor=owner, agency=a)
    assert a.state == AgencyState.SUBMITTED and a.registry_name
    with pytest.raises(Refused):
        services.review_agency(actor=owner, agency=a, publish=True)
    with pytest.raises(ValidationError):
        services.review_agency(actor=catalog_admin, agency=a, publish=False)
    a = services.review_agency(actor=catalog_admin, agency=a, publish=True)
    assert a.state == AgencyState.PUBLISHED
    actions = list(TrailEntry.objects.filter(object_type="agencies.agency", object_id=str(a.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions[0] == "agencies.register" and actions[-3:] == ["agencies.registry_check", "agencies.submit",
                                                                  "agencies.publish"]


def test_the_scanned_copy_is_stored_with_its_sha256(catalog_admin):
    m = build_market(catalog_admin, n=1)
    q = m.agencies[0][0].qualifications.get()
    assert q.sha256 == hashlib.sha256(PDF).hexdigest() and q.file.read() == PDF


def test_an_expired_qualification_or_another_level_makes_an_agency_not_eligible(catalog_admin):
    m = build_market(catalog_admin, n=1)
    today = timezone.localdate()
    soon, owner = make_agency(catalog_admin, m.st, valid_to=today + dt.timedelta(days=5))
    assert rules.eligible(soon, m.st, today)
    assert rules.eligible(soon, m.st, today + dt.timedelta(days=5))
    assert not rules.eligible(soon, m.st, today + dt.timedelta(days=6))
    assert not rules.eligible(soon, m.st, today, level="乙级")
    other = services.save_service_type(actor=catalog_admin, code="CHBG", name="测绘")
    assert not rules.eligible(soon, other, today)  # offers no such service


def test_expiring_qualifications_are_reminded_once(catalog_admin):
    m = build_market(catalog_admin, n=1)
    today = timezone.localdate()
    soon, _owner = make_agency(catalog_admin, m.st, valid_to=today + dt.timedelta(days=10))
    assert jobs.remind_expiring(day=today) == 1
    assert jobs.remind_expiring(day=today) == 0
    note = Notification.objects.get(event="agencies.qualification_expiring")
    assert note.to == soon.contact_phone and "HP-" in note.body


def test_a_suspension_bars_selection_until_its_date_and_counts_against_credit(catalog_admin):
    m = build_market(catalog_admin, n=1)
    a, _owner = m.agencies[0]
    today = timezone.localdate()
    before = rules.credit(a)
    with pytest.raises(Refused):
        services.decide_violation(actor=_owner, agency=a, kind="collusion", penalty="suspended",
                                  until=today + dt.timedelta(days=30), reasons="串通投标")
    with pytest.raises(ValidationError):
        services.decide_violation(actor=catalog_admin, agency=a, kind="collusion", penalty="suspended",
                                  until=today, reasons="串通投标")
    services.decide_violation(actor=catalog_admin, agency=a, kind="collusion", penalty="suspended",
                              until=today + dt.timedelta(days=30), reasons="与其他机构串通报价")
    a.refresh_from_db()
    assert a.state == AgencyState.SUSPENDED
    assert not rules.eligible(a, m.st, today + dt.timedelta(days=30))
    assert rules.eligible(a, m.st, today + dt.timedelta(days=31))
    assert rules.credit(a).score == before.score - 20
    assert TrailEntry.objects.filter(action="agencies.violation").count() == 1


def test_credit_level_d_bars_selection(catalog_admin):
    m = build_market(catalog_admin, n=1)
    a, _owner = m.agencies[0]
    today = timezone.localdate()
    for _ in range(2):  # 80 − 40 = 40: D
        services.decide_violation(actor=catalog_admin, agency=a, kind="false_materials", penalty="suspended",
                                  until=today + dt.timedelta(days=1), reasons="提供虚假材料")
    assert rules.credit(a).level == "D"
    assert not rules.eligible(a, m.st, today + dt.timedelta(days=2))


def test_the_public_listing_ranks_by_credit(catalog_admin):
    m = build_market(catalog_admin, n=2)
    (a1, _o1), (a2, _o2) = m.agencies
    services.decide_violation(actor=catalog_admin, agency=a1, kind="abandoned", penalty="suspended",
                              until=timezone.localdate() + dt.timedelta(days=1), reasons="中途放弃")
    rows = selectors.listing(m.st)
    assert [r.agency for r in rows] == [a2, a1]
    assert rows[0].eligible and not rows[1].eligible


def test_only_the_agency_s_accounts_change_it(catalog_admin):
    m = build_market(catalog_admin, n=1)
    a, _owner = m.agencies[0]
    stranger = make_user(Role.COMPANY_REP)
    with pytest.raises(Refused):
        services.set_offer(actor=stranger, agency=a, service_type=m.st, fee_standard="免费")
    with pytest.raises(Refused):
        services.add_qualification(actor=stranger, agency=a, service_type=m.st, name="x", level="", certificate_no="1",
                                   issued_by="x", valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 1, 1),
                                   stream=io.BytesIO(PDF))


def test_a_bar_in_force_is_never_shortened(catalog_admin):
    m = build_market(catalog_admin, n=1)
    a, _owner = m.agencies[0]
    today = timezone.localdate()
    services.decide_violation(actor=catalog_admin, agency=a, kind="collusion", penalty="blacklisted",
                              until=today + dt.timedelta(days=300), reasons="串通投标")
    services.decide_violation(actor=catalog_admin, agency=a, kind="abandoned", penalty="suspended",
                              until=today + dt.timedelta(days=30), reasons="中途放弃")
    a.refresh_from_db()
    assert a.state == AgencyState.BLACKLISTED and a.state_until == today + dt.timedelta(days=300)
    assert a.violations.count() == 2 and rules.credit(a).score == 40
