from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = ("Collect static files and serve OneTrip with gunicorn on 127.0.0.1:$PORT (default 8000). "
            "--with-clock also runs the background worker (deemed acceptance, warnings, notifications).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--with-clock", action="store_true", help="run the background `worker` beside the server")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving OneTrip on http://{bind}/ (Ctrl-C stops)")
        self.stdout.flush()
        server = [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application",
                  "--bind", bind, "--workers", str(options["workers"]), "--access-logfile", "-"]
        if not options["with_clock"]:
            os.execvp(server[0], server)  # noqa: S606 - fixed argv, no shell
        manage = [sys.executable, "-m", "onetrip"]
        children = [
            subprocess.Popen([*manage, "worker"]),  # noqa: S603 - fixed argv
            subprocess.Popen(server),  # noqa: S603 - fixed argv
        ]


        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            children[1].wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                child.wait(timeout=30)
