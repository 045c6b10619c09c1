from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onetrip.cases import notifications, services


class Command(BaseCommand):
    help = ("The background clock: deemed acceptance, status lights and deadline warnings, and sending "
            "queued notifications. Safe to run on several machines at once (work is claimed).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between passes (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            done = services.tick()
            sent = notifications.send_pending()
            self.stdout.write(f"deemed {done['deemed']}, warned {done['warned']}, overdue {done['overdue']}, "
                              f"notifications sent {sent}")
            if options["once"]:
                return
            time.sleep(max(1, options["interval"]))
