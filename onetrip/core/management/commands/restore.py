"""``manage.py restore FILE``: put a ``backup`` archive back, after checking every file in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.core import backup


class Command(BaseCommand):
    help = ("Restore a `backup` archive into this installation's database and MEDIA_ROOT. The manifest and "
            "every file's SHA-256 are checked first, and nothing is written if one is wrong. Refuses a "
            "database that already has tables (or uploaded files that differ) unless --force. "
            "Run `verify_trail` afterwards.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="an archive written by `manage.py backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that is not empty, and overwrite differing files")
        parser.add_argument("--check", action="store_true", help="only check the archive; restore nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            if options["check"]:
                manifest = backup.check_archive(path)
                self.stdout.write(self.style.SUCCESS(
                    f"{path}: intact ({manifest['engine']} database, {len(manifest['files'])} file(s), "
                    f"made {manifest['created_at']})."))
                return
            done = backup.restore(path, force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored the {done.engine} database and {done.files} file(s)."))
        if done.migrations_to_apply:
            self.stdout.write(f"This code has {len(done.migrations_to_apply)} migration(s) the backup lacks: "
                              "run `manage.py migrate` next.")
        self.stdout.write("Check the trail now: manage.py verify_trail")
