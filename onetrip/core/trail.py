"""The trail (全程留痕、过往可溯): append entries, seal them under signed checkpoints, verify.

Chains. Each object has its own hash chain (``TrailEntry.chain`` is ``"cases.case:42"``): an
entry's SHA-256 covers its content and the hash of the entry before it *in its chain*, and the
chain's head row (``TrailChain``) is locked only while that object's entry is appended. So two
cases never wait for each other; only entries of one object are serialised (and their callers
already lock that object's row). Entries without an object chain per actor (``"~alice"``). The
chain ``""`` is the single global chain written before chains were split; its entries hash the
old way and verify unchanged.

Checkpoints. The seal job (``core.trail_seal``) takes every entry not yet sealed, in id order,
and fixes it under a ``TrailCheckpoint``: the Merkle root of the leaves ``sha256(0x00 || id ||
hash)``, the previous checkpoint's hash, and an Ed25519 signature over the canonical JSON of
both. The private key never enters the database (``Signer``; by default a file, replaceable by an
HSM). Checkpoints are published (``/trail/checkpoints/``, a JSON-lines download with each
checkpoint's leaves, the public key) and appended to an export file outside the database.

Verification (``verify``) recomputes every entry's hash and chain link, every checkpoint's
hash, chain and signature, and compares the entries sealed under each checkpoint with the
published leaves (or the signed root). Someone who can write to the database but does not hold
the private key can recompute the chains and the checkpoints in the database, but not a
signature, and not the copies of the checkpoints already published: ``verify`` names the first
entry that differs from them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from onetrip.core import keyfiles
from onetrip.core.models import TrailChain, TrailCheckpoint, TrailEntry

logger = logging.getLogger(__name__)

SYSTEM = "system"
LEGACY_CHAIN = ""
SEAL_BATCH = 10_000  # entries per checkpoint at most
EXPORT_FILE_NAME = "trail-checkpoints.jsonl"
CHECKPOINT_VERSION = 1

# The columns an entry's hash covers, in the order ``row_hash`` reads them.
ENTRY_FIELDS = ("id", "chain", "seq", "at", "actor_id", "actor_label", "actor_role", "action",
                "object_type", "object_id", "summary", "prev_hash", "hash", "sealed_in")


def _dumps(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(row: Sequence[Any]) -> str:
    """The SHA-256 of one entry given as a row of ``ENTRY_FIELDS``."""
    body = {
        "seq": row[2],
        "at": row[3].isoformat(),
        "actor": row[4],
        "actor_label": row[5],
        "actor_role": row[6],
        "action": row[7],
        "object_type": row[8],
        "object_id": row[9],
        "summary": row[10],
        "prev_hash": row[11],
    }
    if row[1]:  # entries of the old single chain hash exactly as they always did
        body["chain"] = row[1]
    return hashlib.sha256(_dumps(body)).hexdigest()


def entry_hash(entry: TrailEntry) -> str:
    return row_hash([getattr(entry, name) for name in ENTRY_FIELDS])


def chain_key(object_type: str, object_id: str, actor_label: str) -> str:
    if object_type or object_id:
        return f"{object_type}:{object_id}"
    return f"~{actor_label}"[:140]


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
) -> TrailEntry:
    """Append one entry to its object's chain. Call inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    actor_label = actor.get_username() if is_user else SYSTEM
    key = chain_key(object_type, object_id, actor_label)
    # No savepoint: the entry belongs to the caller's transaction. Only this object's chain head
    # is locked, from here to the caller's commit.
    with transaction.atomic(savepoint=False):
        connection = connections[router.db_for_write(TrailEntry)]
        seq, prev_hash = _advance(connection, key)
        entry = TrailEntry(
            chain=key,
            seq=seq,
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=actor_label,
            actor_role=str(getattr(actor, "role", "")) if is_user else SYSTEM,
            action=action,
            object_type=object_type,
            object_id=object_id,
            # Round-trip through JSON so that what is hashed is exactly what is stored.
            summary=json.loads(json.dumps(summary or {}, ensure_ascii=False, default=str)),
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry)
        _append(connection, entry)
    return entry


