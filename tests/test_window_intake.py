"""一窗受理 at the window (issue C §4): the clerk marks each material against the checklist
(present with its scanned copy, missing, or faulty saying what is wrong) and decides in one step:
accept (the clock starts, the case goes to the back office), the one-time notice naming every
missing or faulty material at once, or not accepted with reasons. All or nothing; the trip counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services
from onetrip.cases.models import Application, Channel, RuleViolation, State
from onetrip.core.models import TrailEntry
from onetrip.demo.people import resident_id

from .conftest import PDF

FORM = "个体工商户登记（备案）申请书"  # required
ID_CARD = "经营者居民身份证"  # held by the population registry: never asked for
PREMISES = "经营场所使用证明"  # only when renting


def start(clerk: Any, item: Any) -> Application:
    application, _ = services.create_application(
        actor=clerk, item_code=item.item.code, channel=Channel.WINDOW,
        form={"applicant_name": "柳窗口（演示）", "applicant_id_number": resident_id("43070319900505123"),
              "applicant_mobile": "13907369999"})
    return application


def scan(clerk: Any, application: Application, name: str = FORM) -> None:
    services.upload_material(actor=clerk, application=application, name=name, stream=io.BytesIO(PDF),
                             original_name="scan.pdf")


def take_in(clerk: Any, application: Application, decision: str, reasons: str = "", **marks: Any) -> list[Any]:
    named = {FORM: marks.get("form"), PREMISES: marks.get("premises")}
    return services.take_in(actor=clerk, application=application, decision=decision, reasons=reasons,
                            marks={k: v for k, v in named.items() if v is not None})


def refused(call: Any) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value


def test_complete_materials_are_accepted_at_once_and_the_clock_starts(item, staff):
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    [case] = take_in(staff.clerk, app, "accept", form={"state": "present"}, premises={"state": "missing"})
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW and case.promised_deadline is not None
    assert case.visit_count == 1 and not case.notices.exists()  # an optional material not brought is no notice
    entry = TrailEntry.objects.get(action="application.window_check")
    assert entry.summary["decision"] == "accept" and entry.summary["marks"] == {FORM: "present", PREMISES: "missing"}


def test_what_is_missing_gets_the_one_time_notice_without_a_scan(item, staff):
    app = start(staff.clerk, item)
    [case] = take_in(staff.clerk, app, "notice", form={"state": "missing"})
    case.refresh_from_db()
    assert case.state == State.AWAITING_SUPPLEMENT and case.number and case.visit_count == 1
    [line] = case.notices.get().items.select_related("requirement")
    assert (line.requirement.name, line.reason) == (FORM, "Not brought")


def test_a_faulty_material_says_what_is_wrong_and_goes_into_the_notice(item, staff):
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    error = refused(lambda: take_in(staff.clerk, app, "notice", form={"state": "faulty"}))
    assert f"{FORM}: say what is wrong with it." in error.messages
    [case] = take_in(staff.clerk, app, "notice", form={"state": "faulty", "note": "未签名"})
    [line] = case.notices.get().items.all()
    assert line.reason == "未签名"


def test_accepting_with_something_missing_or_a_notice_with_nothing_missing_is_refused_and_nothing_written(
        item, staff):
    app = start(staff.clerk, item)
    error = refused(lambda: take_in(staff.clerk, app, "accept", form={"state": "missing"}))
    assert error.code == "incomplete" and FORM in error.messages[0]
    error = refused(lambda: take_in(staff.clerk, app, "accept", form={"state": "present"}))
    assert f"{FORM}: scan or photograph it first (upload the copy)." in error.messages
    error = refused(lambda: take_in(staff.clerk, app, "accept"))  # a required material left unmarked
    assert f"{FORM}: mark it present, missing or faulty." in error.messages
    scan(staff.clerk, app)
    error = refused(lambda: take_in(staff.clerk, app, "notice", form={"state": "present"}))
    assert error.code == "complete"
    error = refused(lambda: services.take_in(actor=staff.clerk, application=app, decision="accept",
                                             marks={FORM: {"state": "present"}, ID_CARD + "x": {"state": "present"}}))
    assert any("not on this item's checklist" in m for m in error.messages)
    [case] = app.cases.all()
    assert case.state == State.DRAFT and case.visit_count == 0 and not case.visits.exists()
    assert not TrailEntry.objects.filter(action="application.window_check").exists()


def test_not_accepting_needs_reasons(item, staff):
    app = start(staff.clerk, item)
    error = refused(lambda: take_in(staff.clerk, app, "refuse", form={"state": "missing"}))
    assert "Give the reasons" in error.messages[0]
    [case] = take_in(staff.clerk, app, "refuse", reasons="不属于本部门职责", form={"state": "missing"})
    case.refresh_from_db()
    assert case.state == State.NOT_ACCEPTED and case.refusal_reasons == "不属于本部门职责" and case.visit_count == 1
    assert not RuleViolation.objects.exists()  # something was missing: not a complete application


def test_not_accepting_a_complete_application_at_the_window_is_recorded_for_supervision(item, staff):
    """材料齐全、符合法定形式的，应当受理: every material present and none faulty, yet not accepted."""
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    [case] = take_in(staff.clerk, app, "refuse", reasons="今天不办", form={"state": "present"})
    violation = RuleViolation.objects.get()
    assert (violation.case_id, violation.rule, violation.actor_id) == (case.pk, "refused_complete", staff.clerk.pk)
    assert "今天不办" in violation.sentence()


def test_not_accepting_for_a_faulty_material_is_no_violation(item, staff):
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    take_in(staff.clerk, app, "refuse", reasons="申请书系伪造", form={"state": "faulty", "note": "签名不符"})
    assert not RuleViolation.objects.exists()


def test_only_a_window_clerk_takes_in_and_only_once(item, staff, citizen):
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    assert refused(lambda: take_in(staff.officer, app, "accept", form={"state": "present"})).code == "forbidden"
    take_in(staff.clerk, app, "accept", form={"state": "present"})
    assert refused(lambda: take_in(staff.clerk, app, "accept", form={"state": "present"})).code == "wrong_state"


def test_the_clerk_decides_on_the_application_page_and_lands_on_the_case_to_print(item, staff, client):
    app = start(staff.clerk, item)
    client.force_login(staff.clerk)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert f'name="mark:{FORM}" value="missing" checked' in page and f'name="mark:{ID_CARD}"' not in page
    assert 'name="window_decision" value="accept"' in page
    r = client.post(f"/applications/{app.pk}/", {"window_decision": "accept", f"mark:{FORM}": "missing"},
                    follow=True)
    assert FORM in r.content.decode() and app.cases.get().state == State.DRAFT  # refused, named, nothing written
    r = client.post(f"/applications/{app.pk}/", {"window_decision": "notice", f"mark:{FORM}": "missing",
                                                 f"note:{FORM}": "未带原件"})
    case = app.cases.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/"
    assert case.state == State.AWAITING_SUPPLEMENT
    notice = case.notices.get()
    assert client.get(f"/cases/{case.number}/documents/notice-{notice.pk}.pdf").content.startswith(b"%PDF")


def test_the_same_over_the_api_from_start_to_notice(item, staff, client):
    from onetrip.accounts import services as accounts

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_api_token(user=staff.clerk, name='t')}"}
    r = client.post("/api/v1/applications", {"item": item.item.code, "channel": "window", "form": {
        "applicant_name": "柳窗口（演示）", "applicant_id_number": resident_id("43070319900505123"),
        "applicant_mobile": "13907369999"}}, content_type="application/json", **bearer)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    url = f"/api/v1/applications/{pk}/window-decision"
    r = client.post(url, {"decision": "accept", "marks": [{"material": FORM, "state": "missing"}]},
                    content_type="application/json", **bearer)
    assert r.status_code == 400 and FORM in r.json()["detail"]
    r = client.post(url, {"decision": "notice", "marks": [{"material": FORM, "state": "faulty", "note": "缺签字"}]},
                    content_type="application/json", **bearer)
    assert r.status_code == 200 and r.json()["state"] == "awaiting_supplement"
