"""What applicants and officers are told about a case, through the core outbox: one event per
action that tells the applicant (the action's record carries the template), plus the officers'
deadline warning."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.cases import actions
from onetrip.cases.models import Case
from onetrip.core import outbox
from onetrip.core.models import Notification

WARNING_EVENT = "case.deadline_warning"


def register_templates() -> None:
    """Each action's SMS becomes the outbox template of the event ``case.<action>``."""
    for a in actions.REGISTRY.values():
        if a.sms is not None:
            outbox.register(f"case.{a.name}", a.sms)
    outbox.register(WARNING_EVENT, _("Case %(number)s (%(item)s) is near its promised deadline %(deadline)s."))


def params(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    from onetrip.cases.services.effects import DELIVERY_METHODS

    method = data.get("method", "")
    return {
        "number": case.number or "",
        "item": case.version.name,
        "deadline": f"{case.promised_deadline:%Y-%m-%d}" if case.promised_deadline else "",
        "received": f"{case.received_on:%Y-%m-%d}" if case.received_on else "",
        "reasons": data.get("reasons", ""),
        "procedure": data.get("procedure", ""),
        "method": DELIVERY_METHODS.get(method, ""),
        "collect": _("It will be sent to you by post.") if case.delivery_method == "post" else _(
            "Collect it at the result window of the service hall with your ID card; someone you authorise "
            "brings their own ID card."),
    }


def render(case: Case, action: str, data: dict[str, Any], language: str) -> str:
    """The applicant's message for an action, in their language."""
    return outbox.render(f"case.{action}", params(case, data), language)


def queue(*, case: Case, action: str, data: dict[str, Any]) -> list[Notification]:
    """Queue the applicant's SMS (and e-mail when their account has one); sent after commit."""
    a = actions.get(action)
    if a is None or a.sms is None:
        return []
    application = case.application
    email = application.applicant.email if application.applicant_id else ""  # type: ignore[union-attr]
    return outbox.queue(event=f"case.{action}", target=case, params=params(case, data),
                        sms_to=application.applicant_mobile, email_to=email,
                        language=application.form_data.get("language") or settings.LANGUAGE_CODE,
                        subject=f"{settings.SITE_NAME} {case.number or ''}")


def queue_staff_warning(*, case: Case) -> None:
    """Near the deadline: tell the officer holding the case (or the department's officers)."""
    people = [case.assignee] if case.assignee_id else list(
        User.objects.filter(department_id=case.department_id, role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
                            is_active=True))
    for person in people:
        if person is not None and person.mobile:
            outbox.queue(event=WARNING_EVENT, target=case, params=params(case, {}), sms_to=person.mobile)


send_pending = outbox.send_pending
