"""Orphan uploads: material files in storage that no ``CaseMaterial`` row points to.

``intake.upload_material`` stores the file, then saves its row in the same transaction; a
worker killed (or a transaction rolled back) between the two leaves a file that belongs to no
application. The ``cases.orphan_uploads`` job deletes such files once they are older than
``ORPHAN_UPLOAD_GRACE_HOURS``, so that an upload still on its way to its commit is never taken.

A file is kept whenever any row names it, whatever the row's application or state (a removed
file stays stored too, no longer current), and a file is judged by its exact stored name, so
two applications sharing one stored file keep it. Only the upload folder of ``CaseMaterial``
is looked at; nothing else in storage is touched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone

from onetrip.cases.models import CaseMaterial

logger = logging.getLogger(__name__)

BATCH = 500


def _storage_and_folder() -> tuple[Storage, str]:
    f = CaseMaterial._meta.get_field("file")
    folder = str(f.upload_to).strip("/")  # type: ignore[attr-defined]
    return f.storage, folder  # type: ignore[attr-defined]


def stored_files(storage: Storage, folder: str) -> Iterator[str]:
    """Every file's storage name under ``folder`` (recursively)."""
    try:  # (object storage has no folders: a missing prefix lists as empty)
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(dirs):
        yield from stored_files(storage, f"{folder}/{sub}")


def _referenced(names: list[str]) -> set[str]:
    return set(CaseMaterial.objects.filter(file__in=names).values_list("file", flat=True))


@dataclass
class SweepResult:
    deleted: list[str] = field(default_factory=list)
    too_young: int = 0
    kept: int = 0  # a row points to it

    def counts(self) -> dict[str, int]:
        return {"deleted": len(self.deleted), "too_young": self.too_young, "kept": self.kept}


def sweep_orphan_uploads(*, now: dt.datetime | None = None, grace_hours: int | None = None) -> SweepResult:
    """Delete material files no row points to that are older than the grace period."""
    now = now or timezone.now()
    hours = settings.ORPHAN_UPLOAD_GRACE_HOURS if grace_hours is None else grace_hours
    cutoff = now - dt.timedelta(hours=hours)
    storage, folder = _storage_and_folder()
    result = SweepResult()

    def old_enough(name: str) -> bool:
        try:
            return storage.get_modified_time(name) < cutoff
        except FileNotFoundError:
            return False  # gone meanwhile

    def settle(batch: list[str]) -> None:
        old = [n for n in batch if old_enough(n)]
        result.too_young += len(batch) - len(old)
        if not old:
            return
        referenced = _referenced(old)
        result.kept += len(referenced)
        for name in old:
            if name in referenced:
                continue
            # Look again just before deleting: an upload of the same content may have stored
            # the file again (refreshing its time) and committed its row meanwhile.
            if not old_enough(name) or _referenced([name]):
                result.kept += 1
                continue
            storage.delete(name)
            result.deleted.append(name)
            logger.warning("orphan upload deleted: %s (no material row points to it)", name)

    batch: list[str] = []
    for name in stored_files(storage, folder):
        batch.append(name)
        if len(batch) >= BATCH:
            settle(batch)
            batch = []
    if batch:
        settle(batch)
    return result
