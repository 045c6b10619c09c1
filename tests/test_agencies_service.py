"""The service after the contract: the working-day clock with the owner's pauses, overdue lights and
supervision cards, delivery, return and confirmation, the report attached to the owner's approval
case without a new upload, the rating, and the credit arithmetic."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from onetrip.agencies import jobs, rules, services
from onetrip.agencies.models import PurchaseState
from onetrip.cases.models import CaseMaterial
from onetrip.cases.rules import Refused
from onetrip.core.models import TrailEntry
from onetrip.supervision import services as supervision
from onetrip.supervision.models import Card

from .agency_fixtures import build_market, post
from .conftest import PDF, apply, at, pdf

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02"


def contracted(catalog_admin, owner=None, case=None):
    """A purchase drawn on Tuesday 3 March 2026, contracted on Monday 9 March: 10 working days, due
    on Monday 23 March."""
    with at(MONDAY):
        m = build_market(catalog_admin, n=3)
        if owner is not None:
            m.owner = owner
        p = post(m, case=case)
        for a, o in m.agencies:
            services.sign_up(actor=o, purchase=p, agency=a)
    with at("2026-03-03"):
        p = services.select(actor=None, purchase=p)
    with at("2026-03-09"):
        p = services.sign_contract(actor=m.owner, purchase=p, contract_no="HT-1")
    winner = next(o for a, o in m.agencies if a == p.winner)
    return m, p, winner


def test_the_owner_s_delay_pauses_the_clock_and_moves_the_deadline(catalog_admin):
    m, p, _w = contracted(catalog_admin)
    assert p.deadline == dt.date(2026, 3, 23) and p.light == "normal"
    with at("2026-03-10"):
        p = services.pause_service(actor=m.owner, purchase=p, reason="业主尚未提供项目红线图")
        with pytest.raises(Refused):
            services.pause_service(actor=m.owner, purchase=p, reason="again")
    with at("2026-03-13"):  # Wed, Thu, Fri paused: 3 working days
        p = services.resume_service(actor=m.owner, purchase=p)
    assert p.deadline == dt.date(2026, 3, 26)
    pause = p.pauses.get()
    assert (pause.started_on, pause.ended_on, pause.reason) == (dt.date(2026, 3, 10), dt.date(2026, 3, 13),
                                                                "业主尚未提供项目红线图")


def test_an_overdue_service_gets_its_light_and_a_yellow_then_red_card(catalog_admin, department, settings):
    settings.AGENCIES_SUPERVISING_DEPARTMENT = department.code
    m, p, _w = contracted(catalog_admin)
    assert p.department == department
    with at("2026-03-24"):
        assert jobs.update_lights(day=dt.date(2026, 3, 24)) == {"lights": 1, "overdue": 1}
        supervision.issue_cards(day=dt.date(2026, 3, 24))
        supervision.issue_cards(day=dt.date(2026, 3, 24))
    p.refresh_from_db()
    assert p.light == "overdue" and p.overdue_on == dt.date(2026, 3, 24)
    assert list(Card.objects.values_list("key", "colour")) == [(f"agency:{p.pk}", "yellow")]
    late = dt.date(2026, 3, 23) + dt.timedelta(days=30)
    with at(late.isoformat()):
        supervision.issue_cards(day=late)
    assert set(Card.objects.values_list("colour", flat=True)) == {"yellow", "red"}


def test_deliver_return_and_confirm_on_time(catalog_admin):
    m, p, winner = contracted(catalog_admin)
    with at("2026-03-16"):
        with pytest.raises(Refused):
            services.deliver_report(actor=m.owner, purchase=p, stream=io.BytesIO(PDF), original_name="报告.pdf")
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(PDF), original_name="环评报告.pdf")
        assert p.state == PurchaseState.DELIVERED and p.light == ""
        with pytest.raises(ValidationError):
            services.return_report(actor=m.owner, purchase=p, reasons=" ")
        p = services.return_report(actor=m.owner, purchase=p, reasons="缺少噪声监测章节")
        assert p.state == PurchaseState.CONTRACTED and p.deadline == dt.date(2026, 3, 23)
    with at("2026-03-20"):
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(pdf("第二版")),
                                    original_name="环评报告v2.pdf")
    with at("2026-03-25"):
        p = services.confirm_report(actor=m.owner, purchase=p)
    assert p.state == PurchaseState.COMPLETED and p.on_time is True
    assert list(TrailEntry.objects.filter(object_type="agencies.purchase").order_by("id")
            .values_list("action", flat=True))[-5:] == [
        "agencies.contract", "agencies.deliver", "agencies.return", "agencies.deliver", "agencies.confirm"]


def test_a_late_delivery_is_not_on_time(catalog_admin):
    m, p, winner = contracted(catalog_admin)
    with at("2026-03-24"):
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(PDF), original_name="r.pdf")
        p = services.confirm_report(actor=m.owner, purchase=p)
    assert p.on_time is False


def files_in(root) -> list[str]:
    return sorted(str(f) for f in Path(root).rglob("*") if f.is_file())


def test_the_confirmed_report_is_attached_to_the_owner_s_case_without_a_new_upload(catalog_admin, citizen, item,
                                                                                    settings):
    with at(MONDAY):
        draft = apply(citizen, key="with-report", submit=False)
    m, p, winner = contracted(catalog_admin, owner=citizen, case=draft)
    with at("2026-03-16"):
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(PDF), original_name="环评报告.pdf")
        with pytest.raises(Refused) as exc:  # not before the owner confirms it
            services.attach_to_case(actor=citizen, purchase=p, case=draft, material="经营场所使用证明")
        assert exc.value.code == "wrong_state"
        p = services.confirm_report(actor=citizen, purchase=p)
        with pytest.raises(Refused) as exc:
            services.attach_to_case(actor=citizen, purchase=p, case=draft, material="不在清单上的材料")
        assert exc.value.code == "off_checklist"
        stored_before = files_in(settings.MEDIA_ROOT)
        row = services.attach_to_case(actor=citizen, purchase=p, case=draft, material="经营场所使用证明")
    assert row.file.name == p.report.name and row.sha256 == p.report_sha256 and row.file.read() == PDF
    assert files_in(settings.MEDIA_ROOT) == stored_before  # nothing stored again
    assert CaseMaterial.objects.filter(application=draft.application, name="经营场所使用证明").count() == 1
    assert TrailEntry.objects.filter(action="agencies.attach_to_case").exists()


def test_the_owner_rates_once_and_the_rating_moves_the_credit(catalog_admin):
    m, p, winner = contracted(catalog_admin)
    with at("2026-03-16"):
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(PDF), original_name="r.pdf")
        p = services.confirm_report(actor=m.owner, purchase=p)
        before = rules.credit(p.winner)
        assert before.score == 90  # no rating yet (R = 4), one on-time service (T = 1): 10 + 40 + 40
        with pytest.raises(ValidationError):
            services.rate_agency(actor=m.owner, purchase=p, quality=6, timeliness=5, attitude=5, price=5)
        with pytest.raises(Refused):
            services.rate_agency(actor=winner, purchase=p, quality=5, timeliness=5, attitude=5, price=5)
        services.rate_agency(actor=m.owner, purchase=p, quality=5, timeliness=5, attitude=5, price=5, comment="专业高效")
        with pytest.raises(Refused):
            services.rate_agency(actor=m.owner, purchase=p, quality=1, timeliness=1, attitude=1, price=1)
        after = rules.credit(p.winner)
    assert (after.score, after.level) == (100, "A")


# --- credit arithmetic (hand-computed) --------------------------------------------------------------


def test_credit_of_a_new_agency():
    c = rules.credit_from([], [], 0)
    assert (c.score, c.level, c.rating, c.on_time) == (80, "B", Decimal("4.00"), Decimal("0.75"))


def test_credit_with_mixed_ratings_and_one_late_service():
    # R = (5+4+4+3 + 3+3+2+2) / 8 = 26 / 8 = 3.25; T = 2/3
    # 10 + 32.5 + 26.67 = 69.17 → 69, C
    c = rules.credit_from([(5, 4, 4, 3), (3, 3, 2, 2)], [True, True, False], 0)
    assert (c.score, c.level, c.rating, c.on_time) == (69, "C", Decimal("3.25"), Decimal("0.67"))


def test_credit_violations_and_bounds():
    # all 5s, always on time, one violation: 10 + 50 + 40 − 20 = 80, B
    assert (rules.credit_from([(5, 5, 5, 5)], [True], 1).score, rules.credit_from([(5, 5, 5, 5)], [True], 1).level) \
        == (80, "B")
    # all 1s, never on time: 10 + 10 + 0 = 20, D; with two violations it stays at 0
    assert rules.credit_from([(1, 1, 1, 1)], [False], 0).score == 20
    assert rules.credit_from([(1, 1, 1, 1)], [False], 2).score == 0
    # a half point rounds up: R = 4.25 (17/4), T = 0.5: 10 + 42.5 + 20 = 72.5 → 73, C
    assert rules.credit_from([(5, 4, 4, 4)], [True, False], 0).score == 73


def test_credit_levels_at_their_edges():
    assert [rules.credit_level(s) for s in (100, 90, 89, 75, 74, 60, 59, 0)] == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_a_delivery_on_the_deadline_day_is_on_time(catalog_admin):
    m, p, winner = contracted(catalog_admin)
    with at("2026-03-23"):
        p = services.deliver_report(actor=winner, purchase=p, stream=io.BytesIO(PDF), original_name="r.pdf")
        p = services.confirm_report(actor=m.owner, purchase=p)
    assert p.deadline == dt.date(2026, 3, 23) and p.on_time is True


def test_the_worker_makes_the_draws_due_and_runs_the_lights(catalog_admin):
    from onetrip.core import jobs as core_jobs

    core_jobs.autodiscover()
    assert {"agencies.expiry_reminders", "agencies.lights", "agencies.selections"} <= {
        j.name for j in core_jobs.registry.jobs()}
    with at(MONDAY):
        m = build_market(catalog_admin, n=3)
        due = post(m)
        merit = post(m, method="merit", criteria=[{"name": "方案", "weight": 100}])
        later = post(m, hours=48)
        for a, o in m.agencies:
            services.sign_up(actor=o, purchase=due, agency=a)
    with at("2026-03-03"):
        assert jobs.select_due(now=due.signup_deadline + dt.timedelta(days=1)) == 1
        assert jobs.select_due(now=due.signup_deadline + dt.timedelta(days=1)) == 0
    due.refresh_from_db(), merit.refresh_from_db(), later.refresh_from_db()
    assert due.state == PurchaseState.SELECTED
    assert merit.state == later.state == PurchaseState.PUBLISHED  # merit waits for its scores; later for its deadline
