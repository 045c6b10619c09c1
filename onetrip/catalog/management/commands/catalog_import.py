from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.catalog.excel import ImportFailed, import_catalog


class Command(BaseCommand):
    help = ("Import an .xlsx catalogue as drafts (all or nothing; errors name sheet, row and column). "
            "--publish NAME publishes the imported drafts as one batch.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx file")
        parser.add_argument("--as", dest="username", required=True, help="the catalogue admin who imports")
        parser.add_argument("--publish", metavar="BATCH_NAME", help="publish the drafts as a batch with this name")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None or not can(actor, Capability.EXCHANGE_CATALOG):
            raise CommandError(f"{options['username']!r} is not an active catalogue admin.")
        try:
            with open(options["path"], "rb") as fh:
                report = import_catalog(fh, actor=actor, publish_as=options["publish"])
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['path']}") from None
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(failed.errors)} problem(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(
            f"Imported: {len(report.created)} new, {len(report.updated)} changed, {len(report.unchanged)} unchanged"
            + (f"; published as {report.published_batch}" if report.published_batch else " (as drafts)")
        ))
