"""Cards under real concurrent connections (PostgreSQL, one connection per thread, released
together by a barrier): three workers running the card job at once issue each card once; the
unique key decides, and the losers write nothing (no stray trail entry)."""

from __future__ import annotations

import datetime as dt

import pytest

from onetrip.cases.models import RuleViolation
from onetrip.cases.rules import record_violation
from onetrip.core.models import TrailEntry
from onetrip.supervision import services
from onetrip.supervision.models import Card

from .conftest import apply
from .test_hall_concurrency import PG, in_threads

pytestmark = pytest.mark.postgresql(reason=PG)


@pytest.mark.django_db(transaction=True)
def test_three_workers_issue_each_card_once(citizen, item, staff, settings):
    settings.SUPERVISION_RED_YELLOW_CARDS = 3
    for n in range(4):
        record_violation(case=apply(citizen, key=f"k{n}"), rule=RuleViolation.Rule.OFF_CHECKLIST, actor=staff.clerk,
                         detail={"materials": ["户口本"]})
    day = dt.date.today()
    results, errors = in_threads([lambda: services.issue_cards(day=day) for _ in range(3)])
    assert not errors, errors
    assert sum(r["yellow"] for r in results) == 4
    assert Card.objects.filter(colour="yellow").count() == 4
    # A worker counts the yellow cards committed when it looks: the red card may wait for the next run.
    assert Card.objects.filter(colour="red").count() == sum(r["red"] for r in results) <= 1
    services.issue_cards(day=day)
    assert Card.objects.filter(colour="red").count() == 1
    assert TrailEntry.objects.filter(action="supervision.card").count() == 5
