"""Printed notices: the PDF of a case's acceptance notice, refusal or one-time notice, and the
print on the trail (who printed which document of which case, when)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.cases import selectors
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused
from onetrip.core import trail


@dataclass(frozen=True)
class Printed:
    content: bytes
    filename: str


def print_document(*, actor: User, case: Case, kind: str, notice_id: int | None = None,
                   progress_url: str) -> Printed:
    """The notice ``kind`` (acceptance / refusal / notice) of a case the actor may see, as PDF; the
    print goes on the case's trail. Raises Refused(not_found) when the case has no such document."""
    if not selectors.visible_cases(actor).filter(pk=case.pk).exists():
        raise Refused(_("No such case."), code="not_found")
    content = selectors.document_content(case, kind, notice_id)
    if content is None:
        raise Refused(_("This case has no such document."), code="not_found")
    from onetrip.cases import documents  # reportlab, segno, Pillow: loaded by the first print only

    pdf = documents.build_pdf(content, progress_url=progress_url + content.progress_path)
    with transaction.atomic():
        trail.record(actor=actor, action="document.print", obj=case,
                     summary={"number": case.number, "document": kind, "notice": notice_id,
                              "document_number": content.document_number})
    return Printed(content=pdf, filename=documents.filename(content))
