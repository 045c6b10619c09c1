"""The hall's background work on the job registry, for ``manage.py worker``. Each job claims
its rows with a conditional update, so several workers never send or mark one twice."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from onetrip.core import outbox
from onetrip.core.jobs import for_each_claimed, job
from onetrip.hall import services
from onetrip.hall.models import Appointment, AppointmentState
from onetrip.hall.notifications import REMINDER


def _remind(appointment: Appointment) -> None:
    a = Appointment.objects.select_related("slot__area__hall", "citizen").get(pk=appointment.pk)
    if a.citizen.mobile:
        outbox.queue(event=REMINDER, target=a, params=services._sms_params(a), sms_to=a.citizen.mobile)


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """预约提醒: one SMS per booked appointment of today or tomorrow, each claimed once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Appointment.objects.filter(state=AppointmentState.BOOKED, reminded_at__isnull=True,
                                     day__gte=today, day__lte=today + dt.timedelta(days=1))
    return for_each_claimed(due, {"reminded_at": now}, _remind)


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """爽约: appointments whose slot ended without a check-in."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    over = Appointment.objects.filter(state=AppointmentState.BOOKED).filter(
        Q(day__lt=local.date()) | Q(day=local.date(), slot__end__lte=local.time()))
    return for_each_claimed(over, {"state": AppointmentState.NO_SHOW}, services.record_missed)


@job("hall.booking_reminders", every=300)
def booking_reminders() -> int:
    return send_reminders()


@job("hall.booking_no_shows", every=300)
def booking_no_shows() -> int:
    return mark_no_shows()
