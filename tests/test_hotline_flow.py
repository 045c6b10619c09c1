"""The 12345 hotline's closed loop, as a guide would tell it: an operator takes a call and either
answers it at once or dispatches it to a department, which acknowledges it, may return it with its
reasons or ask for more time, replies and finishes; the centre's return visit closes the ticket,
or reopens it when the citizen is not satisfied. Every step is on the ticket's history and on the
trail, on the working-day clock (2025's calendar: weekends and holidays off)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases.rules import Refused
from onetrip.core.models import Notification, TrailEntry
from onetrip.hotline import selectors, services
from onetrip.hotline.models import Channel, Kind, Ticket, TicketEvent, TicketState

from .conftest import at
from .hotline_fixtures import COMPLAINT, build_centre, complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department):
    return build_centre(department)


def sms_to(mobile: str) -> list[str]:
    return list(Notification.objects.filter(to=mobile).order_by("id").values_list("event", flat=True))


def test_a_complaint_dispatched_acknowledged_replied_and_visited_satisfied_is_closed(c):
    with at("2025-06-10"):  # Tuesday
        t = complaint(c)
        assert t.number.startswith("12345-20250610-") and len(t.number) == len("12345-20250610-000001")
        assert (t.state, t.limit_workdays, t.deadline) == (TicketState.REGISTERED, 15, dt.date(2025, 7, 1))
        t = services.dispatch(actor=c.operator, ticket=t, department=c.department)
        assert t.state == TicketState.DISPATCHED and t.department == c.department
        assert t.acknowledge_by == t.dispatched_at + dt.timedelta(hours=2)
        t = services.acknowledge(actor=c.officer, ticket=t)
        assert t.state == TicketState.IN_PROGRESS and t.acknowledged_by == c.officer
    with at("2025-06-13"):
        t = services.reply(actor=c.officer, ticket=t, answer="已责令摊主安装油烟净化器，晚十点后停止经营。")
        assert t.state == TicketState.REPLIED and t.light == ""  # the clock stops at the reply
        t = services.finish(actor=c.head, ticket=t)
    with at("2025-06-16"):
        t = services.return_visit(actor=c.operator, ticket=t, answer="satisfied")
    assert t.state == TicketState.CLOSED and t.visit_answer == "satisfied" and t.closed_at is not None
    lines = [line.sentence for line in selectors.history(t)]
    assert lines == ["Request registered", "Dispatched to a department", "Acknowledged by the department",
                     "Replied to the citizen", "Finished by the department", "Return visit made"]
    assert sms_to("13907361234") == ["hotline.dispatch", "hotline.reply"]  # no SMS for a closing visit
    body = Notification.objects.get(event="hotline.reply").body
    assert t.number in body and "油烟净化器" in body
    actions = list(TrailEntry.objects.filter(object_type="hotline.ticket", object_id=str(t.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["hotline.register", "hotline.dispatch", "hotline.acknowledge", "hotline.reply",
                       "hotline.finish", "hotline.return_visit"]


def test_not_satisfied_at_the_return_visit_reopens_it_with_the_clock_started_again(c):
    with at("2025-06-10"):
        t = services.acknowledge(actor=c.officer, ticket=services.dispatch(
            actor=c.operator, ticket=complaint(c), department=c.department))
        t = services.finish(actor=c.officer, ticket=services.reply(actor=c.officer, ticket=t, answer="已处理。"))
    with at("2025-06-20"):  # Friday
        t = services.return_visit(actor=c.operator, ticket=t, answer="not_satisfied", note="晚上仍有噪音")
    # 重办: back with the same department, 15 working days from 20 June: Jun 23–Jul 11.
    assert (t.state, t.department, t.reopened) == (TicketState.IN_PROGRESS, c.department, 1)
    assert t.started_on == dt.date(2025, 6, 20) and t.deadline == dt.date(2025, 7, 11)
    assert t.light == "normal" and t.answer == ""
    assert sms_to("13907361234")[-1] == "hotline.return_visit"
    assert "2025-07-11" in Notification.objects.filter(event="hotline.return_visit").get().body
    with at("2025-06-24"):
        t = services.reply(actor=c.officer, ticket=t, answer="已联合城管夜间巡查，摊点已搬离。")
    assert t.state == TicketState.REPLIED


def test_a_return_goes_back_to_the_operator_with_its_reasons_and_is_dispatched_again(c):
    with at("2025-06-10"):
        t = services.dispatch(actor=c.operator, ticket=complaint(c), department=c.other)
        t = services.return_ticket(actor=c.other_officer, ticket=t, reason="not_our_remit",
                                   note="烧烤摊油烟属市场监管和城管职责，不属住建局。")
        assert (t.state, t.department) == (TicketState.RETURNED, None)
        assert t in selectors.desk(c.operator)
        returned = t.events.get(action="return_ticket")
        assert (returned.department, returned.data["reason"]) == (c.other, "not_our_remit")
        assert "不属住建局" in returned.note
        assert t not in selectors.department_inbox(c.other_officer)  # no longer theirs
        t = services.dispatch(actor=c.operator, ticket=t, department=c.department)
        assert (t.state, t.department) == (TicketState.DISPATCHED, c.department)
        t = services.acknowledge(actor=c.officer, ticket=t)
    assert [e.sentence for e in selectors.history(t)][1:] == [
        "Dispatched to a department", "Returned to the centre by the department", "Dispatched to a department",
        "Acknowledged by the department"]


def test_a_return_needs_a_reason_and_an_explanation(c):
    with at("2025-06-10"):
        t = services.dispatch(actor=c.operator, ticket=complaint(c), department=c.department)
        with pytest.raises(ValidationError) as e:
            services.return_ticket(actor=c.officer, ticket=t, reason="because", note="")
        assert set(e.value.message_dict) == {"reason"}
        with pytest.raises(ValidationError) as e:
            services.return_ticket(actor=c.officer, ticket=t, reason="not_our_remit", note=" ")
        assert set(e.value.message_dict) == {"note"}
    t.refresh_from_db()
    assert t.state == TicketState.DISPATCHED and t.events.count() == 2


def test_an_approved_extension_moves_the_deadline_by_working_days(c):
    with at("2025-06-10"):
        t = services.acknowledge(actor=c.officer, ticket=services.dispatch(
            actor=c.operator, ticket=complaint(c), department=c.department))
        assert t.deadline == dt.date(2025, 7, 1)
        t = services.request_extension(actor=c.officer, ticket=t, days=5, reasons="需会同城管现场执法")
        assert t.extension_requested == 5 and t.deadline == dt.date(2025, 7, 1)  # not before the decision
        with pytest.raises(Refused):
            services.request_extension(actor=c.officer, ticket=t, days=3, reasons="再等等")
        t = services.decide_extension(actor=c.operator, ticket=t, approve=True)
    # Five working days after Tue 1 July: Wed 2 … Tue 8 July.
    assert (t.deadline, t.limit_workdays, t.extension_requested) == (dt.date(2025, 7, 8), 20, 0)
    approved = t.events.get(action="approve_extension")
    assert approved.data == {"days": 5, "from": "2025-07-01", "to": "2025-07-08"}
    assert sms_to("13907361234")[-1] == "hotline.approve_extension"


def test_a_refused_extension_keeps_the_deadline_and_says_why(c):
    with at("2025-06-10"):
        t = services.acknowledge(actor=c.officer, ticket=services.dispatch(
            actor=c.operator, ticket=complaint(c), department=c.department))
        t = services.request_extension(actor=c.officer, ticket=t, days=3, reasons="人手不足")
        with pytest.raises(ValidationError):
            services.decide_extension(actor=c.operator, ticket=t, approve=False, note="")
        t = services.decide_extension(actor=c.operator, ticket=t, approve=False, note="人手不足不是延期理由")
    assert (t.deadline, t.extension_requested) == (dt.date(2025, 7, 1), 0)
    with pytest.raises(ValidationError):
        services.request_extension(actor=c.officer, ticket=t, days=11, reasons="太多")  # over the maximum


def test_an_operator_answers_a_consultation_on_the_call_and_it_is_closed_at_first_contact(c):
    with at("2025-06-10"):
        reg = services.register_ticket(actor=c.operator, kind=Kind.CONSULTATION, channel=Channel.PHONE,
                                       text="办个体户营业执照要带什么？", caller_mobile="13907361111",
                                       answer="带身份证原件和经营场所证明，可在网上申办，当场办结。")
    t = reg.ticket
    assert (t.state, t.light, reg.query_code) == (TicketState.CLOSED, "", "")
    assert t.limit_workdays == 1 and t.deadline == dt.date(2025, 6, 11)
    assert [e.action for e in t.events.all()] == ["register", "answer_at_once"]
    assert sms_to("13907361111") == ["hotline.answer_at_once"]


def test_a_wrong_state_action_is_refused_and_nothing_is_written(c):
    with at("2025-06-10"):
        t = complaint(c)
        events, trail, sms = TicketEvent.objects.count(), TrailEntry.objects.count(), Notification.objects.count()
        with pytest.raises(Refused) as e:
            services.reply(actor=c.officer, ticket=t, answer="提前答复")  # not dispatched yet
        assert e.value.code == "forbidden" or e.value.code == "wrong_state"
        t = services.dispatch(actor=c.operator, ticket=t, department=c.department)
        events, trail, sms = TicketEvent.objects.count(), TrailEntry.objects.count(), Notification.objects.count()
        for attempt in (lambda: services.reply(actor=c.officer, ticket=t, answer="未签收就答复"),
                        lambda: services.finish(actor=c.officer, ticket=t),
                        lambda: services.return_visit(actor=c.operator, ticket=t, answer="satisfied"),
                        lambda: services.dispatch(actor=c.operator, ticket=t, department=c.other)):
            with pytest.raises(Refused) as e:
                attempt()
            assert e.value.code == "wrong_state"
    fresh = Ticket.objects.get(pk=t.pk)
    assert (fresh.state, fresh.department, fresh.answer) == (TicketState.DISPATCHED, c.department, "")
    assert (TicketEvent.objects.count(), TrailEntry.objects.count(), Notification.objects.count()) == (
        events, trail, sms)


def test_who_may_do_what(c):
    with at("2025-06-10"):
        t = complaint(c)
        with pytest.raises(Refused) as e:
            services.dispatch(actor=c.officer, ticket=t, department=c.department)  # the centre dispatches
        assert e.value.code == "forbidden"
        t = services.dispatch(actor=c.operator, ticket=t, department=c.department)
        with pytest.raises(Refused) as e:
            services.acknowledge(actor=c.other_officer, ticket=t)
        assert e.value.code == "not_your_department"
        for someone in (c.operator, c.supervisor):
            with pytest.raises(Refused) as e:
                services.acknowledge(actor=someone, ticket=t)
            assert e.value.code == "forbidden"
        assert services.actions_for(t, c.officer) == ["acknowledge", "return_ticket"]
        assert services.actions_for(t, c.operator) == ["merge"]
        assert services.actions_for(t, c.supervisor) == []
        assert services.actions_for(t, c.other_officer) == []
    assert t in selectors.visible_to(c.supervisor) and t not in selectors.visible_to(c.other_officer)


def test_only_an_operator_registers_a_phone_call_and_only_a_report_is_anonymous(c):
    with pytest.raises(Refused):
        services.register_ticket(actor=c.officer, kind=Kind.COMPLAINT, channel=Channel.PHONE, text=COMPLAINT,
                                 caller_mobile="13907361234")
    with pytest.raises(ValidationError) as e:
        services.register_ticket(actor=c.operator, kind=Kind.COMPLAINT, channel=Channel.PHONE, text=COMPLAINT,
                                 anonymous=True)
    assert "anonymous" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.register_ticket(actor=c.operator, kind="gossip", channel=Channel.PHONE, text="")
    assert set(e.value.message_dict) == {"kind", "text"}
    with pytest.raises(ValidationError) as e:
        services.register_ticket(actor=c.operator, kind=Kind.HELP, channel=Channel.PHONE, text="求助",
                                 caller_mobile="12345")
    assert "caller_mobile" in e.value.message_dict
    assert not Ticket.objects.exists()


def test_time_limits_per_type_are_settings(c, settings):
    settings.HOTLINE_LIMIT_HELP = 3
    with at("2025-06-10"):
        t = complaint(c, kind=Kind.HELP)
    assert (t.limit_workdays, t.deadline) == (3, dt.date(2025, 6, 13))


def test_a_late_acknowledgement_is_kept_on_the_history(c, settings):
    settings.HOTLINE_ACK_HOURS = 1
    with at("2025-06-10"):
        t = services.dispatch(actor=c.operator, ticket=complaint(c), department=c.department)
    with at("2025-06-11"):
        t = services.acknowledge(actor=c.officer, ticket=t)
    assert t.events.get(action="acknowledge").data == {"late": True, "dispatched_at": t.dispatched_at.isoformat()}
