"""Writes of the licences app: queue and issue licences, change their status, renew them, and
sign decisions. Each write is one transaction with its trail entry; the acting user is passed
explicitly (None: the background worker)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused
from onetrip.core import outbox, trail
from onetrip.core.identity import mask_resident_id
from onetrip.licenses import ca, rules
from onetrip.licenses.models import (
    DecisionSignature,
    HolderKind,
    Licence,
    LicenceSequence,
    LicenceStatus,
    LicenceType,
)
from onetrip.licenses.notifications import ISSUED, STATUS_CHANGED

DECISIONS = ("approve", "deny")


def _today() -> dt.date:
    return timezone.localdate()


def _holder_summary(licence: Licence) -> str:
    if licence.holder_kind == HolderKind.PERSON:
        return mask_resident_id(licence.holder_id_number)
    return licence.holder_id_number


# --- queue on approval ---------------------------------------------------------------------------


def licence_type_for(case: Case) -> LicenceType | None:
    """The licence an approved case produces: its item version names a result and a licence type
    lists its item."""
    if not case.version.result_name:
        return None
    return LicenceType.objects.filter(items=case.item_id).order_by("pk").first()


def queue_licence(*, case: Case, actor: User | None) -> Licence | None:
    """电子证照: an approved case of a licence-producing item gets its licence row (pending); the
    job ``licenses.issue`` numbers, lays out, seals and timestamps it. Runs in the approval's
    transaction (``cases.hooks``): no approval without its queued licence."""
    kind = licence_type_for(case)
    if kind is None:
        return None
    app = case.application
    if app.company_id:
        holder_kind, name, number = HolderKind.ORGANISATION, app.company.name, app.company.uscc  # type: ignore[union-attr]
    else:
        holder_kind, name, number = HolderKind.PERSON, app.applicant_name, app.applicant_id_number
    start = _today()
    licence = Licence.objects.create(
        licence_type=kind, holder_kind=holder_kind, holder_name=name, holder_id_number=number,
        holder_user=app.applicant, department=case.department, case=case, title=case.version.result_name,
        valid_from=start, valid_until=rules.valid_until(start, kind.validity_years))
    trail.record(actor=actor, action="licence.queued", obj=licence,
                 summary={"case": case.number, "type": kind.code, "holder": _holder_summary(licence)})
    return licence


# --- issue (the worker) --------------------------------------------------------------------------


def pending_licences() -> Any:
    """Licences waiting to be issued: never claimed, or claimed by a worker that died."""
    lease = timezone.now() - dt.timedelta(seconds=settings.LICENSES_ISSUE_LEASE_SECONDS)
    return Licence.objects.filter(status=LicenceStatus.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease))


def _next_sequence(kind: LicenceType, department_id: int) -> int:
    LicenceSequence.objects.bulk_create([LicenceSequence(licence_type=kind, department_id=department_id)],
                                        ignore_conflicts=True)
    row = LicenceSequence.objects.select_for_update().get(licence_type=kind, department_id=department_id)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def _number(licence: Licence) -> None:
    """Sequence, version, identifier and number, once (a retry keeps them). A renewal keeps its
    predecessor's sequence and number with the next version."""
    if licence.identifier:
        return
    with transaction.atomic():
        row = Licence.objects.select_for_update(of=("self",)).select_related("licence_type", "department", "previous").get(
            pk=licence.pk)
        if not row.identifier:
            if row.previous is not None and row.previous.sequence:
                row.sequence, row.version = row.previous.sequence, row.previous.version + 1
                row.number = row.previous.number
            else:
                row.sequence = _next_sequence(row.licence_type, row.department_id)
                row.number = rules.licence_number(prefix=row.licence_type.number_prefix, year=row.valid_from.year,
                                                  sequence=row.sequence)
            row.identifier = rules.licence_identifier(
                type_code=row.licence_type.code, issuer_uscc=row.department.uscc, sequence=row.sequence,
                version=row.version)
            row.save(update_fields=["sequence", "version", "number", "identifier"])
        licence.sequence, licence.version, licence.number, licence.identifier = (
            row.sequence, row.version, row.number, row.identifier)


def verify_url(licence: Licence) -> str:
    return settings.PUBLIC_BASE_URL + reverse("licenses:verify", args=[licence.verification_id])


def licence_fields(licence: Licence) -> list[tuple[str, str]]:
    """What the certificate states (in Chinese, as the document is)."""
    until = f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
    holder = "持证主体" if licence.holder_kind == HolderKind.ORGANISATION else "持证人"
    id_label = "统一社会信用代码" if licence.holder_kind == HolderKind.ORGANISATION else "公民身份号码"
    rows = [(holder, licence.holder_name), (id_label, licence.holder_id_number), ("许可事项", licence.title),
            ("有效期限", f"{licence.valid_from:%Y年%m月%d日} 至 {until}")]
    if licence.case_id:
        rows.append(("办件编号", licence.case.number or ""))  # type: ignore[union-attr]
    if licence.version > 1:
        rows.append(("版本", f"第{licence.version}版（换发）"))
    return rows


