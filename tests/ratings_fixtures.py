"""Closed cases with their rating invitations, for the tests of 好差评."""

from __future__ import annotations

import re
from typing import Any

from onetrip.cases.models import State
from onetrip.core.models import Notification

from .conftest import apply

LINK = re.compile(r"/ratings/r/([A-Za-z0-9_-]+)/")


def closed_case(citizen: Any, staff: Any, key: str = "") -> Any:
    from .test_case_transitions import walk

    return walk(apply(citizen, key=key), staff, citizen, State.CLOSED)


def token_of(case: Any) -> str:
    """The invitation link's token, read from the SMS queued for the case (the database keeps only
    its hash)."""
    sms = Notification.objects.get(event="ratings.invitation", target_id=str(case.pk))
    m = LINK.search(sms.body)
    assert m, sms.body
    return m.group(1)
