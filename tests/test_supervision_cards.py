"""E-supervision (电子监察): a case left overdue by the clock gets a yellow card by itself, a long
delay and repeated yellow cards a red one; the department's head appeals, the supervisor decides;
a supervisor's order (督办) runs on working days, the department replies, an unanswered order
earns a yellow card; the desk lists what it watches and runs the trail check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from onetrip.accounts.models import Role
from onetrip.cases import services
from onetrip.cases.models import RuleViolation
from onetrip.cases.rules import record_violation
from onetrip.core.models import TrailEntry
from onetrip.supervision import rules
from onetrip.supervision import services as supervision
from onetrip.supervision.models import Card, CardStatus, Order, OrderStatus, TrailCheck

from .conftest import apply, at, make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return make_user(Role.SUPERVISOR)


def overdue_case(citizen, staff):
    """Accepted Mon 17 Nov 2025 with a promise of 3 working days (due Thu 20); seen late on Fri 21."""
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    with at("2025-11-21"):
        services.tick()  # the clock's job: red light, the overdue violation recorded
    case.refresh_from_db()
    return case


def test_a_case_left_overdue_by_the_clock_gets_a_yellow_card_by_itself(citizen, item, staff):
    case = overdue_case(citizen, staff)
    assert supervision.issue_cards(day=dt.date(2025, 11, 21)) == {"yellow": 1, "red": 0}
    card = Card.objects.get()
    assert (card.colour, card.reason, card.department_id, card.case_id) == ("yellow", "violation", case.department_id,
                                                                             case.pk)
    assert "2025-11-20" in card.detail
    assert TrailEntry.objects.filter(action="supervision.card").count() == 1
    # Running again (or on another worker) issues nothing twice.
    assert supervision.issue_cards(day=dt.date(2025, 11, 21)) == {"yellow": 0, "red": 0}
    assert Card.objects.count() == 1


def test_a_case_overdue_beyond_the_threshold_gets_a_red_card_once(citizen, item, staff, settings):
    settings.SUPERVISION_RED_OVERDUE_WORKDAYS = 5
    case = overdue_case(citizen, staff)
    # Due Thu 20 Nov; Thu 27 is 5 working days later (not yet more than 5), Fri 28 is 6.
    assert supervision.issue_cards(day=dt.date(2025, 11, 27))["red"] == 0
    assert supervision.issue_cards(day=dt.date(2025, 11, 28))["red"] == 1
    assert supervision.issue_cards(day=dt.date(2025, 12, 1))["red"] == 0
    red = Card.objects.get(colour="red")
    assert red.reason == "long_overdue" and red.case_id == case.pk


def test_red_card_rules_read_like_the_guide(settings):
    settings.SUPERVISION_RED_OVERDUE_WORKDAYS = 5
    settings.SUPERVISION_RED_YELLOW_CARDS = 3
    assert not rules.red_card_overdue(dt.date(2025, 11, 20), dt.date(2025, 11, 27))  # 5 working days late
    assert rules.red_card_overdue(dt.date(2025, 11, 20), dt.date(2025, 11, 28))  # 6
    assert not rules.red_card_overdue(None, dt.date(2025, 11, 28))
    assert not rules.red_card_repeated(2) and rules.red_card_repeated(3)
    # 督办 runs on working days: ordered Fri 26 Sep 2025 for 4 days: Sun 28 (a make-up working day),
    # Mon 29, Tue 30, then the National Day holiday (1–8 Oct) is skipped: Thu 9 Oct.
    assert rules.order_due(dt.date(2025, 9, 26), 4) == dt.date(2025, 10, 9)


def test_repeated_yellow_cards_earn_the_department_a_red_card_and_withdrawn_ones_do_not_count(
        citizen, item, staff, settings, supervisor):
    settings.SUPERVISION_RED_YELLOW_CARDS = 3
    cases = [apply(citizen, key=f"k{n}") for n in range(3)]
    for case in cases[:2]:
        record_violation(case=case, rule=RuleViolation.Rule.OFF_CHECKLIST, actor=staff.clerk,
                         detail={"materials": ["户口本"]})
    day = dt.date.today()
    assert supervision.issue_cards(day=day) == {"yellow": 2, "red": 0}
    # The head appeals one; the supervisor withdraws it: it no longer counts.
    first = Card.objects.order_by("id").first()
    supervision.appeal_card(actor=staff.head, card=first, reasons="申请人自愿补充，非窗口要求", evidence="窗口录像 10:32")
    supervision.decide_appeal(actor=supervisor, card=first, uphold=False, note="经核实，撤销黄牌")
    record_violation(case=cases[2], rule=RuleViolation.Rule.OFF_CHECKLIST, actor=staff.clerk,
                     detail={"materials": ["结婚证"]})
    assert supervision.issue_cards(day=day) == {"yellow": 1, "red": 0}  # 2 counted
    record_violation(case=cases[2], rule=RuleViolation.Rule.REPEATED_NOTICE, actor=staff.clerk,
                     detail={"materials": ["营业执照"]})
    assert supervision.issue_cards(day=day) == {"yellow": 1, "red": 1}  # 3 counted
    assert supervision.issue_cards(day=day) == {"yellow": 0, "red": 0}  # once per period
    red = Card.objects.get(colour="red")
    assert red.reason == "repeated" and red.case is None and "3" in red.detail


def test_only_the_carded_departments_head_appeals_once_and_only_a_supervisor_decides(
        citizen, item, staff, supervisor, department):
    overdue_case(citizen, staff)
    supervision.issue_cards(day=dt.date(2025, 11, 21))
    card = Card.objects.get()
    with pytest.raises(ValidationError):
        supervision.appeal_card(actor=staff.officer, card=card, reasons="x")
    with pytest.raises(ValidationError) as empty:
        supervision.appeal_card(actor=staff.head, card=card, reasons="  ")
    assert "reasons" in empty.value.message_dict
    with pytest.raises(ValidationError):
        supervision.decide_appeal(actor=supervisor, card=card, uphold=True, note="未申诉")  # not appealed yet
    supervision.appeal_card(actor=staff.head, card=card, reasons="系统停机两天")
    with pytest.raises(ValidationError):
        supervision.appeal_card(actor=staff.head, card=card, reasons="再次申诉")
    with pytest.raises(ValidationError):
        supervision.decide_appeal(actor=staff.head, card=card, uphold=False, note="自己撤销")
    card = supervision.decide_appeal(actor=supervisor, card=card, uphold=True, note="停机已计入时限，维持")
    assert card.status == CardStatus.UPHELD and card.decided_by == supervisor
    actions = list(TrailEntry.objects.filter(object_type="supervision.card").values_list("action", flat=True))
    assert actions == ["supervision.card", "supervision.card_appealed", "supervision.card_decided"]


def test_an_order_runs_on_working_days_the_department_replies_and_the_supervisor_closes_it(
        citizen, item, staff, supervisor):
    case = apply(citizen)
    with at("2025-09-26"):
        order = supervision.issue_order(actor=supervisor, case=case, subject="加快办理",
                                        instructions="请于时限内作出决定并说明延误原因", workdays=4)
    assert order.department_id == case.department_id and order.due_on == dt.date(2025, 10, 9)
    with pytest.raises(ValidationError):
        supervision.issue_order(actor=staff.head, case=case, subject="x", instructions="y")
    with pytest.raises(ValidationError) as bad:
        supervision.issue_order(actor=supervisor, subject="", instructions="", workdays=0)
    assert set(bad.value.message_dict) == {"department", "subject", "instructions", "workdays"}
    assert Order.objects.count() == 1
    other = make_user(Role.OFFICER, make_department(case.department.division, code="ZJJ", name="区住建局"))
    with pytest.raises(ValidationError):
        supervision.reply_order(actor=other, order=order, reply="不是我们")
    order = supervision.reply_order(actor=staff.officer, order=order, reply="已于当日作出准予决定")
    assert order.status == OrderStatus.REPLIED
    with pytest.raises(ValidationError):
        supervision.close_order(actor=supervisor, order=order, accept=False, note="")  # sending back needs a note
    order = supervision.close_order(actor=supervisor, order=order, accept=False, note="请附决定书")
    assert order.status == OrderStatus.OPEN and order.due_on > dt.date.today()
    order = supervision.reply_order(actor=staff.head, order=order, reply="决定书已上传")
    order = supervision.close_order(actor=supervisor, order=order, accept=True)
    assert order.status == OrderStatus.CLOSED


def test_an_order_not_answered_in_time_earns_a_yellow_card(citizen, item, staff, supervisor):
    case = apply(citizen)
    with at("2025-11-17"):
        order = supervision.issue_order(actor=supervisor, case=case, subject="说明情况", instructions="请说明", workdays=1)
    assert order.due_on == dt.date(2025, 11, 18)
    assert supervision.issue_cards(day=dt.date(2025, 11, 18)) == {"yellow": 0, "red": 0}  # due today: not late
    assert supervision.issue_cards(day=dt.date(2025, 11, 19)) == {"yellow": 1, "red": 0}
    card = Card.objects.get()
    assert card.reason == "order_overdue" and card.order_id == order.pk and card.case_id == case.pk


def test_the_desk_lists_open_cases_by_light_and_the_cards_and_the_department_page_answers(
        citizen, item, staff, supervisor):
    case = overdue_case(citizen, staff)
    supervision.issue_cards(day=dt.date(2025, 11, 21))
    c = Client()
    c.force_login(supervisor)
    page = c.get("/supervision/?light=overdue").content.decode()
    assert case.number in page
    assert case.number not in c.get("/supervision/?light=normal").content.decode()
    assert c.get("/supervision/?light=nonsense&department=x&since=never").status_code == 200  # filters dropped
    assert case.number in c.get("/supervision/?tab=cards").content.decode()
    head = Client()
    head.force_login(staff.head)
    card = Card.objects.get()
    assert head.get("/supervision/").status_code == 403
    response = head.post(f"/staff/supervision/cards/{card.pk}/appeal/", {"reasons": "系统故障", "evidence": "工单"})
    assert response.status_code == 302
    assert Card.objects.get().status == CardStatus.APPEALED
    response = c.post(f"/supervision/cards/{card.pk}/decide/", {"decision": "withdraw", "note": "属实"})
    assert Card.objects.get().status == CardStatus.WITHDRAWN
    # The case's workbench shows its card to staff, and offers the supervisor an order.
    officer = Client()
    officer.force_login(staff.officer)
    workbench = officer.get(f"/cases/{case.number}/").content.decode()
    assert "黄牌" in workbench and "申诉后撤销" in workbench
    response = c.post("/supervision/orders/", {"case": case.number, "subject": "催办", "instructions": "尽快决定",
                                               "workdays": "2"})
    assert response.status_code == 302 and Order.objects.get().case_id == case.pk
    assert "催办" in head.get("/staff/supervision/").content.decode()


def test_the_trail_check_runs_from_the_desk_and_its_last_result_is_shown(citizen, item, supervisor, staff):
    apply(citizen)
    c = Client()
    c.force_login(supervisor)
    c.post("/supervision/trail-check/")
    check = TrailCheck.objects.get()
    assert check.ok and check.checked > 0 and check.run_by == supervisor
    page = c.get("/supervision/?tab=trail").content.decode()
    assert f"{check.checked}" in page
    with pytest.raises(ValidationError):
        supervision.run_trail_check(actor=staff.head)


def test_a_refused_form_says_why_and_writes_nothing(citizen, item, staff, supervisor):
    overdue_case(citizen, staff)
    supervision.issue_cards(day=dt.date(2025, 11, 21))
    card = Card.objects.get()
    head = Client()
    head.cookies["django_language"] = "zh-hans"
    head.force_login(staff.head)
    page = head.post(f"/staff/supervision/cards/{card.pk}/appeal/", {"reasons": "  "}, follow=True).content.decode()
    assert "请填写申诉理由" in page
    assert Card.objects.get().status == CardStatus.ISSUED
    assert not TrailEntry.objects.filter(action="supervision.card_appealed").exists()
    c = Client()
    c.force_login(supervisor)
    c.post("/supervision/orders/", {"case": "430703-00000000-000000", "subject": "x", "instructions": "y"})
    c.post("/supervision/orders/", {"department": "", "subject": "", "instructions": ""})
    assert not Order.objects.exists()


def test_the_department_head_is_told_by_sms_of_a_card_and_of_an_order(citizen, item, staff, supervisor):
    from onetrip.core.models import Notification

    type(staff.head).objects.filter(pk=staff.head.pk).update(mobile="13907369988")
    case = overdue_case(citizen, staff)
    supervision.issue_cards(day=dt.date(2025, 11, 21))
    card_sms = Notification.objects.get(event="supervision.card")
    assert card_sms.to == "13907369988" and case.department.name in card_sms.body
    assert "黄牌" in card_sms.body or "Yellow card" in card_sms.body
    supervision.issue_order(actor=supervisor, case=case, subject="催办", instructions="请尽快决定", workdays=2)
    order_sms = Notification.objects.get(event="supervision.order")
    assert order_sms.to == "13907369988" and "催办" in order_sms.body


def test_hall_tickets_on_the_desk_light_up_by_their_wait(district, supervisor, settings):
    import time_machine

    from onetrip.hall import services as hall
    from onetrip.hall.models import Ticket

    from .hall_fixtures import build_hall

    settings.SUPERVISION_TICKET_WAIT_WARNING_MINUTES, settings.SUPERVISION_TICKET_WAIT_LIMIT_MINUTES = 20, 30
    assert [rules.ticket_wait_light(m) for m in (19.9, 20, 29.9, 30)] == ["normal", "warning", "warning", "overdue"]
    tz = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2025, 11, 17, 9, 0, tzinfo=tz), tick=False):
        w = build_hall(district, open_all_hours=True)
        early = hall.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    with time_machine.travel(dt.datetime(2025, 11, 17, 9, 15, tzinfo=tz), tick=False):
        late = hall.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    c = Client()
    c.force_login(supervisor)
    c.cookies["django_language"] = "zh-hans"
    with time_machine.travel(dt.datetime(2025, 11, 17, 9, 40, tzinfo=tz), tick=False):
        page = c.get("/supervision/?tab=tickets").content.decode()
    assert page.index(early.number) < page.index(late.number)  # the longest wait first
    assert "40 分钟" in page or "40分钟" in page
    assert "light-overdue" in page and "light-warning" in page
    Ticket.objects.update(state="done")
    with time_machine.travel(dt.datetime(2025, 11, 17, 9, 40, tzinfo=tz), tick=False):
        assert early.number not in c.get("/supervision/?tab=tickets").content.decode()


def test_a_card_names_the_window_where_the_clerk_broke_the_rule(district, item, staff):
    """黄牌 to the department and the window: a clerk signed in to window 1 does not accept a
    complete application; the card names the clerk and window 1. The same clerk's act away from
    any window names no window."""
    from onetrip.hall import services as hall

    from .hall_fixtures import build_hall
    from .test_window_intake import scan, start, take_in

    window = build_hall(district).windows[0]
    hall.sign_in_window(actor=staff.clerk, window=window)
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    take_in(staff.clerk, app, "refuse", reasons="今天不办", form={"state": "present"})
    hall.sign_out_window(actor=staff.clerk)
    app = start(staff.clerk, item)
    scan(staff.clerk, app)
    take_in(staff.clerk, app, "refuse", reasons="明天再来", form={"state": "present"})
    supervision.issue_cards(day=dt.date.today())
    at_window, away = Card.objects.filter(violation__rule="refused_complete").order_by("id")
    assert (at_window.officer_id, at_window.window_id, away.window_id) == (staff.clerk.pk, window.pk, None)
    c = Client()
    c.force_login(staff.head)
    page = c.get("/staff/supervision/").content.decode()
    with translation.override("zh-hans"):
        assert f"{window.area.name} {window}" in page