def _advance(connection: Any, key: str) -> tuple[int, str]:
    """Lock the chain's head (creating it for a new chain) and take the next position, in one
    statement: the position of the new entry and the hash of the one before it."""
    table = connection.ops.quote_name(TrailChain._meta.db_table)
    # The table and column names come from the models; the values are parameters.
    sql = (
        f'INSERT INTO {table} ("key", "last_hash", "count") VALUES (%s, \'\', 1) '  # noqa: S608
        f'ON CONFLICT ("key") DO UPDATE SET "count" = {table}."count" + 1 RETURNING "count", "last_hash"')
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        seq, last_hash = cursor.fetchone()
    return int(seq), str(last_hash)


def _append(connection: Any, entry: TrailEntry) -> None:
    """Insert the entry and move its chain's head to it: one statement on PostgreSQL (a
    data-modifying WITH), two elsewhere."""
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        TrailChain.objects.filter(key=entry.chain).update(last_hash=entry.hash)
        return
    qn = connection.ops.quote_name
    fields = [f for f in TrailEntry._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    # The table and column names come from the models; the values are parameters.
    sql = (
        f'WITH head AS (UPDATE {qn(TrailChain._meta.db_table)} SET "last_hash" = %s WHERE "key" = %s) '  # noqa: S608
        f"INSERT INTO {qn(TrailEntry._meta.db_table)} ({columns}) VALUES ({values}) RETURNING {qn('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [entry.hash, entry.chain, *params])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


# --- signing: a key the database never sees ----------------------------------------------------


class Signer(Protocol):
    """Signs checkpoints. The default keeps an Ed25519 key in a file; an HSM-backed signer only
    needs these two methods (``TRAIL_SIGNER`` names its class, built without arguments)."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        ...


class FileSigner:
    """An Ed25519 private key in a PEM file (``TRAIL_SIGNING_KEY_FILE``), created on first use
    with mode 0600. Keep the file out of database backups and off the database server."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.TRAIL_SIGNING_KEY_FILE)
        self._key: Any = None

    def _private(self) -> Any:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if self._key is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                pem = Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                keyfiles.place_once(self.path, pem)  # whole, or not at all; the first one wins
            key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{self.path} does not hold an Ed25519 private key")
            self._key = key
        return self._key

    def available(self) -> bool:
        """Whether the key exists already (reading the public key would otherwise create it)."""
        return self._key is not None or self.path.exists()

    def sign(self, data: bytes) -> bytes:
        return bytes(self._private().sign(data))

    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return bytes(self._private().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@lru_cache(maxsize=4)
def _signer(dotted: str, key_file: str) -> Signer:
    cls = import_string(dotted)
    return FileSigner(key_file) if cls is FileSigner else cls()  # type: ignore[no-any-return]


def get_signer() -> Signer:
    return _signer(settings.TRAIL_SIGNER, str(settings.TRAIL_SIGNING_KEY_FILE))


def published_public_key() -> bytes | None:
    """The public key to publish, or None on a machine without the key (a web server that does not
    seal): never create a key just to show one."""
    signer = get_signer()
    available = getattr(signer, "available", None)
    if available is not None and not available():
        return None
    return signer.public_key()


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def public_key_pem(public_key: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(public_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(path: str | Path) -> bytes:
    """A public key from a PEM file (as published at /trail/public-key.pem)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} does not hold an Ed25519 public key")
    return bytes(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def signature_ok(public_key: bytes, signature_hex: str, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(bytes.fromhex(signature_hex), data)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- checkpoints -------------------------------------------------------------------------------


def leaf(entry_id: int, hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + entry_id.to_bytes(8, "big") + hash_hex.encode()).digest()


def merkle_root(leaves: Sequence[bytes]) -> str:
    """Pairwise SHA-256 of ``0x01 || left || right``; an odd node moves up unchanged."""
    level = list(leaves)
    if not level:
        return ""
    while len(level) > 1:
        upper = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0].hex()


def checkpoint_body(cp: TrailCheckpoint | dict[str, Any]) -> dict[str, Any]:
    """What a checkpoint's hash and signature cover."""
    if isinstance(cp, dict):
        return {k: cp[k] for k in ("v", "number", "sealed_at", "count", "first", "last", "root", "prev", "key")}
    return {"v": CHECKPOINT_VERSION, "number": cp.number, "sealed_at": cp.sealed_at.isoformat(),
            "count": cp.count, "first": cp.first_entry, "last": cp.last_entry, "root": cp.root,
            "prev": cp.prev_hash, "key": cp.key_id}


def checkpoint_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(_dumps(body)).hexdigest()


def published_line(cp: TrailCheckpoint, leaves: Iterable[tuple[int, str]]) -> str:
    """One line of the published checkpoints file: the signed body, its hash and signature, and
    the leaves (entry id, entry hash) it seals, so a verifier can name a changed entry."""
    line = {**checkpoint_body(cp), "hash": cp.hash, "sig": cp.signature, "leaves": [list(x) for x in leaves]}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class _Lost(Exception):
    """Another sealer claimed some of these entries first."""


def seal(*, limit: int = SEAL_BATCH, max_checkpoints: int = 100) -> int:
    """Seal every entry not yet sealed under new checkpoints (at most ``limit`` each). Returns how
    many entries were sealed. Safe on several workers: checkpoints are numbered under a lock on
    the last one (and a unique number), and the entries are claimed with a conditional update,
    so two sealers never put one entry under two checkpoints."""
    total = 0
    for _ in range(max_checkpoints):
        sealed = _seal_once(limit)
        if not sealed:
            break
        total += sealed
    return total


def _seal_once(limit: int) -> int:
    signer = get_signer()
    try:
        with transaction.atomic():
            last = TrailCheckpoint.objects.select_for_update().order_by("-number").first()
            rows = list(TrailEntry.objects.filter(sealed_in__isnull=True).order_by("id")
                        .values_list("id", "hash")[:limit])
            if not rows:
                return 0
            cp = TrailCheckpoint(
                number=(last.number + 1) if last else 1, sealed_at=timezone.now(), count=len(rows),
                first_entry=rows[0][0], last_entry=rows[-1][0],
                root=merkle_root([leaf(i, h) for i, h in rows]), prev_hash=last.hash if last else "",
                key_id=key_id(signer.public_key()))
            body = _dumps(checkpoint_body(cp))
            cp.hash = hashlib.sha256(body).hexdigest()
            cp.signature = signer.sign(body).hex()
            cp.save(force_insert=True)
            claimed = 0
            for start in range(0, len(rows), 500):
                ids = [i for i, _ in rows[start:start + 500]]
                claimed += TrailEntry.objects.filter(id__in=ids, sealed_in__isnull=True).update(sealed_in=cp.number)
            if claimed != len(rows):
                raise _Lost
            line = published_line(cp, rows)
            transaction.on_commit(lambda: export(line))
    except (IntegrityError, _Lost):
        logger.info("trail seal: another worker sealed these entries first")
        return 0
    return len(rows)


def export(line: str) -> None:
    """Append a checkpoint to the export file (a second store), if one is configured."""
    folder = settings.TRAIL_CHECKPOINT_EXPORT_DIR
    if not folder:
        return
    try:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / EXPORT_FILE_NAME, "a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        logger.exception("trail seal: could not append the checkpoint to %s", folder)


def published_lines(since: int = 1) -> Iterator[str]:
    """The checkpoints file, from the database: one JSON line per checkpoint with its leaves."""
    for cp in TrailCheckpoint.objects.filter(number__gte=since).order_by("number").iterator(chunk_size=100):
        leaves = TrailEntry.objects.filter(sealed_in=cp.number).order_by("id").values_list("id", "hash")
        yield published_line(cp, leaves) + "\n"


# --- verification ------------------------------------------------------------------------------


class PublishedError(ValueError):
    """The published checkpoints file itself is not genuine (or not readable)."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_entry: int | None = None
    checkpoint: int | None = None
    reason: str = ""
    checkpoints: int = 0
    unsealed: int = 0


def load_published(lines: Iterable[str], public_key: bytes) -> dict[int, dict[str, Any]]:
    """Parse and check a published checkpoints file: every line signed by ``public_key``, its
    hash right, its leaves giving its root, and each checkpoint following the one before."""
    published: dict[int, dict[str, Any]] = {}
    previous: dict[str, Any] | None = None
    for n, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            body = checkpoint_body(line)
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishedError(f"line {n} of the checkpoints file is not a checkpoint ({exc})") from exc
        number = body["number"]
        if checkpoint_hash(body) != line.get("hash"):
            raise PublishedError(f"published checkpoint {number}: its hash does not match its content")
        if not signature_ok(public_key, str(line.get("sig", "")), _dumps(body)):
            raise PublishedError(f"published checkpoint {number} is not signed by this public key")
        if "leaves" in line and merkle_root([leaf(int(i), str(h)) for i, h in line["leaves"]]) != body["root"]:
            raise PublishedError(f"published checkpoint {number}: its leaves do not give its root")
        if previous is not None and (number != previous["number"] + 1 or body["prev"] != previous["hash"]):
            raise PublishedError(f"published checkpoint {number} does not follow checkpoint {previous['number']}")
        published[number] = line
        previous = line
    return published


@dataclass
class _Walk:
    """State of one verification run: the last (position, hash) of every chain seen."""

    since: int | None
    chains: dict[str, tuple[int, str]] = field(default_factory=dict)
    checked: int = 0

    def check(self, row: Sequence[Any], *, hashed: bool = False) -> str:
        """Check one entry's own hash (unless ``hashed``: already checked) and its link; returns
        what is wrong, or ""."""
        entry_id, chain, seq = row[0], row[1], row[2]
        if not hashed and row_hash(row) != row[12]:
            return f"entry #{entry_id} was changed after it was written"
        last = self.chains.get(chain)
        if last is None:
            last = (0, "")
            if seq > 1 and self.since is not None:  # incremental: the chain began before --since
                before = TrailEntry.objects.filter(chain=chain, seq=seq - 1).values_list("hash", flat=True).first()
                last = (seq - 1, before) if before is not None else last
        if seq > last[0] + 1:
            return f"entry {last[0] + 1} of chain {chain or '(before chains)'} is missing (before #{entry_id})"
        if seq <= last[0]:
            return f"entry #{entry_id} repeats place {seq} of chain {chain or '(before chains)'} (inserted)"
        if row[11] != last[1]:
            return f"entry #{entry_id} does not follow the entry before it in its chain"
        self.chains[chain] = (seq, row[12])
        self.checked += 1
        return ""


def _rows(queryset: Any, batch: int) -> Iterator[Sequence[Any]]:
    """Entries as rows of ``ENTRY_FIELDS`` in id order, in batches. Read through a plain cursor
    with the two conversions the hash needs done here (Django's per-row converters cost more
    than the hashing on a million entries)."""
    last_id = 0
    while True:
        query = queryset.filter(id__gt=last_id).order_by("id").values_list(*ENTRY_FIELDS)[:batch]
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            chunk = cursor.fetchall()
        if not chunk:
            return
        for raw in chunk:
            row = list(raw)
            at, summary = row[3], row[10]
            if isinstance(at, str):  # UTC as text
                at = row[3] = dt.datetime.fromisoformat(at)
            if at.tzinfo is None:  # SQLite: naive UTC
                row[3] = at.replace(tzinfo=dt.UTC)
            if isinstance(summary, str | bytes):  # JSON as text (SQLite; jsonb as text on PostgreSQL)
                row[10] = json.loads(summary)
            yield row
        last_id = chunk[-1][0]


def _merge(rows: Iterable[Sequence[Any]], leaves: Iterable[Sequence[Any]]) -> Iterator[
        tuple[int, Sequence[Any] | None, Sequence[Any] | None]]:
    """Walk the database's entries and a checkpoint's leaves together in id order."""
    row_iter, leaf_iter = iter(rows), iter(leaves)
    row, lf = next(row_iter, None), next(leaf_iter, None)
    while row is not None or lf is not None:
        if lf is None or (row is not None and row[0] < int(lf[0])):
            yield row[0], row, None  # type: ignore[index]
            row = next(row_iter, None)
        elif row is None or int(lf[0]) < row[0]:
            yield int(lf[0]), None, lf
            lf = next(leaf_iter, None)
        else:
            yield row[0], row, lf
            row, lf = next(row_iter, None), next(leaf_iter, None)


def verify(*, published: dict[int, dict[str, Any]] | None = None, public_key: bytes | None = None,
           since: int | None = None, batch_size: int = 5000) -> Verdict:
    """Verify the trail; return the first broken entry (or checkpoint), if any.

    ``published``: checkpoints from a published file (``load_published``), trusted over the
    database's. ``public_key``: the key every checkpoint in the database must be signed with.
    ``since``: start at this checkpoint (entries sealed before it are not read again)."""
    walk = _Walk(since=since)
    published = published or {}
    start = since or 1
    db_cps = {cp.number: cp for cp in TrailCheckpoint.objects.filter(number__gte=start).order_by("number")}
    prev_cp = TrailCheckpoint.objects.filter(number=start - 1).first() if start > 1 else None
    numbers = sorted(set(db_cps) | {n for n in published if n >= start})
    checkpoint_problem: Verdict | None = None
    done = 0

    def broken(entry_id: int | None, number: int | None, reason: str) -> Verdict:
        return Verdict(False, walk.checked, entry_id, number, reason, done)

    expected_prev = prev_cp.hash if prev_cp else ""
    for number in numbers:
        cp, pub = db_cps.get(number), published.get(number)
        # The checkpoint in the database: genuine, signed, and in its place.
        if checkpoint_problem is None:
            if cp is None:
                checkpoint_problem = broken(None, number, f"checkpoint {number} is missing from the database")
            else:
                body = checkpoint_body(cp)
                reason = ""
                if checkpoint_hash(body) != cp.hash:
                    reason = f"checkpoint {number} was changed after it was sealed"
                elif cp.prev_hash != expected_prev:
                    reason = f"checkpoint {number} does not follow the checkpoint before it"
                elif public_key is not None and not signature_ok(public_key, cp.signature, _dumps(body)):
                    reason = f"checkpoint {number} is not signed by the trail's key"
                elif pub is not None and pub["hash"] != cp.hash:
                    reason = f"checkpoint {number} differs from the published one"
                if reason:
                    checkpoint_problem = broken(cp.first_entry, number, reason)
        if cp is not None:
            expected_prev = cp.hash
        # Its entries: each intact, linked in its chain, and exactly the ones sealed.
        trusted = pub if pub is not None else (checkpoint_body(cp) if cp is not None else None)
        rows = _rows(TrailEntry.objects.filter(sealed_in=number), batch_size)
        if pub is not None and "leaves" in pub:
            for entry_id, row, lf in _merge(rows, pub["leaves"]):
                if row is None:
                    return broken(entry_id, number, f"entry #{entry_id} sealed in checkpoint {number} "
                                                    "is missing (deleted or moved)")
                if row_hash(row) != row[12]:
                    return broken(entry_id, number, f"entry #{entry_id} was changed after it was written")
                if lf is None:
                    return broken(entry_id, number, f"entry #{entry_id} is not among the entries published "
                                                    f"for checkpoint {number} (inserted)")
                if row[12] != lf[1]:
                    return broken(entry_id, number, f"entry #{entry_id} was rewritten after checkpoint "
                                                    f"{number} was published")
                problem = walk.check(row, hashed=True)
                if problem:
                    return broken(entry_id, number, problem)
        else:
            leaves = []
            first_id = None
            for row in rows:
                first_id = row[0] if first_id is None else first_id
                problem = walk.check(row)
                if problem:
                    return broken(row[0], number, problem)
                leaves.append(leaf(row[0], row[12]))
            if trusted is not None and merkle_root(leaves) != trusted["root"]:
                return broken(first_id, number, f"the entries sealed in checkpoint {number} are not the ones "
                                                "it sealed (an entry was added, removed or rewritten)")
        if checkpoint_problem is not None:
            return checkpoint_problem
        done += 1
    # Entries that name a checkpoint that does not exist.
    stray = (TrailEntry.objects.filter(sealed_in__gte=start).exclude(sealed_in__in=numbers)
             .order_by("id").values_list("id", "sealed_in").first())
    if stray is not None:
        return broken(stray[0], stray[1], f"entry #{stray[0]} claims checkpoint {stray[1]}, which does not exist")
    # Entries not sealed yet: their own hashes and chains only.
    unsealed = 0
    for row in _rows(TrailEntry.objects.filter(sealed_in__isnull=True), batch_size):
        problem = walk.check(row)
        if problem:
            return broken(row[0], None, problem)
        unsealed += 1
    # Every chain ends where its head says (a deleted last entry).
    heads = TrailChain.objects.all() if since is None else TrailChain.objects.filter(key__in=list(walk.chains))
    for head in heads.iterator(chunk_size=5000):
        seen = walk.chains.get(head.key, (0, ""))
        if head.count > 0 and (head.count, head.last_hash) != seen:
            missing = seen[0] + 1
            return broken(None, None, f"entry {missing} of chain {head.key or '(before chains)'} is missing "
                                      f"(the chain ends at {seen[0]} but {head.count} entries were written)")
    return Verdict(True, walk.checked, checkpoints=done, unsealed=unsealed)

