"""The cases' background work on the job registry (``core/jobs.py``), for ``manage.py worker``.
Each job claims its own rows and isolates each case's failure (``services.sweep``)."""

from __future__ import annotations

from onetrip.cases import clock
from onetrip.cases.services import orphans, sweep
from onetrip.core.jobs import job


@job("cases.deemed_acceptance", every=60)
def deemed_acceptance() -> int:
    """视为受理: cases whose acceptance window passed without a one-time notice."""
    return sweep.deem_acceptances(day=clock.today())


@job("cases.lights", every=60)
def lights() -> dict[str, int]:
    """Status lights, deadline warnings to officers, overdue cases recorded for e-supervision."""
    return sweep.update_lights(day=clock.today())


@job("cases.orphan_uploads", every=3600)
def orphan_uploads() -> dict[str, int]:
    """Material files no application points to (an upload cut off before its commit), deleted
    once older than ORPHAN_UPLOAD_GRACE_HOURS; a file any material row names is always kept."""
    return orphans.sweep_orphan_uploads().counts()