def render_and_seal(licence: Licence) -> bytes:
    """The licence's PDF, laid out and signed PAdES B-T with its department's seal."""
    from onetrip.licenses import document, pades  # reportlab and pyHanko: loaded by the first licence

    pdf = document.build_licence_pdf(document.LicenceContent(
        title=licence.licence_type.name, number=licence.number, identifier=licence.identifier or "",
        fields=licence_fields(licence), department=licence.department.name,
        issued_on=licence.issued_on or _today(), verify_url=verify_url(licence)))
    return pades.seal_pdf(pdf, licence.department, reason=f"{licence.licence_type.name} {licence.number}",
                          location=settings.SITE_NAME)


def issue(licence: Licence) -> Licence:
    """Issue one claimed, pending licence: number it (its own short transaction), render and seal
    the PDF outside any transaction, then store it and make the licence valid, conditionally on it
    still being pending (a status change meanwhile wins). A renewal replaces its predecessor."""
    licence = Licence.objects.select_related("licence_type", "department", "case", "previous").get(pk=licence.pk)
    if licence.status != LicenceStatus.PENDING:
        return licence
    _number(licence)
    licence.issued_on = _today()
    pdf = render_and_seal(licence)
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(f"licences/{digest}.pdf", ContentFile(pdf))
    with transaction.atomic():
        now = timezone.now()
        done = Licence.objects.filter(pk=licence.pk, status=LicenceStatus.PENDING).update(
            status=LicenceStatus.VALID, file=name, sha256=digest, size=len(pdf), issued_on=licence.issued_on,
            signed_at=now, status_changed_at=now)
        if not done:
            default_storage.delete(name)
            return Licence.objects.get(pk=licence.pk)
        licence.refresh_from_db()
        if licence.previous_id:
            Licence.objects.filter(pk=licence.previous_id).update(status=LicenceStatus.REPLACED, status_changed_at=now,
                                                                  status_reason=_("Replaced by %(n)s version %(v)s") % {
                                                                      "n": licence.number, "v": licence.version})
            trail.record(actor=None, action="licence.replaced", obj=licence.previous,  # type: ignore[arg-type]
                         summary={"by": licence.identifier})
        trail.record(actor=None, action="licence.issued", obj=licence,
                     summary={"identifier": licence.identifier, "number": licence.number, "sha256": digest,
                              "case": licence.case.number if licence.case else ""})  # type: ignore[union-attr]
        _notify(licence, ISSUED)
    return licence


def _notify(licence: Licence, event: str) -> None:
    user = licence.holder_user
    mobile = getattr(user, "mobile", "") if user is not None else ""
    if not mobile and licence.case_id:
        mobile = licence.case.application.applicant_mobile  # type: ignore[union-attr]
    if mobile:
        outbox.queue(event=event, target=licence, sms_to=mobile,
                     params={"name": licence.licence_type.name, "number": licence.number,
                             "status": licence.get_status_display()})


# --- status changes by the issuing department ----------------------------------------------------


def change_status(*, actor: User, licence: Licence, status: str, reason: str = "") -> Licence:
    """Suspend, reinstate or revoke (with a reason), by the issuing department's officers and head.
    Shown at once on the verification page and in the API (nothing is cached)."""
    if not rules.may_manage(actor, licence.department_id):
        raise Refused(_("Only the issuing department may change this licence."), code="forbidden")
    reason = (reason or "").strip()
    if status in (LicenceStatus.REVOKED, LicenceStatus.SUSPENDED) and not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("At most 1000 characters.")]})
    with transaction.atomic():
        row = Licence.objects.select_for_update(of=("self",)).select_related("licence_type").get(pk=licence.pk)
        current = rules.effective_status(row.status, row.valid_until, _today())
        if status not in rules.STATUS_CHANGES.get(current, frozenset()):
            raise Refused(_("A licence that is “%(s)s” cannot become “%(t)s”.") % {
                "s": LicenceStatus(current).label, "t": LicenceStatus(status).label}, code="wrong_state")
        old = row.status
        row.status, row.status_reason, row.status_changed_at = status, reason, timezone.now()
        row.save(update_fields=["status", "status_reason", "status_changed_at"])
        trail.record(actor=actor, action=f"licence.{status}", obj=row,
                     summary={"identifier": row.identifier, "from": old, "to": status, "reason": reason})
        _notify(row, STATUS_CHANGED)
    return row


