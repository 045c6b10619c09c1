"""The background worker: runs the registered jobs (``core/jobs.py``) as they fall due."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.core import jobs


class Command(BaseCommand):
    help = ("Run the background jobs every app registers (deemed acceptance, status lights and warnings, "
            "sending notifications, ...), each when it is due. Safe to run on several machines at once: "
            "a job runs on one worker per period and its rows are claimed. A job that fails is logged and "
            "recorded (admin: background jobs) and the others go on.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass over the due jobs, then exit (for cron)")
        parser.add_argument("--interval", type=float, default=10.0,
                            help="seconds between passes (default 10); each job also waits its own period")
        parser.add_argument("--only", action="append", metavar="NAME",
                            help="run only this job (repeat for several); --list shows the names")
        parser.add_argument("--force", action="store_true", help="run the jobs now even if they are not due")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs.autodiscover()
        if options["list"]:
            for job in jobs.registry.jobs():
                self.stdout.write(f"{job.name}  every {job.every:g}s")
            return
        only = options["only"]
        try:
            jobs.registry.jobs(only)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        if options["once"]:
            self.report(jobs.run_due(only=only, force=options["force"]))
            return
        if options["force"]:
            self.report(jobs.run_due(only=only, force=True))
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
            jobs.run_forever(interval=options["interval"], only=only, stop=stop, report=self.report)

    def report(self, outcomes: list[jobs.Outcome]) -> None:
        for o in outcomes:
            line = f"{o.name}: {o.status or 'not run'}, {o.count} done ({o.seconds:.1f}s)"
            if o.result is not None and not isinstance(o.result, int):
                line += " " + ", ".join(f"{k} {v}" for k, v in o.result.items())
            if o.error:
                self.stderr.write(f"{line}\n  {o.error.splitlines()[0]}")
            else:
                self.stdout.write(line)
        self.stdout.flush()
