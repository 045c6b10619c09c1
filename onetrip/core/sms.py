"""Pluggable SMS sending. The default backends print or append to a file; a gateway for a
real SMS provider implements ``send`` the same way and is named in ``SMS_BACKEND``."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseBackend:
    def send(self, message: SmsMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"[SMS to {message.to}] {message.text}\n")


class FileBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        path = settings.VAR_DIR / "sms.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            record = {"at": timezone.now().isoformat(), "to": message.to, "text": message.text}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class MemoryBackend(BaseBackend):
    """Keeps messages in ``outbox`` (tests), like Django's locmem e-mail backend."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        MemoryBackend.outbox.append(message)


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
