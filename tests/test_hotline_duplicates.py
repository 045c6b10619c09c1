"""Repeated requests (重复诉求): the same caller, a similar text, within the period are suggested to
the operator (``rules.likely_duplicates``); merged into a main ticket, they are answered with it and
each caller is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases.rules import Refused
from onetrip.core.models import Notification
from onetrip.hotline import rules, selectors, services
from onetrip.hotline.models import TicketState

from .conftest import at
from .hotline_fixtures import COMPLAINT, build_centre, complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department):
    return build_centre(department)


def test_similarity_reads_chinese_by_character_pairs():
    assert rules.similarity(COMPLAINT, COMPLAINT) == 1.0
    again = "菜市场旁边烧烤摊油烟很大，晚上噪音到凌晨两点，反映多次没人管！"
    assert rules.similarity(COMPLAINT, again) >= 0.5
    assert rules.similarity(COMPLAINT, "咨询结婚登记需要带什么材料") < 0.2
    assert rules.bigrams("油烟 很大！") == {"油烟", "烟很", "很大"}


def test_the_same_caller_with_a_similar_text_within_the_period_is_suggested(c):
    with at("2025-06-10"):
        first = complaint(c)
    with at("2025-06-20"):
        again = complaint(c, text="菜市场旁边烧烤摊油烟很大，晚上噪音到凌晨两点，反映多次没人管！")
        other_caller = complaint(c, caller_mobile="13907362222", caller_name="王芳")
        other_subject = complaint(c, text="咨询结婚登记需要带什么材料")
        other_place = complaint(c, location="善德路夜市")
    assert selectors.duplicates_of(again) == [first]
    assert first not in selectors.duplicates_of(other_caller)
    assert selectors.duplicates_of(other_subject) == []
    assert first not in selectors.duplicates_of(other_place)


def test_outside_the_period_it_is_a_new_request(c, settings):
    settings.HOTLINE_DUPLICATE_DAYS = 7
    with at("2025-06-10"):
        complaint(c)
    with at("2025-06-20"):
        assert selectors.duplicates_of(complaint(c)) == []


def test_merged_tickets_are_answered_with_the_main_one_and_each_caller_told(c):
    with at("2025-06-10"):
        main = complaint(c)
        neighbour = complaint(c, caller_name="王芳", caller_mobile="13907362222")
        repeat = complaint(c)
        services.merge(actor=c.operator, ticket=repeat, into=main)
        services.merge(actor=c.operator, ticket=neighbour, into=main)
        repeat.refresh_from_db()
        assert (repeat.state, repeat.main, repeat.light) == (TicketState.MERGED, main, "")
        main = services.acknowledge(actor=c.officer, ticket=services.dispatch(
            actor=c.operator, ticket=main, department=c.department))
        main = services.reply(actor=c.officer, ticket=main, answer="摊点已取缔。")
    neighbour.refresh_from_db()
    repeat.refresh_from_db()
    assert neighbour.answer == repeat.answer == "摊点已取缔。"
    assert neighbour.events.last().action == "answered_with_main"
    told = Notification.objects.filter(event="hotline.answered_with_main")
    assert sorted(told.values_list("to", flat=True)) == ["13907361234", "13907362222"]
    assert main.number in told.first().body and "摊点已取缔" in told.first().body


def test_what_cannot_be_merged(c):
    with at("2025-06-10"):
        a, b, d = complaint(c), complaint(c), complaint(c)
        with pytest.raises(Refused):
            services.merge(actor=c.operator, ticket=a, into=a)
        services.merge(actor=c.operator, ticket=b, into=a)
        with pytest.raises(Refused):
            services.merge(actor=c.operator, ticket=d, into=b)  # b is merged itself
        with pytest.raises(Refused):
            services.merge(actor=c.operator, ticket=a, into=d)  # a has others merged into it
        with pytest.raises(ValidationError):
            services.transition(ticket=d, action="merge", actor=c.operator, data={"main": "12345-no-such"})
    d.refresh_from_db()
    assert d.state == TicketState.REGISTERED
