"""Backup and restore of one installation: the database and the uploaded files (MEDIA_ROOT) in
one ``.tar.gz`` archive with a manifest (``manage.py backup`` / ``manage.py restore``).

The archive holds ``manifest.json``, the database (``db.sqlite3``, made with SQLite's online
backup API, or ``db.dump``, ``pg_dump``'s custom format) and ``media/…``. The manifest names the
database engine, the migrations applied, and every file with its size and SHA-256, the
database's own included; ``restore`` checks them all before it writes anything.

The database is copied first, then the files: an upload stores its file before its row commits,
so every row in the copy finds its file; a file stored meanwhile without a row is only an
orphan (the ``cases.orphan_uploads`` job deletes it after its grace period).

Only local file storage (``MEDIA_ROOT``) is copied; object storage has its own versioning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "onetrip-backup/1"
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20
ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}


class BackupError(Exception):
    """Why a backup or a restore was refused; nothing was written when restore raises it."""


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _engine(alias: str) -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine not in ENGINES:
        raise BackupError(f"backup knows SQLite and PostgreSQL, not {engine}")
    return ENGINES[engine]


def applied_migrations(alias: str = "default") -> list[list[str]]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _pg_env(alias: str) -> dict[str, str]:
    s = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGHOST": str(s.get("HOST") or "127.0.0.1"),
           "PGPORT": str(s.get("PORT") or 5432), "PGUSER": str(s.get("USER") or "")}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{cmd[0]} is not installed (PostgreSQL's client tools are needed)") from None
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _dump_database(alias: str, engine: str, into: Path) -> Path:
    if engine == "sqlite":
        path = into / "db.sqlite3"
        conn = connections[alias]
        if conn.in_atomic_block:
            raise BackupError("back up outside a transaction (SQLite's backup waits for it to end)")
        conn.ensure_connection()
        target = sqlite3.connect(path)
        try:
            conn.connection.backup(target)  # online: a consistent copy while others write
        finally:
            target.close()
        return path
    path = into / "db.dump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)], _pg_env(alias))
    return path


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


@dataclass(frozen=True)
class Summary:
    path: Path
    engine: str
    files: int
    bytes: int


def backup(target: Path, *, alias: str = "default") -> Summary:
    """Write the archive to ``target`` (written beside it, then renamed: never half an archive)."""
    engine = _engine(alias)
    media_root = Path(settings.MEDIA_ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="onetrip-backup-") as tmp:
        migrations = applied_migrations(alias)
        db_path = _dump_database(alias, engine, Path(tmp))
        with db_path.open("rb") as fh:
            db_sha, db_size = sha256_of(fh)
        files: list[dict[str, Any]] = []
        for rel, path in _media_files(media_root):
            with path.open("rb") as fh:
                sha, size = sha256_of(fh)
            files.append({"name": rel, "size": size, "sha256": sha, "path": path})
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "migrations": migrations,
            "database": {"name": db_path.name, "size": db_size, "sha256": db_sha},
            "files": [{k: v for k, v in f.items() if k != "path"} for f in files],
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(raw))
            tar.add(db_path, arcname=db_path.name)
            for f in files:
                # The hash was taken from what is added here: a file changed meanwhile fails restore's check.
                tar.add(f["path"], arcname=MEDIA_PREFIX + f["name"])
        os.replace(partial, target)
    return Summary(target, engine, len(files), sum(int(f["size"]) for f in files))


# --- restore ------------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts or name != p.as_posix():
        raise BackupError(f"the archive names an unsafe path: {name!r}")
    return name


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("not a OneTrip backup: the archive has no manifest.json") from None
    stream = tar.extractfile(member)
    if stream is None:
        raise BackupError("manifest.json is not a file")
    try:
        manifest = json.load(stream)
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format') if isinstance(manifest, dict) else None!r} "
                          f"(this version reads {FORMAT})")
    return manifest


def _check_member(tar: tarfile.TarFile, name: str, size: int, sha: str) -> None:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"{name} is listed in the manifest but missing from the archive") from None
    stream = tar.extractfile(member) if member.isfile() else None
    if stream is None:
        raise BackupError(f"{name} is not a regular file in the archive")
    got_sha, got_size = sha256_of(stream)
    if (got_sha, got_size) != (sha, size):
        raise BackupError(f"{name} does not match the manifest (SHA-256 {got_sha[:12]}…, {got_size} bytes; "
                          f"expected {sha[:12]}…, {size} bytes): the archive is damaged or was altered")


def check_archive(path: Path) -> dict[str, Any]:
    """Read the manifest and check every file's size and SHA-256, the database's included."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        with tarfile.open(path, "r:gz") as tar:
            manifest = read_manifest(tar)
            db = manifest["database"]
            _check_member(tar, _safe_name(db["name"]), int(db["size"]), db["sha256"])
            listed = {MANIFEST, db["name"]}
            for f in manifest["files"]:
                name = MEDIA_PREFIX + _safe_name(f["name"])
                _check_member(tar, name, int(f["size"]), f["sha256"])
                listed.add(name)
            extra = sorted(set(tar.getnames()) - listed)
            if extra:
                raise BackupError(f"the archive holds files the manifest does not list: {', '.join(extra[:5])}")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"cannot read {path}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"the manifest is incomplete: {exc!r}") from None
    return manifest


