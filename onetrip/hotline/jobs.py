"""The hotline's background work on the job registry (``manage.py worker``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onetrip.core import jobs
from onetrip.core.jobs import job
from onetrip.hotline import services
from onetrip.hotline.models import OPEN_STATES, Ticket


def update_lights(*, day: dt.date, limit: int = 500) -> dict[str, int]:
    """Each open ticket once a day (claimed by ``lights_on``): its light recomputed as of ``day``;
    a ticket past its deadline is recorded overdue once per run of its clock, for e-supervision's
    cards (``plug.cards_due``)."""
    done = {"lights": 0, "overdue": 0}

    def handle(ticket: Ticket) -> None:
        _light, newly = services.refresh_light(ticket=ticket, day=day)
        done["lights"] += 1
        done["overdue"] += int(newly)

    candidates = Ticket.objects.filter(state__in=OPEN_STATES).exclude(lights_on=day)
    jobs.for_each_claimed(candidates, {"lights_on": day}, handle, limit=limit)
    return done


@job("hotline.lights", every=3600)
def lights() -> dict[str, int]:
    """红黄绿灯: every open ticket's light once a day; overdue tickets recorded for the cards."""
    return update_lights(day=timezone.localdate())
