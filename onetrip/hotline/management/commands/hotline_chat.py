"""Talk to the 12345 line as a chat channel would, from a terminal:

    manage.py hotline_chat "个体户营业执照要带什么"
    manage.py hotline_chat 0
    manage.py hotline_chat 13907360088

Each message is handled as one from the ``local`` channel by ``--sender`` (default ``terminal``),
so a conversation carries on from one command to the next."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.core import identity
from onetrip.hotline import chat


class Command(BaseCommand):
    help = "Send one chat message to the 12345 line and print its reply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="the message")
        parser.add_argument("--sender", default="terminal", help="who sends it (the channel's id for them)")
        parser.add_argument("--mobile", default="", help="the sender's mobile, if the channel knows it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mobile = identity.normalize_mobile(options["mobile"]) if options["mobile"] else ""
            reply = chat.handle(chat.Inbound(channel="local", sender=options["sender"], text=options["text"],
                                             mobile=mobile))
        except chat.Throttled:
            raise CommandError("Too many messages from this sender this hour.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(reply.text)
