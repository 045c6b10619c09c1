"""Hotline tickets under real concurrent connections (PostgreSQL, one connection per thread,
released together): officers acknowledging one ticket at once move it once, and operators
registering calls at once get unique, gapless numbers."""

from __future__ import annotations

import pytest

from onetrip.accounts.models import Role
from onetrip.cases.rules import Refused
from onetrip.hotline import services
from onetrip.hotline.models import Ticket, TicketEvent, TicketState

from .conftest import make_user
from .hotline_fixtures import build_centre, complaint
from .test_hall_concurrency import PG, in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql(reason=PG)]


def test_eight_officers_acknowledging_one_ticket_at_once_move_it_once(department):
    c = build_centre(department)
    t = services.dispatch(actor=c.operator, ticket=complaint(c), department=c.department)
    officers = [make_user(Role.OFFICER, department) for _ in range(8)]

    def ack(officer):
        def run():
            try:
                services.acknowledge(actor=officer, ticket=Ticket(pk=t.pk))
            except Refused as exc:
                return exc.code
            return "acknowledged"
        return run

    results, errors = in_threads([ack(o) for o in officers])
    assert errors == []
    assert sorted(results) == ["acknowledged"] + ["wrong_state"] * 7
    t.refresh_from_db()
    assert t.state == TicketState.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket=t, action="acknowledge").count() == 1


def test_operators_registering_at_once_get_unique_gapless_numbers(department):
    c = build_centre(department)
    operators = [make_user(Role.HOTLINE_OPERATOR) for _ in range(6)]

    def take_calls(operator):
        return lambda: [services.register_ticket(actor=operator, kind="help", channel="phone", text="求助",
                                                 caller_mobile="13907361234").ticket.number for _ in range(5)]

    results, errors = in_threads([take_calls(o) for o in operators] + [lambda: [complaint(c).number]])
    assert errors == []
    numbers = sorted(n for r in results for n in r)
    assert [int(n[-6:]) for n in numbers] == list(range(1, 32))
