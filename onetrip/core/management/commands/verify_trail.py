from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onetrip.core import trail


class Command(BaseCommand):
    help = "Verify the hash chain of the trail; exits non-zero and names the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = trail.verify()
        if not verdict.ok:
            raise CommandError(f"Trail broken at entry #{verdict.broken_seq}: {verdict.reason} "
                               f"({verdict.checked} entries verified before it)")
        self.stdout.write(self.style.SUCCESS(f"Trail intact: {verdict.checked} entries verified."))
