"""``clock`` is the old name of ``worker``; it runs the same job registry (deprecated alias)."""

from __future__ import annotations

from onetrip.core.management.commands.worker import Command as WorkerCommand


class Command(WorkerCommand):
    help = "Deprecated alias of `worker`: " + WorkerCommand.help
