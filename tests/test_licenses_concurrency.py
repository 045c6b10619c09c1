"""Issuing under real concurrent connections (PostgreSQL: one connection per thread, released
together by a barrier): three workers running the issuing job at once issue each licence exactly
once, and the sequence numbers stay unique and gapless."""

from __future__ import annotations

import pytest

from onetrip.core.models import TrailEntry
from onetrip.licenses import jobs
from onetrip.licenses.models import Licence, LicenceStatus

from .conftest import apply
from .test_hall_concurrency import PG, in_threads
from .test_licenses import approve, licensed_item  # noqa: F401  (a fixture)

pytestmark = pytest.mark.postgresql(reason=PG)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("licensed_item")
def test_three_workers_issue_each_licence_once(staff, citizen):
    for n in range(6):
        approve(apply(citizen, key=f"k{n}"), staff)
    results, errors = in_threads([jobs.issue_pending for _ in range(3)])
    assert not errors, errors
    assert sum(r["issued"] for r in results) == 6 and all(r["failed"] == 0 for r in results)
    licences = Licence.objects.all()
    assert {lic.status for lic in licences} == {LicenceStatus.VALID}
    assert sorted(lic.sequence for lic in licences) == [1, 2, 3, 4, 5, 6]
    assert TrailEntry.objects.filter(action="licence.issued").count() == 6
