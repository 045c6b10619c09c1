"""``manage.py backup FILE``: the database and the uploaded files in one checked archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.core import backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite's online backup, or pg_dump for PostgreSQL) and the uploaded files "
            "(MEDIA_ROOT) into one .tar.gz archive with a manifest: the engine, the migrations applied, and "
            "every file with its SHA-256. Safe while OneTrip is running. `restore` reads it back.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive to write, e.g. onetrip-2026-05-01.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup.backup(Path(options["archive"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Backed up the {done.engine} database and {done.files} file(s) ({done.bytes} bytes) to {done.path}."))
        if settings.STORAGE_BACKEND != "local":
            self.stdout.write(self.style.WARNING(
                "Uploaded files are in object storage (STORAGE_BACKEND=s3) and are not in this archive: keep them "
                "with the bucket's own versioning or replication."))
