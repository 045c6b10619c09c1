"""E-supervision applies to hotline tickets as to cases: a dispatch not acknowledged in time
(签收超时) earns the department a yellow card, once per dispatch (a re-dispatch after a return is a
new one); a supervisor's order (督办) may be about a ticket — issued from the desk, the ticket's
page or the API, shown on the ticket's page, answered by the department there or on its
supervision page, and carded when not answered in time. Supervision imports nothing of the
hotline: the ticket is an order subject the hotline registers (``supervision.subjects``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from onetrip.core.models import TrailEntry
from onetrip.hotline import plug, services
from onetrip.supervision import services as supervision
from onetrip.supervision import sources, subjects
from onetrip.supervision.models import Card, CardReason, Order, OrderStatus

from .conftest import at
from .hotline_fixtures import build_centre, complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department):
    return build_centre(department)


def clock(when: str):
    """Freeze the clock at ``when`` (``YYYY-MM-DD HH:MM``, Beijing time)."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{when}:00+08:00"), tick=False)


def cards_job(when: str) -> dict[str, int]:
    with clock(when):
        return supervision.issue_cards(day=dt.date.fromisoformat(when[:10]))


def ack_cards() -> list[Card]:
    return list(Card.objects.filter(reason=CardReason.TICKET_ACK_LATE).order_by("id"))


def dispatched(c, when: str = "2025-06-10 10:00"):
    """A complaint dispatched at ``when``: to be acknowledged within 2 hours (HOTLINE_ACK_HOURS)."""
    with clock(when):
        return services.dispatch(actor=c.operator, ticket=complaint(c), department=c.department)


# --- 签收超时 -------------------------------------------------------------------------------------


def test_late_acknowledgements_come_through_the_hotline_card_source_and_tickets_are_order_subjects(c):
    assert "hotline.overdue_tickets" in sources.SOURCES
    assert "hotline.ticket" in subjects.KINDS
    dispatched(c)
    with clock("2025-06-10 13:00"):
        due = list(sources.SOURCES["hotline.overdue_tickets"](dt.date(2025, 6, 10), 100))
    assert [d.reason for d in due] == [CardReason.TICKET_ACK_LATE]


def test_a_dispatch_not_acknowledged_in_time_is_carded_once(c, settings):
    settings.HOTLINE_ACK_HOURS = 2
    t = dispatched(c)
    assert cards_job("2025-06-10 11:59") == {"yellow": 0, "red": 0}  # still in time
    assert cards_job("2025-06-10 12:01") == {"yellow": 1, "red": 0}
    card = Card.objects.get()
    assert (card.colour, card.reason, card.department_id) == ("yellow", "ticket_ack_late", c.department.pk)
    assert t.number in card.detail and "2025-06-10 12:00" in card.detail
    assert cards_job("2025-06-10 12:30") == {"yellow": 0, "red": 0}  # each card once
    with clock("2025-06-10 13:00"):  # signed for late at last: the same dispatch, no second card
        t = services.acknowledge(actor=c.officer, ticket=t)
    assert t.events.get(action="acknowledge").data["late"] is True
    assert cards_job("2025-06-10 14:00") == {"yellow": 0, "red": 0}
    assert len(ack_cards()) == 1
    assert TrailEntry.objects.filter(action="supervision.card").count() == 1


def test_a_dispatch_acknowledged_in_time_is_not_carded(c):
    t = dispatched(c)
    with clock("2025-06-10 11:55"):
        services.acknowledge(actor=c.officer, ticket=t)
    assert cards_job("2025-06-10 15:00") == {"yellow": 0, "red": 0}
    assert cards_job("2025-06-11 15:00") == {"yellow": 0, "red": 0}
    assert not ack_cards()


def test_a_late_acknowledgement_made_before_the_card_job_ran_is_still_carded(c):
    t = dispatched(c)
    with clock("2025-06-10 12:20"):
        services.acknowledge(actor=c.officer, ticket=t)
    assert cards_job("2025-06-10 15:00") == {"yellow": 1, "red": 0}
    assert cards_job("2025-06-10 15:05") == {"yellow": 0, "red": 0}
    assert len(ack_cards()) == 1


def test_a_redispatch_after_a_return_is_a_new_dispatch_carded_on_its_own(c):
    t = dispatched(c)
    with clock("2025-06-10 12:30"):  # returned, never signed for, after the 2 hours: late
        t = services.return_ticket(actor=c.officer, ticket=t, reason="not_our_remit", note="属住建局职责")
    with clock("2025-06-10 12:40"):
        t = services.dispatch(actor=c.operator, ticket=t, department=c.other)
    assert cards_job("2025-06-10 13:00") == {"yellow": 1, "red": 0}  # the first dispatch only
    assert [card.department_id for card in ack_cards()] == [c.department.pk]
    assert cards_job("2025-06-10 15:00") == {"yellow": 1, "red": 0}  # the second dispatch, still waiting
    assert [card.department_id for card in ack_cards()] == [c.department.pk, c.other.pk]
    assert len({card.key for card in ack_cards()}) == 2
    assert cards_job("2025-06-11 09:00") == {"yellow": 0, "red": 0}


