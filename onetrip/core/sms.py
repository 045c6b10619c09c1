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


# --- one-time codes sent by SMS (password reset, proxy consent, a company's delegation) -----------


def new_code(key: str) -> tuple[str, str, str]:
    """A 6-digit code, a fresh salt, and the code's keyed hash (only the hash and the salt are
    stored); ``key`` names what the code is for, so a hash of one kind never matches another."""
    import secrets

    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(16)
    return code, salt, code_hash(key, salt, code)


def code_hash(key: str, salt: str, code: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac(key, f"{salt}:{code}", algorithm="sha256").hexdigest()


def send_code_after_commit(to: str, text: str, what: str) -> None:
    """Send ``text`` (which holds a code) once the caller's transaction commits. A gateway failure
    is logged with the mobile masked and never with the code."""
    import logging

    from django.db import transaction

    from onetrip.core.identity import mask_mobile

    def send() -> None:
        try:
            get_backend().send(SmsMessage(to=to, text=text))
        except Exception:  # noqa: BLE001 - a gateway failure must not show the code anywhere
            logging.getLogger("onetrip.sms").error("Sending %s to %s failed", what, mask_mobile(to))

    transaction.on_commit(send)
