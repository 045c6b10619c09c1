"""What the hall tells people by SMS, through the core outbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onetrip.core import outbox

BOOKED = "hall.booked"
CANCELLED = "hall.booking_cancelled"
REMINDER = "hall.booking_reminder"


def register_templates() -> None:
    outbox.register(BOOKED, _("You booked %(area)s at %(hall)s on %(day)s at %(time)s. Booking code %(code)s: "
                              "show it at the hall to check in."))
    outbox.register(CANCELLED, _("Your appointment %(code)s on %(day)s at %(time)s is cancelled."))
    outbox.register(REMINDER, _("Reminder: your appointment at %(hall)s (%(area)s) is on %(day)s at %(time)s. "
                                "Booking code %(code)s."))
