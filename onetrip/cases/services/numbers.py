"""Case numbers (办件编号): unique, ordered, never reused."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from onetrip.cases.models import CaseSequence


def next_case_number(day: dt.date) -> str:
    """District code + date + sequence, e.g. 430703-20261127-000123; unique across processes
    (the day's counter row is locked while it is incremented)."""
    with transaction.atomic(savepoint=False):
        if not CaseSequence.objects.filter(day=day).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    CaseSequence.objects.create(day=day, last=1)
            except IntegrityError:
                CaseSequence.objects.filter(day=day).update(last=F("last") + 1)
        last = CaseSequence.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{settings.DISTRICT_CODE}-{day:%Y%m%d}-{last:06d}"
