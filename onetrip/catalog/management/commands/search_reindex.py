from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onetrip.catalog.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index of every published item."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(self.style.SUCCESS(f"Indexed {rebuild_index()} items."))