def test_a_return_in_time_is_not_a_late_acknowledgement(c):
    t = dispatched(c)
    with clock("2025-06-10 10:30"):
        services.return_ticket(actor=c.officer, ticket=t, reason="not_our_remit", note="属住建局职责")
    assert cards_job("2025-06-10 15:00") == {"yellow": 0, "red": 0}


def test_a_ticket_answered_at_once_or_never_dispatched_is_not_carded(c):
    with clock("2025-06-10 10:00"):
        complaint(c)
        services.register_ticket(actor=c.operator, kind="consultation", channel="phone", text="社保卡怎么补办",
                                 caller_name="王", answer="带身份证到社保窗口")
    assert cards_job("2025-06-11 10:00") == {"yellow": 0, "red": 0}


# --- 督办 about a ticket --------------------------------------------------------------------------


def test_a_supervisor_orders_the_department_on_a_ticket_and_it_replies(c):
    t = dispatched(c)
    about = subjects.find("hotline.ticket", t.number)
    assert about is not None and about.department_id == c.department.pk and about.label == t.number
    with at("2025-06-10"):
        order = supervision.issue_order(actor=c.supervisor, about=about, subject="加快处理",
                                        instructions="请两日内核查烧烤摊油烟并答复群众", workdays=2)
    assert (order.department_id, order.case_id, order.about, order.about_label) == (
        c.department.pk, None, f"hotline.ticket:{t.pk}", t.number)
    assert order.due_on == dt.date(2025, 6, 12)
    assert order.about_url == f"/hotline/t/{t.number}/"
    entry = TrailEntry.objects.get(action="supervision.order")
    assert entry.summary["about"] == f"hotline.ticket:{t.pk}"
    with pytest.raises(ValidationError):
        supervision.reply_order(actor=c.other_officer, order=order, reply="不是我们")
    order = supervision.reply_order(actor=c.officer, order=order, reply="已现场核查并责令整改")
    assert order.status == OrderStatus.REPLIED
    assert supervision.close_order(actor=c.supervisor, order=order, accept=True).status == OrderStatus.CLOSED


def test_an_order_needs_a_ticket_with_a_department_and_not_a_case_as_well(c, citizen, item):
    from .conftest import apply

    with clock("2025-06-10 10:00"):
        waiting = complaint(c)  # registered, not dispatched: nobody to order yet
    about = subjects.find("hotline.ticket", waiting.number)
    assert about is not None and about.department_id is None
    with pytest.raises(ValidationError) as bad:
        supervision.issue_order(actor=c.supervisor, about=about, subject="催办", instructions="请处理")
    assert set(bad.value.message_dict) == {"about"}
    t = dispatched(c)
    with pytest.raises(ValidationError) as both:
        supervision.issue_order(actor=c.supervisor, about=subjects.find("hotline.ticket", t.number),
                                case=apply(citizen), subject="催办", instructions="请处理")
    assert set(both.value.message_dict) == {"about"}
    with pytest.raises(ValidationError):
        supervision.issue_order(actor=c.operator, about=subjects.find("hotline.ticket", t.number), subject="催办",
                                instructions="请处理")
    assert subjects.find("hotline.ticket", "12345-no-such") is None
    assert subjects.find("no.such.kind", t.number) is None
    assert not Order.objects.exists()


def test_an_order_on_a_ticket_not_answered_in_time_earns_a_yellow_card(c):
    t = dispatched(c, "2025-11-17 09:00")
    with clock("2025-11-17 09:30"):
        services.acknowledge(actor=c.officer, ticket=t)
        order = supervision.issue_order(actor=c.supervisor, about=subjects.find("hotline.ticket", t.number),
                                        subject="说明情况", instructions="请说明", workdays=1)
    assert order.due_on == dt.date(2025, 11, 18)
    assert cards_job("2025-11-18 10:00") == {"yellow": 0, "red": 0}  # due today: not late
    assert cards_job("2025-11-19 10:00") == {"yellow": 1, "red": 0}
    card = Card.objects.get()
    assert (card.reason, card.order_id, card.department_id) == ("order_overdue", order.pk, c.department.pk)
    assert t.number in card.detail


