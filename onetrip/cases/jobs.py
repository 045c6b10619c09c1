"""The cases' background work on the job registry (``core/jobs.py``), for ``manage.py worker``.
Each job claims its own rows and isolates each case's failure (``services.sweep``)."""

from __future__ import annotations

from onetrip.cases import clock
from onetrip.cases.services import sweep
from onetrip.core.jobs import job


@job("cases.deemed_acceptance", every=60)
def deemed_acceptance() -> int:
    """视为受理: cases whose acceptance window passed without a one-time notice."""
    return sweep.deem_acceptances(day=clock.today())


@job("cases.lights", every=60)
def lights() -> dict[str, int]:
    """Status lights, deadline warnings to officers, overdue cases recorded for e-supervision."""
    return sweep.update_lights(day=clock.today())
