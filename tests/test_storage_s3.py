"""Uploaded files in S3-compatible object storage (STORAGE_BACKEND=s3), tested against a local
S3 server (moto's, from PyPI, standing in for MinIO or a government cloud's OSS): an upload lands
in the bucket, the applicant and staff read it back through the application, and the orphan
sweep finds and deletes files no row points to."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from onetrip.cases import services as cases
from onetrip.cases.models import CaseMaterial
from onetrip.cases.services import orphans

from .conftest import PDF, apply

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "onetrip-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Any:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the local S3 server did not start")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def s3(s3_server: str, settings: Any) -> Any:
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": s3_server, "region_name": "us-east-1", "access_key": "test",
        "secret_key": "test", "default_acl": None, "querystring_auth": True, "file_overwrite": False}}}
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db
def test_an_upload_is_stored_in_the_bucket_and_read_back_through_the_application(s3, citizen, item, staff, client):
    case = apply(citizen)
    material = CaseMaterial.objects.get(application=case.application)
    assert material.file.name in _keys(s3)
    body = s3.get_object(Bucket=BUCKET, Key=material.file.name)["Body"].read()
    assert body == PDF
    # Staff open it through the application (on the trail), not by a bucket URL.
    opened = cases.open_material(actor=staff.clerk, case=case, material_id=material.pk)
    with opened.file.open("rb") as fh:
        assert fh.read() == PDF
    client.force_login(citizen)
    r = client.get(f"/api/v1/cases/{case.number}/materials/{material.pk}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF


@pytest.mark.django_db
def test_the_orphan_sweep_deletes_only_unreferenced_files_in_the_bucket(s3, citizen, item):
    app, _ = cases.create_application(actor=citizen, item_code="430703-SCJGJ-001")
    cases.upload_material(actor=citizen, application=app, name="个体工商户登记（备案）申请书", stream=io.BytesIO(PDF),
                          original_name="a.pdf")
    kept = CaseMaterial.objects.get(application=app).file.name
    s3.put_object(Bucket=BUCKET, Key="materials/ab/orphan.pdf", Body=PDF)
    s3.put_object(Bucket=BUCKET, Key="other/not-a-material.pdf", Body=PDF)
    young = orphans.sweep_orphan_uploads(grace_hours=24)
    assert young.deleted == [] and young.too_young == 2
    later = orphans.sweep_orphan_uploads(now=timezone.now() + dt.timedelta(hours=25), grace_hours=24)
    assert later.deleted == ["materials/ab/orphan.pdf"] and later.kept == 1
    assert _keys(s3) == sorted([kept, "other/not-a-material.pdf"])


def test_object_storage_without_a_bucket_is_refused_at_start_up(tmp_path):
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "onetrip.settings", "ONETRIP_VAR_DIR": str(tmp_path),
               "STORAGE_BACKEND": "s3"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=environ, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "STORAGE_BACKEND=s3 needs S3_BUCKET" in result.stderr
