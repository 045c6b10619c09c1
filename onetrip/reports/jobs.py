"""The reports' background work on the job registry (``manage.py worker``)."""

from __future__ import annotations

from onetrip.core.jobs import job
from onetrip.reports import services


@job("reports.rollup", every=600)
def rollup() -> dict[str, int]:
    """Reform metrics: the daily rollup of finished cases' counters (days not yet final, and today)."""
    return services.roll_up()


@job("reports.monthly", every=3600)
def monthly() -> int:
    """月度报告: last month's PDF and Excel, once its last day is rolled up (1 when made now)."""
    return int(services.monthly_due() is not None)
