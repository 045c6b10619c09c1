"""What the caller is told by SMS, through the core outbox: the templates are the actions' own
(``actions.Action.sms``), plus the answer of a main ticket sent to each caller merged into it. An
anonymous reporter who left no mobile is told nothing (they follow the ticket with their code)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onetrip.core import outbox
from onetrip.hotline import actions
from onetrip.hotline.models import Ticket

MERGED_ANSWER = "hotline.answered_with_main"


def register_templates() -> None:
    for a in actions.REGISTRY.values():
        if a.sms is not None:
            outbox.register(f"hotline.{a.name}", a.sms)
    outbox.register(MERGED_ANSWER, _("12345: the answer to your request %(number)s (handled together with "
                                     "%(main)s): %(answer)s"))


def params(ticket: Ticket, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"number": ticket.number, "department": ticket.department.name if ticket.department is not None else "",
            "deadline": f"{ticket.deadline:%Y-%m-%d}" if ticket.deadline else "",
            "answer": ticket.answer[:300], **(extra or {})}


def tell_caller(*, ticket: Ticket, event: str, extra: dict[str, Any] | None = None) -> bool:
    """Queue the caller's SMS (sent after commit); False when there is no one to tell."""
    if not ticket.caller_mobile:
        return False
    outbox.queue(event=event, target=ticket, sms_to=ticket.caller_mobile, params=params(ticket, extra))
    return True
