"""Who sees the caller: an anonymous reporter (匿名举报) follows the report with a query code shown
once (only its hash is kept) and is never shown to the department concerned, nor to anyone but the
operator; a named caller is masked for the department and the supervisor; the citizen follows a
ticket with its number and mobile."""

from __future__ import annotations

import pytest

from onetrip.core.models import Notification, TrailEntry
from onetrip.hotline import rules, selectors, services
from onetrip.hotline.models import Channel, Kind, Ticket

from .conftest import at
from .hotline_fixtures import build_centre, complaint

pytestmark = pytest.mark.django_db

REPORT = "鼎城区某加油站夜间向河里排放废油，已持续一个月。"


@pytest.fixture
def c(department):
    return build_centre(department)


def report(c, **extra):
    return services.register_ticket(actor=c.operator, kind=Kind.REPORT, channel=Channel.PHONE, text=REPORT,
                                    anonymous=True, location="善卿路加油站", **extra)


def test_an_anonymous_report_is_followed_by_its_query_code_shown_once(c):
    with at("2025-06-10"):
        reg = report(c)
    t = reg.ticket
    code = reg.query_code
    assert len(code) == 12 and set(code) <= set(rules.QUERY_CODE_ALPHABET)
    assert t.query_code_hash and code not in t.query_code_hash  # only the hash is kept
    assert code not in str(list(TrailEntry.objects.values_list("summary", flat=True)))
    assert selectors.by_query_code(code) == t
    assert selectors.by_query_code(" ".join([code[:4], code[4:8], code[8:]]).lower()) == t  # read out in groups
    assert selectors.by_query_code("2" * 12) is None and selectors.by_query_code("") is None
    with at("2025-06-10"):
        t = services.acknowledge(actor=c.officer, ticket=services.dispatch(
            actor=c.operator, ticket=t, department=c.department))
        t = services.reply(actor=c.officer, ticket=t, answer="已立案查处，责令停止排放。")
    followed = selectors.by_query_code(code)
    assert followed is not None and followed.answer == "已立案查处，责令停止排放。"
    public = [line.sentence for line in selectors.history(followed, public_only=True)]
    assert public == ["Request registered", "Dispatched to a department", "Acknowledged by the department",
                      "Replied to the citizen"]
    assert all(line.actor == "" for line in selectors.history(followed, public_only=True))
    assert not Notification.objects.exists()  # no mobile given: nobody to text


def test_the_department_never_sees_an_anonymous_reporter(c):
    with at("2025-06-10"):
        t = report(c, caller_mobile="13907365555").ticket  # a mobile only to get the SMS
        t = services.dispatch(actor=c.operator, ticket=t, department=c.department)
    for viewer in (c.officer, c.head, c.supervisor):
        seen = selectors.caller_for(viewer, t)
        assert (seen.name, seen.mobile, seen.hidden) == ("", "", True)
    assert selectors.caller_for(c.operator, t).mobile == "13907365555"
    assert t.caller_name == "" and t.caller is None
    assert Notification.objects.filter(to="13907365555", event="hotline.dispatch").exists()


def test_a_named_caller_is_masked_for_the_department_and_the_supervisor(c):
    with at("2025-06-10"):
        t = complaint(c)
    for viewer in (c.officer, c.supervisor):
        seen = selectors.caller_for(viewer, t)
        assert (seen.name, seen.mobile) == ("李**", "139****1234")
    assert selectors.caller_for(c.operator, t).name == "李秀英"


def test_a_named_caller_follows_the_ticket_with_its_number_and_mobile(c):
    with at("2025-06-10"):
        t = complaint(c)
    assert selectors.by_number_and_mobile(t.number, "139 0736 1234") == t
    assert selectors.by_number_and_mobile(t.number, "13907360000") is None


def test_query_codes_are_unique_per_ticket(c):
    with at("2025-06-10"):
        codes = {report(c).query_code for _ in range(5)}
    assert len(codes) == 5 and Ticket.objects.filter(anonymous=True).count() == 5
