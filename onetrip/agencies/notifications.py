"""What agencies and owners are told, through the core outbox (SMS to the contact phone)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onetrip.core import outbox

EXPIRING = "agencies.qualification_expiring"
SELECTED = "agencies.selected"
DELIVERED = "agencies.delivered"
RETURNED = "agencies.returned"


def register_templates() -> None:
    outbox.register(EXPIRING, _("Intermediary marketplace: the qualification %(name)s (certificate %(number)s) of "
                                "%(agency)s expires on %(date)s. Upload the renewed certificate before then, or "
                                "the agency cannot be selected for %(service)s."))
    outbox.register(SELECTED, _("Intermediary marketplace: %(agency)s was selected for purchase %(number)s "
                                "(%(project)s). Objections may be raised until %(date)s."))
    outbox.register(DELIVERED, _("Intermediary marketplace: %(agency)s delivered its report for purchase "
                                 "%(number)s. Please confirm it or return it with your reasons."))
    outbox.register(RETURNED, _("Intermediary marketplace: the owner returned the report for purchase %(number)s: "
                                "%(reasons)s"))
