"""Personal data: staff see it masked unless they ask (on the trail); staff opening a material is
on the trail; the public progress lookup is rate-limited per client."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.cases import selectors
from onetrip.cases.models import Case, CaseMaterial
from onetrip.cases.rules import Refused, is_applicant
from onetrip.core import ratelimit, trail


def reveal_applicant(*, actor: User, case: Case, purpose: str) -> dict[str, str]:
    """Show a staff member the applicant's full ID and mobile number, and put the access on the
    trail (who, when, which case, why)."""
    if not can(actor, Capability.VIEW_PERSONAL_DATA) or not selectors.visible_cases(actor).filter(pk=case.pk).exists():
        raise Refused(_("Your role may not see personal data unmasked."), code="forbidden")
    with transaction.atomic():
        trail.record(actor=actor, action="personal_data.view", obj=case,
                     summary={"number": case.number, "fields": ["applicant_id_number", "applicant_mobile"],
                              "purpose": purpose[:200]})
    return {"applicant_id_number": case.application.applicant_id_number,
            "applicant_mobile": case.application.applicant_mobile}


class Throttled(Exception):
    """Too many progress lookups from one client in the current hour."""


def lookup_progress(*, client: str, number: str, secret: str) -> dict[str, Any] | None:
    """The public lookup's answer (``selectors.public_progress``), counted per client so that
    case numbers cannot be enumerated. A wrong pair and an unknown number look the same (None)."""
    if not ratelimit.hit(f"progress:{client}", limit=settings.PROGRESS_LOOKUPS_PER_HOUR,
                         window=dt.timedelta(hours=1)):
        raise Throttled
    return selectors.public_progress(number, secret)


PREVIEW_SALT = "onetrip.cases.previews"
PREVIEW_SECONDS = 600


def show_previews(*, actor: User, case: Case) -> str:
    """Staff ask to see the case's image files inline: one trail entry for all of them, and a
    token (valid ten minutes, for this person and this case) that lets the page fetch each
    preview without a trail entry per image."""
    files = list(CaseMaterial.objects.filter(application_id=case.application_id, current=True,
                                             content_type__startswith="image/").values_list("name", flat=True))
    if not selectors.is_staff_viewer(actor, case):
        raise Refused(_("Only staff handling the case see previews."), code="forbidden")
    with transaction.atomic():
        trail.record(actor=actor, action="personal_data.view", obj=case,
                     summary={"number": case.number, "previews": len(files), "materials": sorted(set(files))})
    return signing.dumps({"case": case.pk, "user": actor.pk}, salt=PREVIEW_SALT)


def _preview_allowed(token: str, *, actor: User, case: Case) -> bool:
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_SECONDS)
    except signing.BadSignature:
        return False
    return bool(data == {"case": case.pk, "user": actor.pk})


def open_material(*, actor: User, case: Case, material_id: int, preview_token: str = "") -> CaseMaterial:
    """A material file of the case's application, for its applicant or for staff who may see the
    case. Staff opening a material (it carries personal data) is put on the trail, unless it is
    a preview already recorded by ``show_previews``."""
    material = CaseMaterial.objects.filter(pk=material_id, application_id=case.application_id).first()
    if material is None:
        raise Refused(_("No such material on this case."), code="not_found")
    if preview_token and material.content_type.startswith("image/") and _preview_allowed(
            preview_token, actor=actor, case=case):
        return material
    if not is_applicant(case, actor):
        with transaction.atomic():
            trail.record(actor=actor, action="personal_data.view", obj=case,
                         summary={"number": case.number, "material": material.name, "sha256": material.sha256})
    return material
