"""The trail (全程留痕、过往可溯): append entries and verify the hash chain.

Each entry's hash covers its own content and the previous entry's hash, so editing,
deleting or inserting a row breaks the chain at that point, which ``verify`` names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from onetrip.core.models import TrailEntry, TrailHead

SYSTEM = "system"


def _canonical(entry: TrailEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: TrailEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
) -> TrailEntry:
    """Append one entry. Call inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # No savepoint: the entry belongs to the caller's transaction. Callers append it last, so
    # the head row stays locked only from here to their commit.
    with transaction.atomic(savepoint=False):
        head = TrailHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            TrailHead.objects.get_or_create(id=1)
            head = TrailHead.objects.select_for_update().get(id=1)
        is_user = actor is not None and getattr(actor, "is_authenticated", False)
        entry = TrailEntry(
            seq=head.count + 1,
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=actor.get_username() if is_user else SYSTEM,
            actor_role=str(getattr(actor, "role", "")) if is_user else SYSTEM,
            action=action,
            object_type=object_type,
            object_id=object_id,
            # Round-trip through JSON so that what is hashed is exactly what is stored.
            summary=json.loads(json.dumps(summary or {}, ensure_ascii=False, default=str)),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.count = entry.seq
        head.last_hash = entry.hash
        head.save(update_fields=["count", "last_hash"])
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch_size: int = 5000) -> Verdict:
    """Walk the chain in order; return the first broken link, if any."""
    prev_hash = ""
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        chunk = list(TrailEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not chunk:
            break
        for entry in chunk:
            if entry.seq != expected_seq:
                return Verdict(False, checked, expected_seq, f"entry #{expected_seq} is missing (next is #{entry.seq})")
            if entry.prev_hash != prev_hash:
                return Verdict(False, checked, entry.seq, f"entry #{entry.seq} does not follow the entry before it")
            if entry_hash(entry) != entry.hash:
                return Verdict(False, checked, entry.seq, f"entry #{entry.seq} was changed after it was written")
            prev_hash = entry.hash
            expected_seq += 1
            checked += 1
            last_seq = entry.seq
    head = TrailHead.objects.filter(id=1).first()
    if head is not None and (head.count != checked or head.last_hash != prev_hash):
        return Verdict(False, checked, checked + 1, f"the trail ends at #{checked} but {head.count} entries were written")
    return Verdict(True, checked)