def database_is_empty(alias: str = "default") -> bool:
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def _check_migrations(manifest: dict[str, Any], alias: str) -> list[str]:
    """Refuse an archive made by newer code (migrations this code does not know); return the
    migrations this code has that the archive lacks (run ``migrate`` after restoring)."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    have = {f"{app}.{name}" for app, name in manifest["migrations"]}
    unknown = sorted(have - known)
    if unknown:
        raise BackupError("the backup was made by a newer OneTrip (migrations this code does not have: "
                          f"{', '.join(unknown[:5])}); restore it with that version")
    return sorted(known - have)


def _restore_database(tar: tarfile.TarFile, manifest: dict[str, Any], alias: str, engine: str) -> None:
    conn = connections[alias]
    member = tar.extractfile(manifest["database"]["name"])
    assert member is not None  # checked
    with tempfile.TemporaryDirectory(prefix="onetrip-restore-") as tmp:
        path = Path(tmp) / manifest["database"]["name"]
        with path.open("wb") as out:
            shutil.copyfileobj(member, out, CHUNK)
        if engine == "sqlite":
            conn.close()
            conn.ensure_connection()
            source = sqlite3.connect(path)
            try:
                source.backup(conn.connection)  # replaces the whole database, in one step
            finally:
                source.close()
            return
        conn.close()
        env = _pg_env(alias)
        _run(["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c",
              "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"], env)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", env["PGDATABASE"], str(path)], env)


def _media_clashes(manifest: dict[str, Any], root: Path) -> list[str]:
    """Files in MEDIA_ROOT that the backup would overwrite with other content."""
    clashes = []
    for f in manifest["files"]:
        target = root / f["name"]
        if target.exists():
            with target.open("rb") as fh:
                if sha256_of(fh)[0] != f["sha256"]:
                    clashes.append(f["name"])
    return clashes


def _restore_media(tar: tarfile.TarFile, manifest: dict[str, Any], root: Path) -> int:
    written = 0
    for f in manifest["files"]:
        target = root / f["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        stream = tar.extractfile(MEDIA_PREFIX + f["name"])
        assert stream is not None  # checked
        partial = target.with_name(target.name + ".restoring")
        with partial.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        os.replace(partial, target)
        written += 1
    return written


@dataclass(frozen=True)
class Restored:
    engine: str
    files: int
    migrations_to_apply: list[str]


def restore(path: Path, *, force: bool = False, alias: str = "default") -> Restored:
    """Check the archive completely, then restore the database and the files. Refuses a database
    that has tables unless ``force``; refuses an archive of another engine."""
    manifest = check_archive(path)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise BackupError(f"the backup is of a {manifest['engine']} database and this installation uses {engine}")
    pending = _check_migrations(manifest, alias)
    if not force and not database_is_empty(alias):
        raise BackupError("the database is not empty; restore into an empty database, or give --force to "
                          "replace everything in it")
    clashes = _media_clashes(manifest, Path(settings.MEDIA_ROOT))
    if clashes and not force:
        raise BackupError(f"{len(clashes)} file(s) in MEDIA_ROOT differ from the backup's "
                          f"({', '.join(clashes[:3])}); --force overwrites them")
    with tarfile.open(path, "r:gz") as tar:
        _restore_database(tar, manifest, alias, engine)
        restored = applied_migrations(alias)
        if restored != sorted(list(m) for m in manifest["migrations"]):
            raise BackupError("the restored database's migrations differ from the manifest's")
        files = _restore_media(tar, manifest, Path(settings.MEDIA_ROOT))
    with contextlib.suppress(Exception):
        connections[alias].close()
    return Restored(engine, files, pending)
