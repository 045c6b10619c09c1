"""An issued e-licence as a row and a file, for tests of routes and schemas (issuing itself, with its
signature and timestamp, is tested in tests/test_licenses.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile

from .conftest import PDF


def licence_of(holder: Any, department: Any) -> Any:
    from onetrip.licenses.models import HolderKind, Licence, LicenceStatus, LicenceType

    kind = LicenceType.objects.get_or_create(code="GTGSHYYZZ", defaults={"name": "个体工商户营业执照",
                                                                          "number_prefix": "GT"})[0]
    licence = Licence(licence_type=kind, identifier="1.2.156.3005.2.GTGSHYYZZ.X.00000001.001.0", number="GT1",
                      holder_kind=HolderKind.PERSON, holder_name=holder.real_name, holder_id_number=holder.resident_id,
                      holder_user=holder, department=department, title="个体工商户营业执照",
                      valid_from=dt.date(2026, 1, 1), issued_on=dt.date(2026, 1, 1), status=LicenceStatus.VALID,
                      sha256=hashlib.sha256(PDF).hexdigest(), size=len(PDF))
    licence.file.save("licence.pdf", ContentFile(PDF), save=False)
    licence.save()
    return licence


def english_client() -> Any:
    """A test client that reads pages in English (the default language is Chinese)."""
    from django.test import Client

    client = Client()
    client.cookies["django_language"] = "en"
    return client