def test_the_ticket_page_shows_its_orders_and_cards_and_takes_the_order_and_the_reply(c):
    t = dispatched(c)
    cards_job("2025-06-10 13:00")  # 签收超时
    sup = Client()
    sup.force_login(c.supervisor)
    page = sup.get(f"/hotline/t/{t.number}/").content.decode()
    assert 'name="about_kind" value="hotline.ticket"' in page and "ticket_ack_late" not in page
    assert Card.objects.get().get_reason_display() in page
    response = sup.post("/supervision/orders/", {"about_kind": "hotline.ticket", "about": t.number, "subject": "催办",
                                                 "instructions": "请尽快签收并处理", "workdays": "2",
                                                 "next": f"/hotline/t/{t.number}/"})
    assert response.status_code == 302 and response["Location"] == f"/hotline/t/{t.number}/"
    order = Order.objects.get()
    assert (order.about_label, order.department_id) == (t.number, c.department.pk)
    officer = Client()
    officer.force_login(c.officer)
    page = officer.get(f"/hotline/t/{t.number}/").content.decode()
    assert "请尽快签收并处理" in page and f'action="/staff/supervision/orders/{order.pk}/reply/"' in page
    assert 'name="about_kind"' not in page  # no order form for the department
    response = officer.post(f"/staff/supervision/orders/{order.pk}/reply/",
                            {"reply": "已签收，正在核查", "next": f"/hotline/t/{t.number}/"})
    assert response["Location"] == f"/hotline/t/{t.number}/"
    assert Order.objects.get().status == OrderStatus.REPLIED
    assert f'/staff/supervision/orders/{order.pk}/reply/' not in officer.get(f"/hotline/t/{t.number}/").content.decode()
    # The department's supervision page and the desk link the order to the ticket.
    assert f"/hotline/t/{t.number}/" in officer.get("/staff/supervision/").content.decode()
    assert f"/hotline/t/{t.number}/" in sup.get("/supervision/?tab=orders").content.decode()


def test_the_desk_refuses_an_unknown_ticket_and_writes_nothing(c):
    sup = Client()
    sup.force_login(c.supervisor)
    sup.cookies["django_language"] = "en"
    page = sup.post("/supervision/orders/", {"about_kind": "hotline.ticket", "about": "12345-0000", "subject": "催办",
                                             "instructions": "请处理"}, follow=True).content.decode()
    assert "No Hotline ticket 12345-0000." in page
    with clock("2025-06-10 10:00"):
        waiting = complaint(c)
    page = sup.post("/supervision/orders/", {"about_kind": "hotline.ticket", "about": waiting.number,
                                             "subject": "催办", "instructions": "请处理"}, follow=True).content.decode()
    assert "dispatch it first" in page
    assert not Order.objects.exists()


def test_the_api_issues_and_lists_an_order_on_a_ticket(c):
    t = dispatched(c)
    sup = Client()
    sup.force_login(c.supervisor)

    def post(body):
        return sup.post("/api/v1/supervision/orders", json.dumps(body), content_type="application/json")

    base = {"subject": "催办", "instructions": "请处理", "workdays": 2}
    assert post({**base, "about_kind": "hotline.ticket", "about": "12345-0000"}).status_code == 404
    assert post({**base, "about_kind": "nonsense", "about": t.number}).status_code == 400
    assert not Order.objects.exists()
    response = post({**base, "about_kind": "hotline.ticket", "about": t.number})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["about_kind"], body["about"], body["case"], body["department"]) == (
        "hotline.ticket", t.number, None, c.department.name)
    officer = Client()
    officer.force_login(c.officer)
    listed = officer.get("/api/v1/supervision/orders").json()
    assert [(o["about_kind"], o["about"]) for o in listed] == [("hotline.ticket", t.number)]
    reply = officer.post(f"/api/v1/supervision/orders/{body['id']}/reply", json.dumps({"reply": "已处理"}),
                         content_type="application/json")
    assert reply.status_code == 200 and reply.json()["status"] == "replied"
    cards_job("2025-06-10 13:00")  # the ticket-overdue reasons are in the card schema too
    listed_cards = sup.get("/api/v1/supervision/cards")
    assert listed_cards.status_code == 200 and [x["reason"] for x in listed_cards.json()] == ["ticket_ack_late"]


def test_supervision_finds_ticket_subjects_only_through_the_registry():
    import ast
    import pathlib

    import onetrip.supervision as pkg

    for path in pathlib.Path(pkg.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("onetrip.hotline"), path
    assert plug.SUBJECT_KIND == "hotline.ticket"


@pytest.mark.postgresql(reason="real concurrent connections: three card workers at once")
@pytest.mark.django_db(transaction=True)
def test_three_card_workers_at_once_card_each_late_dispatch_once(c, settings):
    from .test_hall_concurrency import in_threads

    settings.SUPERVISION_RED_YELLOW_CARDS = 10  # no red card for repetition here

    waiting = dispatched(c)
    late = dispatched(c)
    redone = dispatched(c)
    with clock("2025-06-10 12:30"):
        services.acknowledge(actor=c.officer, ticket=late)
        redone = services.return_ticket(actor=c.officer, ticket=redone, reason="unclear", note="地址不清")
    with clock("2025-06-10 12:40"):
        services.dispatch(actor=c.operator, ticket=redone, department=c.other)
    with clock("2025-06-10 15:00"):
        results, errors = in_threads([lambda: supervision.issue_cards(day=dt.date(2025, 6, 10)) for _ in range(3)])
    assert not errors, errors
    assert sum(r["yellow"] for r in results) == 4  # waiting, late, and both dispatches of the redone ticket
    assert len(ack_cards()) == 4 and len({card.key for card in ack_cards()}) == 4
    assert TrailEntry.objects.filter(action="supervision.card").count() == 4
    assert waiting.pk != late.pk
