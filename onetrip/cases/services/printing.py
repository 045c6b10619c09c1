"""Printed notices: the PDF of a case's acceptance notice, refusal, one-time notice or decision
(sealed by the department through the ``seal_document`` hook), and the print on the trail (who
printed which document of which case, when)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.cases import hooks, selectors
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused
from onetrip.core import trail


@dataclass(frozen=True)
class Printed:
    content: bytes
    filename: str


def print_document(*, actor: User, case: Case, kind: str, notice_id: int | None = None,
                   progress_url: str) -> Printed:
    """The notice ``kind`` (acceptance / refusal / notice / decision) of a case the actor may see, as PDF; the
    print goes on the case's trail. Raises Refused(not_found) when the case has no such document."""
    if not selectors.visible_cases(actor).filter(pk=case.pk).exists():
        raise Refused(_("No such case."), code="not_found")
    content = selectors.document_content(case, kind, notice_id)
    if content is None:
        raise Refused(_("This case has no such document."), code="not_found")
    from onetrip.cases import documents  # reportlab, segno, Pillow: loaded by the first print only

    sealers = hooks.functions("seal_document") if kind in selectors.SEALED_KINDS else []
    if sealers:
        content.seal = _("Administrative approval seal")
    pdf = documents.build_pdf(content, progress_url=progress_url + content.progress_path)
    if sealers:
        pdf = sealers[0](case=case, pdf=pdf, reason=f"{content.title} {content.document_number}")
    with transaction.atomic():
        trail.record(actor=actor, action="document.print", obj=case,
                     summary={"number": case.number, "document": kind, "notice": notice_id,
                              "document_number": content.document_number, "sealed": bool(sealers)})
    return Printed(content=pdf, filename=documents.filename(content))
