"""The hotline's daily light job and e-supervision: a ticket past its time limit turns red, is
recorded overdue once, and the card job gives the department a yellow card for it (a red card when
it is still open more than the red-card threshold later); a reopened ticket late again is carded
again. Supervision finds the tickets through its card sources and imports nothing of the hotline."""

from __future__ import annotations

import datetime as dt

import pytest

from onetrip.core import jobs
from onetrip.hotline import jobs as hotline_jobs
from onetrip.hotline import services
from onetrip.hotline.models import Kind, TicketEvent
from onetrip.supervision import services as supervision
from onetrip.supervision import sources
from onetrip.supervision.models import Card, CardColour, CardReason

from .conftest import at
from .hotline_fixtures import build_centre, complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department):
    return build_centre(department)


def help_request(c):
    """求助 received Tue 10 June 2025 with 3 working days (setting): due Fri 13 June."""
    t = complaint(c, kind=Kind.HELP)
    return services.acknowledge(actor=c.officer, ticket=services.dispatch(
        actor=c.operator, ticket=t, department=c.department))


def test_the_job_is_registered_and_the_hotline_is_a_card_source():
    jobs.autodiscover()
    assert "hotline.lights" in [j.name for j in jobs.registry.jobs()]
    assert "hotline.overdue_tickets" in sources.SOURCES


def test_lights_turn_amber_then_red_and_an_overdue_ticket_gets_a_yellow_card(c, settings):
    settings.HOTLINE_LIMIT_HELP = 3
    with at("2025-06-10"):
        t = help_request(c)
        assert (t.deadline, t.light) == (dt.date(2025, 6, 13), "normal")  # 3 working days away
    with at("2025-06-12"):
        assert hotline_jobs.update_lights(day=dt.date(2025, 6, 12)) == {"lights": 1, "overdue": 0}
        assert hotline_jobs.update_lights(day=dt.date(2025, 6, 12)) == {"lights": 0, "overdue": 0}  # once a day
    t.refresh_from_db()
    assert t.light == "warning"
    assert supervision.issue_cards(day=dt.date(2025, 6, 12)) == {"yellow": 0, "red": 0}
    with at("2025-06-16"):  # Monday after the deadline
        assert hotline_jobs.update_lights(day=dt.date(2025, 6, 16)) == {"lights": 1, "overdue": 1}
        t.refresh_from_db()
        assert (t.light, t.overdue_on) == ("overdue", dt.date(2025, 6, 16))
        assert TicketEvent.objects.filter(ticket=t, action="overdue", public=False).count() == 1
        assert supervision.issue_cards(day=dt.date(2025, 6, 16))["yellow"] == 1
        assert supervision.issue_cards(day=dt.date(2025, 6, 16))["yellow"] == 0  # each card once
    card = Card.objects.get(reason=CardReason.TICKET_OVERDUE)
    assert (card.colour, card.department, card.officer) == (CardColour.YELLOW, c.department, c.officer)
    assert t.number in card.detail and card.case is None
    with at("2025-06-17"):
        assert hotline_jobs.update_lights(day=dt.date(2025, 6, 17)) == {"lights": 1, "overdue": 0}  # recorded once


def test_a_ticket_replied_before_the_card_job_ran_still_gets_its_card(c, settings):
    settings.HOTLINE_LIMIT_HELP = 3
    with at("2025-06-10"):
        t = help_request(c)
    with at("2025-06-16"):
        hotline_jobs.update_lights(day=dt.date(2025, 6, 16))
        services.reply(actor=c.officer, ticket=t, answer="已安排。")
        assert supervision.issue_cards(day=dt.date(2025, 6, 16))["yellow"] == 1


def test_a_ticket_long_overdue_gets_a_red_card(c, settings):
    settings.HOTLINE_LIMIT_HELP = 3
    settings.SUPERVISION_RED_OVERDUE_WORKDAYS = 5
    with at("2025-06-10"):
        help_request(c)
    with at("2025-06-20"):  # 5 working days after Fri 13: not more than 5
        hotline_jobs.update_lights(day=dt.date(2025, 6, 20))
        assert supervision.issue_cards(day=dt.date(2025, 6, 20)) == {"yellow": 1, "red": 0}
    with at("2025-06-23"):
        assert supervision.issue_cards(day=dt.date(2025, 6, 23)) == {"yellow": 0, "red": 1}
    assert Card.objects.get(colour=CardColour.RED).reason == CardReason.LONG_OVERDUE


def test_a_reopened_ticket_late_again_is_carded_again(c, settings):
    settings.HOTLINE_LIMIT_HELP = 3
    with at("2025-06-10"):
        t = help_request(c)
    with at("2025-06-16"):
        hotline_jobs.update_lights(day=dt.date(2025, 6, 16))
        supervision.issue_cards(day=dt.date(2025, 6, 16))
        t = services.finish(actor=c.officer, ticket=services.reply(actor=c.officer, ticket=t, answer="已安排。"))
        t = services.return_visit(actor=c.operator, ticket=t, answer="not_satisfied")
        assert (t.overdue_on, t.deadline) == (None, dt.date(2025, 6, 19))
    with at("2025-06-20"):
        assert hotline_jobs.update_lights(day=dt.date(2025, 6, 20))["overdue"] == 1
        assert supervision.issue_cards(day=dt.date(2025, 6, 20))["yellow"] == 1
    assert Card.objects.filter(reason=CardReason.TICKET_OVERDUE).count() == 2


def test_the_job_skips_closed_tickets(c):
    with at("2025-06-10"):
        services.register_ticket(actor=c.operator, kind=Kind.CONSULTATION, channel="phone", text="几点下班？",
                                 caller_mobile="13907361111", answer="下午五点半。")
    assert hotline_jobs.update_lights(day=dt.date(2025, 7, 10)) == {"lights": 0, "overdue": 0}