def renew(*, actor: User, licence: Licence, reason: str = "") -> Licence:
    """换发 / 延续: a new version of the licence (same number, version + 1, validity from today),
    issued by the job; the old one becomes *replaced* when the new one is issued."""
    if not rules.may_manage(actor, licence.department_id):
        raise Refused(_("Only the issuing department may change this licence."), code="forbidden")
    with transaction.atomic():
        row = Licence.objects.select_for_update(of=("self",)).select_related("licence_type").get(pk=licence.pk)
        current = rules.effective_status(row.status, row.valid_until, _today())
        if current not in (LicenceStatus.VALID, LicenceStatus.EXPIRED, LicenceStatus.SUSPENDED):
            raise Refused(_("A licence that is “%(s)s” cannot be renewed.") % {"s": LicenceStatus(current).label},
                          code="wrong_state")
        if Licence.objects.filter(previous=row).exists():
            raise Refused(_("This licence was renewed already."), code="wrong_state")
        start = _today()
        new = Licence.objects.create(
            licence_type=row.licence_type, holder_kind=row.holder_kind, holder_name=row.holder_name,
            holder_id_number=row.holder_id_number, holder_user=row.holder_user, department_id=row.department_id,
            case_id=row.case_id, previous=row, title=row.title, valid_from=start,
            valid_until=rules.valid_until(start, row.licence_type.validity_years), status_reason=reason.strip()[:1000])
        trail.record(actor=actor, action="licence.renewal_requested", obj=row,
                     summary={"identifier": row.identifier, "new": new.pk, "reason": reason.strip()[:1000]})
    return new


def expire_due(*, today: dt.date | None = None) -> int:
    """到期: valid licences whose last day has passed become expired, each claimed by a
    conditional update (several workers never expire one twice)."""
    from onetrip.core.jobs import for_each_claimed

    today = today or _today()
    due = Licence.objects.filter(status=LicenceStatus.VALID, valid_until__lt=today)

    def record(row: Licence) -> None:
        trail.record(actor=None, action="licence.expired", obj=row,
                     summary={"identifier": row.identifier, "valid_until": str(row.valid_until)})

    return for_each_claimed(due, {"status": LicenceStatus.EXPIRED, "status_changed_at": timezone.now()}, record)


# --- signed decisions (电子签名) ------------------------------------------------------------------


def decision_bytes(case: Case, action: str, signer: User) -> bytes:
    """The decision as it stands on the case now, canonicalised (``rules.decision_content``)."""
    return rules.decision_content(
        case_number=case.number or "", item_code=case.item.code, version_id=case.version_id,
        version_number=case.version.number, decision=action, reasons=case.decision_reasons,
        decided_at=case.decided_at, officer=signer.username, department=case.department.code)


def sign_decision(*, case: Case, action: str, actor: User | None) -> DecisionSignature | None:
    """The deciding officer signs the decision with their own key (issued by the district CA):
    ECDSA P-256 / SHA-256 over the canonical content, stored with the officer's certificate.
    Runs in the decision's transaction (``cases.hooks``): no decision without its signature."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    if action not in DECISIONS or actor is None:
        return None
    credential = ca.officer(actor)
    content = decision_bytes(case, action, actor)
    signature = credential.key.sign(content, ec.ECDSA(hashes.SHA256()))
    return DecisionSignature.objects.create(
        case=case, action=action, signer=actor, content=content.decode(),
        signature=base64.b64encode(signature).decode(), certificate=credential.pem,
        signed_at=case.decided_at or timezone.now())


# --- files ---------------------------------------------------------------------------------------


def open_file(*, actor: User, licence: Licence) -> bytes:
    """The issued PDF, for its holder or the issuing department's staff. A staff read of a
    person's licence (it carries their full ID number) goes on the trail."""
    from onetrip.licenses import selectors

    own = selectors.own_licence(actor, licence.pk) is not None
    staff = rules.may_manage(actor, licence.department_id)
    if not (own or staff) or not licence.file:
        raise Refused(_("No such licence."), code="not_found")
    with licence.file.open("rb") as f:
        data = f.read()
    if staff and not own:
        with transaction.atomic():
            trail.record(actor=actor, action="personal_data.view", obj=licence,
                         summary={"identifier": licence.identifier, "what": "licence_pdf"})
    return bytes(data)


def filename(licence: Licence) -> str:
    return f"{licence.licence_type.name}-{licence.number}-v{licence.version}.pdf"


# --- configuration -------------------------------------------------------------------------------


def save_licence_type(*, actor: User | None, code: str, name: str, name_en: str = "", number_prefix: str = "",
                      validity_years: int | None = None, item_codes: list[str] | tuple[str, ...] = ()) -> LicenceType:
    """Create or update a licence type and the items that produce it (the admin does the same)."""
    from onetrip.catalog.models import ServiceItem

    with transaction.atomic():
        kind = LicenceType.objects.filter(code=code).first() or LicenceType(code=code)
        kind.name, kind.name_en, kind.number_prefix, kind.validity_years = name, name_en, number_prefix, validity_years
        kind.full_clean()
        kind.save()
        items = list(ServiceItem.objects.filter(code__in=item_codes))
        kind.items.set(items)
        trail.record(actor=actor, action="licence_type.save", obj=kind,
                     summary={"code": code, "items": sorted(i.code for i in items)})
    return kind
