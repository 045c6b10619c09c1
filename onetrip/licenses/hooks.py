"""How licences plug into cases (``cases.hooks``; cases never imports this app):

- after ``approve`` and ``deny``: the deciding officer signs the decision, in its transaction;
- after ``approve``: the licence of a licence-producing item is queued for the issuing job;
- on the case page: the decision's signature (verified as the page is shown) and the licence;
- printing a decision notice (准予 / 不予行政许可决定书): sealed PAdES B-T with the department's
  seal certificate, like a licence.
"""

from __future__ import annotations

from typing import Any

from onetrip.cases import hooks
from onetrip.cases.models import Case


def _after_decision(case: Case, actor: Any, action: str, data: dict[str, Any], summary: dict[str, Any]) -> None:
    from onetrip.licenses import services

    sig = services.sign_decision(case=case, action=action, actor=actor)
    if sig is not None:
        summary["signature"] = sig.signature[:16]
    if action == "approve":
        licence = services.queue_licence(case=case, actor=actor)
        if licence is not None:
            summary["licence"] = licence.licence_type.code


def _panel(case: Case, viewer: Any, audience: str) -> dict[str, Any] | None:
    from onetrip.licenses import selectors

    if case.decided_at is None:
        return None
    staff = audience == "staff"
    signatures = selectors.decision_signatures(case) if staff else []
    licences = [(lic, selectors.status_of(lic)) for lic in selectors.case_licences(case)]
    if not signatures and not licences:
        return None
    return {"panel": {"signatures": signatures, "licences": licences, "staff": staff}}


def _seal_document(*, case: Case, pdf: bytes, reason: str) -> bytes:
    from django.conf import settings

    from onetrip.licenses import pades  # pyHanko: loaded by the first sealed print

    return pades.seal_pdf(pdf, case.department, reason=reason, location=settings.SITE_NAME)


def _registry_lookup(holder_id: str, kind: str) -> list[Any]:
    """The licence registry's answer (``registries.providers.register_licence_lookup``): a holder's
    licences valid today, of one type (its name) or all; for once-only, a later application
    reusing a licence instead of uploading it."""
    from onetrip.licenses import selectors
    from onetrip.registries.providers import LicenceRecord

    return [LicenceRecord(number=lic.number, kind=lic.licence_type.name, holder_name=lic.holder_name,
                          holder_id=lic.holder_id_number, issuer=lic.department.name,
                          issued_on=lic.issued_on or lic.valid_from, valid_until=lic.valid_until, status="valid",
                          source="licenses")
            for lic in selectors.valid_licences_of(holder_id) if not kind or lic.licence_type.name == kind]


def register() -> None:
    from onetrip.licenses import notifications

    notifications.register_templates()
    # inside the decision's transaction, before its trail entry: a failure rolls the decision back
    hooks.register_follower("licenses.sign_decision", {"approve", "deny"}, _after_decision)
    from onetrip.registries.providers import register_licence_lookup

    register_licence_lookup(_registry_lookup)
    hooks.register("seal_document", _seal_document)
    hooks.register_panel(hooks.Panel(name="licenses", audiences=frozenset({"applicant", "staff"}), context=_panel,
                                     template="licenses/_case_panel.html", position=50))
