"""Messages to applicants (SMS and e-mail), queued in the case's transaction and sent after
it commits; the clock worker retries what could not be sent."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role, User
from onetrip.cases.models import Case, Notification
from onetrip.core.sms import SmsMessage, get_backend

log = logging.getLogger(__name__)

def render(case: Case, action: str, data: dict[str, Any], language: str) -> str:
    """The applicant's message for an action, from the action's record, in their language."""
    from onetrip.cases.actions import REGISTRY
    from onetrip.cases.services.effects import DELIVERY_METHODS

    template = REGISTRY[action].sms
    assert template is not None
    with translation.override(language):
        method = data.get("method", "")
        params = {
            "number": case.number or "",
            "item": case.version.name,
            "deadline": f"{case.promised_deadline:%Y-%m-%d}" if case.promised_deadline else "",
            "received": f"{case.received_on:%Y-%m-%d}" if case.received_on else "",
            "reasons": data.get("reasons", ""),
            "procedure": data.get("procedure", ""),
            "method": str(DELIVERY_METHODS[method]) if method in DELIVERY_METHODS else "",
        }
        return str(template) % params


def queue(*, case: Case, action: str, data: dict[str, Any]) -> list[Notification]:
    """Queue the applicant's SMS (and e-mail when they gave one); send after commit."""
    from onetrip.cases.actions import REGISTRY

    if action not in REGISTRY or REGISTRY[action].sms is None:
        return []
    application = case.application
    language = application.form_data.get("language") or settings.LANGUAGE_CODE
    body = render(case, action, data, language)
    rows = [Notification(case=case, channel=Notification.Channel.SMS, to=application.applicant_mobile, body=body)]
    email = application.applicant.email if application.applicant_id else ""  # type: ignore[union-attr]
    if email:
        rows.append(Notification(case=case, channel=Notification.Channel.EMAIL, to=email, body=body,
                                 subject=f"{settings.SITE_NAME} {case.number or ''}"))
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk]
    transaction.on_commit(lambda: send_pending(ids=ids))
    return created


def queue_staff_warning(*, case: Case) -> None:
    """Near the deadline: tell the officer holding the case (or the department's officers)."""
    people = [case.assignee] if case.assignee_id else list(
        User.objects.filter(department_id=case.department_id, role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
                            is_active=True))
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        body = str(_("Case %(number)s (%(item)s) is near its promised deadline %(deadline)s.")) % {
            "number": case.number, "item": case.version.name, "deadline": case.promised_deadline}
    for person in people:
        if person is not None and person.mobile:
            rows.append(Notification(case=case, channel=Notification.Channel.SMS, to=person.mobile, body=body))
    Notification.objects.bulk_create(rows)


def send_pending(*, ids: list[int] | None = None, limit: int = 200) -> int:
    """Send pending notifications. A batch is claimed with one conditional update (a unique
    claim mark), so no two workers send the same message."""
    now = timezone.now()
    token = uuid.uuid4().hex
    qs = Notification.objects.filter(status=Notification.Status.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    else:
        qs = qs.filter(pk__in=list(qs.order_by("pk").values_list("pk", flat=True)[:limit]))
    if not qs.update(claimed_until=now + dt.timedelta(minutes=2), claimed_by=token):
        return 0
    sent: list[int] = []
    for n in Notification.objects.filter(claimed_by=token, status=Notification.Status.PENDING):
        try:
            if n.channel == Notification.Channel.SMS:
                get_backend().send(SmsMessage(to=n.to, text=n.body))
            else:
                send_mail(n.subject, n.body, None, [n.to])
        except Exception as exc:  # noqa: BLE001 - any gateway failure is retried later
            attempts = n.attempts + 1
            Notification.objects.filter(pk=n.pk).update(
                attempts=attempts, last_error=str(exc)[:300], claimed_until=None,
                status=Notification.Status.FAILED if attempts >= 5 else Notification.Status.PENDING)
            log.warning("notification %s failed: %s", n.pk, exc)
            continue
        sent.append(n.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(status=Notification.Status.SENT, sent_at=timezone.now(),
                                                        attempts=F("attempts") + 1)
    return len(sent)
