"""The notification outbox: any app queues an SMS or e-mail about any object by event name.

Each event has one template (an English msgid with a Chinese translation, so zh and en come from
the catalogue), registered by the app that owns the event (``register``). ``queue`` renders it in
the recipient's language inside the caller's transaction and sends after commit; the worker's
``send_pending`` retries what could not be sent. Nothing is sent if the transaction rolls back.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise

from onetrip.core.models import Notification
from onetrip.core.sms import SmsMessage, get_backend

log = logging.getLogger(__name__)

TEMPLATES: dict[str, Promise | str] = {}
MAX_ATTEMPTS = 5
CLAIM = dt.timedelta(minutes=2)  # how long a claim keeps other senders off a message


def register(event: str, template: Promise | str) -> None:
    """Give an event its message template (``%(name)s`` placeholders)."""
    TEMPLATES[event] = template


def render(event: str, params: Mapping[str, Any], language: str) -> str:
    """The event's message in ``language``; the parameters are turned into text in that language too."""
    if event not in TEMPLATES:
        raise KeyError(f"no outbox template for event {event!r}")
    with translation.override(language):
        return str(TEMPLATES[event]) % {k: str(v) for k, v in params.items()}


def target_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def queue(*, event: str, target: models.Model | None, params: Mapping[str, Any], sms_to: str = "",
          email_to: str = "", language: str = "", subject: str = "") -> list[Notification]:
    """Queue the event's message by SMS and/or e-mail; it is sent once the caller's transaction commits."""
    language = language or settings.LANGUAGE_CODE
    body = render(event, params, language)
    target_type, target_id = target_label(target)
    common = {"event": event, "target_type": target_type, "target_id": target_id, "language": language,
              "body": body}
    # The rows are claimed by this request as they are written, so that sending them after the
    # commit needs no claim of its own; if the process dies first, the claim runs out and the
    # worker's send_pending sends them.
    claim = {"claimed_by": uuid.uuid4().hex, "claimed_until": timezone.now() + CLAIM}
    rows = []
    if sms_to:
        rows.append(Notification(channel=Notification.Channel.SMS, to=sms_to, **common, **claim))
    if email_to:
        rows.append(Notification(channel=Notification.Channel.EMAIL, to=email_to,
                                 subject=subject or settings.SITE_NAME, **common, **claim))
    created = Notification.objects.bulk_create(rows)
    if created:
        transaction.on_commit(lambda: _deliver(created))
    return created


def send_pending(*, ids: list[int] | None = None, limit: int = 200) -> int:
    """Send pending messages. A batch is claimed with one conditional update (a unique claim mark),
    so no two workers send the same message; a failing gateway is retried up to five times."""
    now = timezone.now()
    token = uuid.uuid4().hex
    qs = Notification.objects.filter(status=Notification.Status.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    else:
        qs = qs.filter(pk__in=list(qs.order_by("pk").values_list("pk", flat=True)[:limit]))
    if not qs.update(claimed_until=now + CLAIM, claimed_by=token):
        return 0
    return _deliver(list(Notification.objects.filter(claimed_by=token, status=Notification.Status.PENDING)))


def _deliver(claimed: list[Notification]) -> int:
    """Send messages this process has claimed; mark them sent, or count the failed attempt."""
    sent: list[int] = []
    for n in claimed:
        try:
            if n.channel == Notification.Channel.SMS:
                get_backend().send(SmsMessage(to=n.to, text=n.body))
            else:
                send_mail(n.subject, n.body, None, [n.to])
        except Exception as exc:  # noqa: BLE001 - any gateway failure is retried later
            attempts = n.attempts + 1
            Notification.objects.filter(pk=n.pk).update(
                attempts=attempts, last_error=str(exc)[:300], claimed_until=None,
                status=Notification.Status.FAILED if attempts >= MAX_ATTEMPTS else Notification.Status.PENDING)
            log.warning("notification %s failed: %s", n.pk, exc)
            continue
        sent.append(n.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(status=Notification.Status.SENT, sent_at=timezone.now(),
                                                        attempts=F("attempts") + 1)
    return len(sent)
