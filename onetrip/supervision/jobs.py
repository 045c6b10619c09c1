"""E-supervision's background work on the job registry (``manage.py worker``)."""

from __future__ import annotations

from onetrip.cases import clock
from onetrip.core.jobs import job
from onetrip.supervision import services


@job("supervision.cards", every=300)
def cards() -> dict[str, int]:
    """黄牌 / 红牌: cards for rule violations, long-overdue cases, unanswered orders and repeated
    yellow cards (each card once, by its key)."""
    return services.issue_cards(day=clock.today())
