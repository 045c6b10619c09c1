"""Load a year's holiday arrangement (节假日安排) from a file an admin prepared from the
State Council's notice. Replaces that year's table as a whole; nothing is written if any
line is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.accounts.permissions import Capability, can
from onetrip.workcalendar import services


class Command(BaseCommand):
    help = (
        "Load the holidays and make-up working days (调休) of one year from FILE, one day per line: "
        "YYYY-MM-DD,holiday|workday,name (# starts a comment). The loaded table wins over the "
        "chinesecalendar package for that year. Example: calendar_load docs/holidays-example.txt "
        "--year 2026 --as admin --note \"国务院办公厅关于2026年部分节假日安排的通知\""
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the holiday file (UTF-8)")
        parser.add_argument("--year", type=int, required=True, help="the year the file is for; every date must be in it")
        parser.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                            help="the catalogue or system admin loading it (recorded on the trail)")
        parser.add_argument("--note", default="", help="the notice the table comes from (title and document number)")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["username"])
        except user_model.DoesNotExist:
            raise CommandError(f"No user named '{options['username']}'.") from None
        if not can(user, Capability.MANAGE_CALENDAR):
            raise CommandError(f"User '{user.get_username()}' may not load the calendar: "
                               "it takes an active catalogue or system admin.")
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"File not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            services.check_year(year)
            entries = services.parse_holiday_file(text, year=year)
            services.load_year(actor=user, year=year, entries=entries, source_note=options["note"])
        except ValidationError as exc:
            raise CommandError(f"{path}: nothing was loaded.\n" + "\n".join(exc.messages)) from None
        holidays = sum(1 for _d, kind, _n in entries if kind == "holiday")
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {year} from {path}: {holidays} holiday(s) and {len(entries) - holidays} make-up working "
            f"day(s). The table now decides {year}."
        ))
