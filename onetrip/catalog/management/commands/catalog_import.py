from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.catalog.excel import ImportFailed, import_catalog


class Command(BaseCommand):
    help = ("Import an .xlsx catalogue as drafts (all or nothing; errors name sheet, row and column). "
            "--publish NAME proposes the imported drafts for publication as one batch; nothing goes public "
            "until a second catalogue admin approves the batch on the publications page "
            "(/manage/catalogue/publications/).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx file")
        parser.add_argument("--as", dest="username", required=True, help="the catalogue admin who imports")
        parser.add_argument("--publish", "--propose", dest="publish", metavar="BATCH_NAME",
                            help="propose the drafts for publication as a batch with this name; a second "
                                 "catalogue admin approves it on /manage/catalogue/publications/")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None or not can(actor, Capability.EXCHANGE_CATALOG):
            raise CommandError(f"{options['username']!r} is not an active catalogue admin.")
        try:
            with open(options["path"], "rb") as fh:
                report = import_catalog(fh, actor=actor, propose_as=options["publish"])
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['path']}") from None
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(failed.errors)} problem(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(
            f"Imported: {len(report.created)} new, {len(report.updated)} changed, {len(report.unchanged)} unchanged"
            " (as drafts)"
        ))
        batch = report.proposed_batch
        if batch is not None:
            self.stdout.write(
                f"Proposed for publication as batch “{batch.name}” (#{batch.pk}). Nothing is public yet: a second "
                f"catalogue admin (not {actor.username}) approves or rejects it at "
                f"/manage/catalogue/publications/{batch.pk}/"
            )
