from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onetrip.core import trail


class Command(BaseCommand):
    help = ("Verify the trail: every entry's hash and chain link, every checkpoint's hash, chain and "
            "signature, and the sealed entries against the published checkpoints. Exits non-zero and "
            "names the first bad entry.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoints", metavar="FILE",
                            help="a published checkpoints file (JSON lines from /trail/checkpoints.jsonl or "
                                 "the export directory), trusted over the database's checkpoints")
        parser.add_argument("--public-key", metavar="FILE",
                            help="the trail's public key (PEM, from /trail/public-key.pem); default: the "
                                 "configured signer's")
        parser.add_argument("--since", type=int, metavar="CHECKPOINT",
                            help="verify only from this checkpoint on (and the entries not sealed yet)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            public_key = (trail.load_public_key(options["public_key"]) if options["public_key"]
                          else trail.published_public_key())
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the public key: {exc}") from exc
        published = None
        if public_key is None:
            if options["checkpoints"]:
                raise CommandError("--checkpoints needs --public-key (no signing key on this machine)")
            self.stderr.write("No signing key on this machine and no --public-key: checkpoint signatures "
                              "are not checked.")
        if options["checkpoints"]:
            try:
                with open(options["checkpoints"], encoding="utf-8") as lines:
                    published = trail.load_published(lines, public_key)  # type: ignore[arg-type]
            except OSError as exc:
                raise CommandError(f"Cannot read the checkpoints file: {exc}") from exc
            except trail.PublishedError as exc:
                raise CommandError(f"The checkpoints file is not genuine: {exc}") from exc
        if options["since"] is not None and options["since"] < 1:
            raise CommandError("--since takes a checkpoint number (1 or more)")
        verdict = trail.verify(published=published, public_key=public_key, since=options["since"])
        if not verdict.ok:
            where = f"entry #{verdict.broken_entry}" if verdict.broken_entry is not None else "the trail"
            if verdict.checkpoint is not None:
                where += f" (checkpoint {verdict.checkpoint})"
            raise CommandError(f"Trail broken at {where}: {verdict.reason} "
                               f"({verdict.checked} entries verified before it)")
        self.stdout.write(self.style.SUCCESS(
            f"Trail intact: {verdict.checked} entries verified ({verdict.checkpoints} checkpoints, "
            f"{verdict.unsealed} entries not sealed yet)."))
