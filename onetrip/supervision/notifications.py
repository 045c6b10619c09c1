"""What e-supervision tells a department by SMS, through the core outbox: a card issued to it and
a supervision order it must answer, sent to its head(s) with a mobile number."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.core import outbox

CARD = "supervision.card"
ORDER = "supervision.order"


def register_templates() -> None:
    outbox.register(CARD, _("E-supervision: %(department)s received a %(colour)s (%(reason)s). See it and appeal "
                            "under “Orders and cards”."))
    outbox.register(ORDER, _("E-supervision: a supervision order to %(department)s, “%(subject)s”, is due by "
                             "%(due)s. Reply under “Orders and cards”."))


def heads_mobiles(department_id: int) -> list[str]:
    return [m for m in User.objects.filter(role=Role.DEPARTMENT_HEAD, department_id=department_id, is_active=True)
            .exclude(mobile="").values_list("mobile", flat=True) if m]


def tell_department(*, event: str, target: Any, department_id: int, params: dict[str, Any]) -> None:
    for mobile in heads_mobiles(department_id):
        outbox.queue(event=event, target=target, sms_to=mobile, params=params)
