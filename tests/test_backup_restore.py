"""``manage.py backup`` / ``manage.py restore``: a round trip to a fresh database and MEDIA_ROOT
gives the same cases, the same material bytes and the same trail, and ``verify_trail`` passes on
the copy; restore refuses a database that is not empty (unless --force), a damaged archive, an
archive of another engine or of newer code, and writes nothing when it refuses.

The round trips run real ``manage.py`` processes on databases of their own (SQLite files; on
PostgreSQL, databases named wt_faults_*), as an operator would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onetrip.core import backup

ROOT = Path(__file__).resolve().parent.parent


def _env(url: str, tmp: Path, name: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "ONETRIP_VAR_DIR": str(tmp / name / "var"),
           "MEDIA_ROOT": str(tmp / name / "media"), "SECRET_KEY": "backup-test-key-" + "x" * 40,
           "STATICFILES_BACKEND": "plain", "SMS_BACKEND": "memory", "EMAIL_BACKEND": "memory",
           "LOG_LEVEL": "ERROR"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


SNAPSHOT = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
django.setup()
from onetrip.cases.models import Application, Case, CaseMaterial
from onetrip.core.models import TrailEntry
import hashlib
print(json.dumps({
    "applications": Application.objects.count(),
    "cases": sorted([c.number or "", c.state, str(c.received_at)] for c in Case.objects.all()),
    "materials": sorted([m.application_id, m.name, m.sha256, hashlib.sha256(m.file.read()).hexdigest()]
                        for m in CaseMaterial.objects.all()),
    "trail": TrailEntry.objects.count(),
    "last_hash": TrailEntry.objects.order_by("-seq").values_list("hash", flat=True).first(),
}))
"""


def snapshot(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(_run(env, "-c", SNAPSHOT).stdout.strip().splitlines()[-1])


def round_trip(source_url: str, target_url: str, tmp: Path) -> None:
    src, dst = _env(source_url, tmp, "src"), _env(target_url, tmp, "dst")
    _run(src, "-m", "tests.live", "setup", "3", "4")  # migrate; 3 drafts with files, 4 submitted cases
    before = snapshot(src)
    assert before["cases"] and before["materials"] and before["trail"] > 10
    archive = tmp / "backup.tar.gz"
    _run(src, "manage.py", "backup", str(archive))

    _run(dst, "manage.py", "migrate", "--noinput")  # a database with tables: refused without --force
    refused = _run(dst, "manage.py", "restore", str(archive), check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    _run(dst, "manage.py", "restore", "--force", str(archive))

    assert "Trail intact" in _run(dst, "manage.py", "verify_trail").stdout
    after = snapshot(dst)
    assert after == before
    assert all(m[2] == m[3] for m in after["materials"])  # the bytes read back are the bytes stored


def test_a_sqlite_round_trip_gives_the_same_cases_files_and_trail(tmp_path: Path) -> None:
    round_trip(f"sqlite:///{tmp_path / 'src.sqlite3'}", f"sqlite:///{tmp_path / 'dst.sqlite3'}", tmp_path)


@pytest.mark.postgresql(reason="pg_dump and pg_restore against a real PostgreSQL server")
def test_a_postgresql_round_trip_gives_the_same_cases_files_and_trail(tmp_path: Path) -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    info = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}
    names = [f"wt_faults_backup_{os.getpid()}_{n}" for n in ("src", "dst")]
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    user = info["user"] + (f":{info['password']}" if info["password"] else "")
    try:
        src, dst = (f"postgres://{user}@{info['host']}:{info['port']}/{n}" for n in names)
        round_trip(src, dst, tmp_path)
    finally:
        with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- refusals, in this process -------------------------------------------------------------------


@pytest.fixture
def archive(transactional_db: Any, tmp_path: Path, settings: Any) -> Path:
    media = Path(settings.MEDIA_ROOT)
    (media / "materials" / "ab").mkdir(parents=True)
    (media / "materials" / "ab" / "x.pdf").write_bytes(b"%PDF-1.4 original")
    path = tmp_path / "b.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def rewrite(path: Path, change: Any) -> None:
    """Rewrite the archive with ``change(name, data) -> data`` (None drops the member)."""
    with tarfile.open(path, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            data = change(name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_manifest_names_the_engine_the_migrations_and_each_file_with_its_hash(archive: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        manifest = backup.read_manifest(tar)
        names = tar.getnames()
    assert manifest["engine"] in {"sqlite", "postgresql"}
    assert ["cases", "0001_initial"] in manifest["migrations"]
    import hashlib

    assert manifest["files"] == [{"name": "materials/ab/x.pdf", "size": 17,
                                  "sha256": hashlib.sha256(b"%PDF-1.4 original").hexdigest()}]
    assert "media/materials/ab/x.pdf" in names and manifest["database"]["name"] in names
    assert "intact" in restore(archive, "--check")


def test_restore_refuses_a_database_that_is_not_empty(archive: Path, settings: Any) -> None:
    with pytest.raises(CommandError, match="not empty"):
        restore(archive)


@pytest.mark.parametrize("damage", [
    lambda name, data: data.replace(b"original", b"tampered") if name.endswith("x.pdf") else data,
    lambda name, data: None if name.endswith("x.pdf") else data,
    lambda name, data: data + b"\0" if name.startswith("db.") else data,
])
def test_a_damaged_archive_is_refused_and_nothing_is_written(archive: Path, settings: Any, damage: Any) -> None:
    rewrite(archive, damage)
    target = Path(settings.MEDIA_ROOT) / "materials" / "ab" / "x.pdf"
    target.unlink()
    with pytest.raises(CommandError, match="manifest|missing"):
        restore(archive, "--force")
    with pytest.raises(CommandError):
        restore(archive, "--check")
    assert not target.exists()


def test_an_archive_of_another_engine_or_of_newer_code_is_refused(archive: Path) -> None:
    def edit(**changes: Any) -> Any:
        def change(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            if "engine" in changes:
                manifest["engine"] = changes["engine"]
            if "migration" in changes:
                manifest["migrations"].append(changes["migration"])
            return json.dumps(manifest).encode()
        return change

    engine = "postgresql" if backup._engine("default") == "sqlite" else "sqlite"
    rewrite(archive, edit(engine=engine))
    with pytest.raises(CommandError, match=f"backup is of a {engine} database"):
        restore(archive, "--force")
    rewrite(archive, edit(engine=backup._engine("default"), migration=["cases", "9999_from_the_future"]))
    with pytest.raises(CommandError, match="newer OneTrip"):
        restore(archive, "--force")


def test_an_archive_with_an_unsafe_path_is_refused(archive: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"][0]["name"] = "../../etc/x.pdf"
            return json.dumps(manifest).encode()
        return data

    rewrite(archive, change)
    with pytest.raises(CommandError, match="unsafe path"):
        restore(archive, "--force")
