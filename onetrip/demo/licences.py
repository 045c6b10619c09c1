"""The demo district's licence types (which items produce which e-licence) and its first licences,
issued by the job the worker runs. Idempotent."""

from __future__ import annotations

from onetrip.licenses import jobs, services

# (type code, name, English name, number prefix, years valid (None: long-term), items)
LICENCE_TYPES = [
    ("SCJGYYZZ", "营业执照", "Business licence", "YY", None,
     ("430703-SCJGJ-001", "430703-SCJGJ-001-01", "430703-SCJGJ-001-02", "430703-SCJGJ-002")),
    ("SCJGSPJY", "食品经营许可证", "Food business licence", "JY", 5,
     ("430703-SCJGJ-003", "430703-SCJGJ-003-01", "430703-SCJGJ-003-02", "430703-SCJGJ-003-03")),
    ("SCJGYPJY", "药品经营许可证", "Pharmaceutical retail licence", "YP", 5, ("430703-SCJGJ-004",)),
    ("SCJGTZSB", "特种设备使用登记证", "Special equipment registration certificate", "TZ", None, ("430703-SCJGJ-005",)),
]


def load_licence_types() -> None:
    from onetrip.licenses.models import LicenceType

    for code, name, name_en, prefix, years, items in LICENCE_TYPES:
        if not LicenceType.objects.filter(code=code).exists():
            services.save_licence_type(actor=None, code=code, name=name, name_en=name_en, number_prefix=prefix,
                                       validity_years=years, item_codes=items)


def issue_demo_licences() -> int:
    """What the worker would do within seconds: issue the licences of the approved demo cases."""
    return jobs.issue_pending()["issued"]
