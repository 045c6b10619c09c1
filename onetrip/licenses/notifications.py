"""What the licences app tells holders by SMS, through the core outbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onetrip.core import outbox

ISSUED = "licenses.issued"
STATUS_CHANGED = "licenses.status_changed"


def register_templates() -> None:
    outbox.register(ISSUED, _("Your electronic licence %(name)s (No. %(number)s) was issued. Download it under "
                              "“My licences”."))
    outbox.register(STATUS_CHANGED, _("Your electronic licence %(name)s (No. %(number)s) is now: %(status)s."))
