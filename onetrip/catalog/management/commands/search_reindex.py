from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from onetrip.catalog import engine


class Command(BaseCommand):
    help = ("Make every process rebuild its in-memory search index at its next search (they do so by "
            "themselves whenever the catalogue or the dictionary changes), and build it here once.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for stamp in sorted({s.stamp for s in engine.sources().values()} | {engine.DICTIONARY}):
                engine.touch(stamp)
        idx = engine.index()
        self.stdout.write(self.style.SUCCESS(f"Indexed {len(idx.docs)} documents."))
