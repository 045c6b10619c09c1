"""The cases' background work on the job registry (``core/jobs.py``), for ``manage.py worker``.
Thin wrappers: the work itself, and its claims, are in ``services.tick`` and
``notifications.send_pending``."""

from __future__ import annotations

from onetrip.cases import notifications, services
from onetrip.core.jobs import job


@job("cases.clock", every=60)
def clock() -> dict[str, int]:
    """Deemed acceptance, status lights and deadline warnings, overdue flags."""
    return services.tick()


@job("cases.notifications", every=60)
def send_notifications() -> int:
    """Send queued SMS and e-mail, and retry those that failed."""
    return notifications.send_pending()
