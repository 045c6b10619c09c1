from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onetrip.catalog.excel import export_catalog


class Command(BaseCommand):
    help = "Export the catalogue (published versions) to an .xlsx file that catalog_import reads back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="where to write the .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        count = export_catalog(options["path"])
        self.stdout.write(self.style.SUCCESS(f"Exported {count} items to {options['path']}"))
