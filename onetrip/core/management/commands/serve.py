from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Collect static files and serve OneTrip with gunicorn on 127.0.0.1:$PORT (default 8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving OneTrip on http://{bind}/ (Ctrl-C stops)")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "onetrip.wsgi:application",
            "--bind", bind, "--workers", str(options["workers"]), "--access-logfile", "-",
        ]
        os.execvp(argv[0], argv)  # noqa: S606 - fixed argv, no shell
