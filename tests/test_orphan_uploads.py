"""Orphan uploads: a material file no row points to (the upload was cut off between storing the
file and committing its row) is deleted by the ``cases.orphan_uploads`` job after the grace
period; a file any row names, or a file younger than the grace period, is never deleted."""

from __future__ import annotations

import io
import os
import time
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from onetrip.cases import services as cases
from onetrip.cases.models import CaseMaterial
from onetrip.cases.services import orphans
from onetrip.core import jobs

from .conftest import PDF, apply

HOUR = 3600


def age(name: str, hours: float) -> None:
    """Make a stored file look ``hours`` old."""
    path = default_storage.path(name)
    then = time.time() - hours * HOUR
    os.utime(path, (then, then))


def orphan(name: str, content: bytes = PDF) -> str:
    return default_storage.save(name, ContentFile(content))


def test_a_file_no_row_points_to_is_deleted_after_the_grace_period(settings: Any, citizen: Any, item: Any) -> None:
    settings.ORPHAN_UPLOAD_GRACE_HOURS = 24
    case = apply(citizen)
    kept = case.application.materials.get().file.name
    old = orphan("materials/ab/" + "ab" * 32 + ".pdf")
    young = orphan("materials/cd/" + "cd" * 32 + ".pdf")
    for name in (kept, old):
        age(name, 25)
    age(young, 23)

    result = orphans.sweep_orphan_uploads()

    assert result.deleted == [old]
    assert not default_storage.exists(old)
    assert default_storage.exists(young)  # still inside the grace period: its upload may be committing
    assert default_storage.exists(kept)
    assert case.application.materials.get().file.read() == PDF
    assert result.counts() == {"deleted": 1, "too_young": 1, "kept": 1}


def test_the_grace_period_comes_from_the_setting(settings: Any, db: Any) -> None:
    name = orphan("materials/ef/" + "ef" * 32 + ".pdf")
    age(name, 3)
    settings.ORPHAN_UPLOAD_GRACE_HOURS = 4
    assert orphans.sweep_orphan_uploads().deleted == []
    settings.ORPHAN_UPLOAD_GRACE_HOURS = 2
    assert orphans.sweep_orphan_uploads().deleted == [name]


def test_a_file_shared_by_two_applications_survives_when_one_of_them_lets_it_go(
        settings: Any, citizen: Any, item: Any) -> None:
    """Same content, one stored file: both rows name it. Removing it from one application (the
    row stays, no longer current) and deleting the other row entirely still keeps it."""
    first = apply(citizen, submit=False).application
    material = first.materials.get()
    second = apply(citizen, submit=False).application
    shared = second.materials.get()
    shared.file.name = material.file.name  # two rows, one stored file
    shared.save(update_fields=["file"])
    stray = [n for n in orphans.stored_files(default_storage, "materials") if n != material.file.name]
    for name in stray:
        default_storage.delete(name)
    cases.remove_material_file(actor=citizen, application=first, material_id=material.pk)
    age(material.file.name, 1000)

    assert orphans.sweep_orphan_uploads().deleted == []
    assert default_storage.exists(material.file.name)

    CaseMaterial.objects.filter(pk=material.pk).delete()  # one of the two rows gone for good
    assert orphans.sweep_orphan_uploads().deleted == []
    assert default_storage.exists(shared.file.name)

    CaseMaterial.objects.filter(pk=shared.pk).delete()  # now nothing points to it
    assert orphans.sweep_orphan_uploads().deleted == [shared.file.name]


def test_an_upload_whose_commit_failed_leaves_an_orphan_that_the_job_sweeps(
        settings: Any, citizen: Any, item: Any) -> None:
    """The worker is cut off after the file is stored: the row is rolled back, the file stays."""
    application, _created = cases.create_application(actor=citizen, item_code=item.item.code)
    name = cases.checklist(application)[0].name

    class Killed(Exception):
        pass

    with pytest.raises(Killed), transaction.atomic():
        cases.upload_material(actor=citizen, application=application, name=name, stream=io.BytesIO(PDF),
                              original_name="scan.pdf")
        raise Killed
    assert not CaseMaterial.objects.exists()
    (left,) = list(orphans.stored_files(default_storage, "materials"))
    age(left, 48)

    (outcome,) = jobs.run_due(only=["cases.orphan_uploads"], force=True)

    assert outcome.status == "ok" and outcome.result == {"deleted": 1, "too_young": 0, "kept": 0}
    assert not default_storage.exists(left)


def test_files_outside_the_materials_folder_are_never_touched(settings: Any, db: Any) -> None:
    other = orphan("certificates/x.pdf")
    age(other, 1000)
    assert orphans.sweep_orphan_uploads().deleted == []
    assert default_storage.exists(other)


def test_the_job_is_registered_hourly_with_a_day_of_grace_by_default() -> None:
    from django.conf import settings

    jobs.autodiscover()
    (registered,) = jobs.registry.jobs(["cases.orphan_uploads"])
    assert registered.every == HOUR
    assert settings.ORPHAN_UPLOAD_GRACE_HOURS == 24
