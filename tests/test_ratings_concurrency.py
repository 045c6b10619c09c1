"""One rating per case and per visit under real concurrent connections (PostgreSQL: one
connection per thread, released together by a barrier)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onetrip.ratings import services
from onetrip.ratings.models import Rating, Rectification

from .ratings_fixtures import closed_case, token_of
from .test_hall_concurrency import PG, in_threads


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_eight_submits_of_one_invitation_at_once_make_one_rating(citizen, item, staff):
    case = closed_case(citizen, staff)
    token = token_of(case)
    results, errors = in_threads([lambda n=n: services.rate_by_invitation(token=token, level=1 + n % 2)
                                  for n in range(8)])
    assert len(results) == 1 and len(errors) == 7
    assert all(isinstance(e, ValidationError) and getattr(e, "code", "") == "duplicate" for e in errors), errors
    assert Rating.objects.filter(case=case).count() == 1
    assert Rectification.objects.count() == (1 if results[0].level <= 2 else 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_the_link_and_the_case_page_at_once_make_one_rating(citizen, item, staff):
    case = closed_case(citizen, staff)
    token = token_of(case)
    targets = [lambda: services.rate_by_invitation(token=token, level=1),
               lambda: services.rate_case(actor=citizen, case=case, level=5)] * 3
    results, errors = in_threads(targets)
    assert len(results) == 1 and len(errors) == 5
    assert Rating.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_taps_on_one_pad_at_once_rate_the_visit_once(district):
    from .test_ratings import _pad_world

    _w, pad, _key, ticket = _pad_world(district)
    results, errors = in_threads([lambda: services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=5)
                                  for _ in range(6)])
    assert len(results) == 1 and len(errors) == 5
    assert Rating.objects.filter(ticket=ticket).count() == 1
