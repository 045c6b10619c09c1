"""The marketplace's background work on the job registry (``manage.py worker``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onetrip.agencies import rules, services
from onetrip.agencies.models import Method, Purchase, PurchaseState, Qualification
from onetrip.cases.rules import Refused
from onetrip.core import jobs
from onetrip.core.jobs import job


def remind_expiring(*, day: dt.date, limit: int = 500) -> int:
    """Qualifications expiring within ``rules.reminder_days`` of ``day`` (and not yet expired) are
    reminded to their agency, once per expiry date (claimed by ``reminded_for``)."""
    due = Qualification.objects.filter(valid_to__gte=day, valid_to__lte=day + dt.timedelta(days=rules.reminder_days()),
                                       agency__state="published").order_by("valid_to", "id")[:limit]
    return sum(1 for q in due if q.reminded_for != q.valid_to and services.remind_expiring(qualification=q, day=day))


def update_lights(*, day: dt.date, limit: int = 500) -> dict[str, int]:
    """Each running service once a day (claimed by ``lights_on``): its light as of ``day``; past its
    deadline it is recorded overdue once, for the supervision cards (``plug.cards_due``)."""
    done = {"lights": 0, "overdue": 0}

    def handle(purchase: Purchase) -> None:
        done["lights"] += 1
        done["overdue"] += int(services.refresh_light(purchase=purchase, day=day))

    candidates = Purchase.objects.filter(state=PurchaseState.CONTRACTED).exclude(lights_on=day)
    jobs.for_each_claimed(candidates, {"lights_on": day}, handle, limit=limit)
    return done


def select_due(*, now: dt.datetime, limit: int = 100) -> int:
    """Purchases by draw or price whose sign-up has closed are selected (the seed revealed)."""
    done = 0
    for p in Purchase.objects.filter(state=PurchaseState.PUBLISHED, signup_deadline__lte=now,
                                     method__in=[Method.RANDOM, Method.PRICE]).order_by("signup_deadline")[:limit]:
        try:
            services.select(actor=None, purchase=p)
            done += 1
        except Refused:
            continue  # selected meanwhile by someone else
    return done


@job("agencies.expiry_reminders", every=3600)
def expiry_reminders() -> int:
    """资质到期提醒: reminders of qualifications about to expire."""
    return remind_expiring(day=timezone.localdate())


@job("agencies.lights", every=3600)
def lights() -> dict[str, int]:
    """红黄绿灯 of the intermediary services under way; overdue ones recorded for the cards."""
    return update_lights(day=timezone.localdate())


@job("agencies.selections", every=60)
def selections() -> int:
    """The draws and bid openings due: made as soon as a sign-up closes."""
    return select_due(now=timezone.now())
