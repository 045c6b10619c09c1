"""Reads of the licences app: the public verification, a holder's licences, a department's
licences, and a decision's signature checked against the case as it stands."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role
from onetrip.cases.models import Case, State
from onetrip.core.identity import mask_name, mask_resident_id
from onetrip.licenses import rules
from onetrip.licenses.models import DecisionSignature, HolderKind, Licence, LicenceStatus, LicenceType

ISSUED_STATES = [s for s in LicenceStatus.values if s != LicenceStatus.PENDING]


def _today() -> dt.date:
    return timezone.localdate()


def status_of(licence: Licence, today: dt.date | None = None) -> str:
    return rules.effective_status(licence.status, licence.valid_until, today or _today())


def valid_licences_of(holder_id: str) -> QuerySet[Licence]:
    """The licences a person (resident ID number) or organisation (USCC) holds that are valid
    today: for once-only, a later application reusing a licence (the registry lookup)."""
    today = _today()
    from django.db.models import Q

    return (Licence.objects.filter(holder_id_number=(holder_id or "").strip().upper(), status=LicenceStatus.VALID)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("licence_type", "department").order_by("-issued_on", "-id"))


def holder_ids_of(user: Any) -> list[str]:
    """Whose licences a signed-in person holds: their own (resident ID) and, for a verified
    company representative, the company's (USCC)."""
    ids = []
    if getattr(user, "resident_id", ""):
        ids.append(user.resident_id)
    if user.role == Role.COMPANY_REP and user.company_id and user.company_status == "verified":
        ids.append(user.company.uscc)
    return ids


def licences_of(user: Any) -> QuerySet[Licence]:
    """“My licences”: every issued licence the user holds, newest first (all statuses)."""
    ids = holder_ids_of(user)
    return (Licence.objects.filter(holder_id_number__in=ids, status__in=ISSUED_STATES)
            .select_related("licence_type", "department").order_by("-issued_on", "-id"))


def own_licence(user: Any, pk: int) -> Licence | None:
    return licences_of(user).filter(pk=pk).first()


def department_licences(user: Any) -> QuerySet[Licence]:
    if user.role not in (Role.OFFICER, Role.DEPARTMENT_HEAD) or not user.department_id:
        return Licence.objects.none()
    return (Licence.objects.filter(department_id=user.department_id)
            .select_related("licence_type", "case", "previous").order_by("-id"))


def by_verification_id(key: str) -> Licence | None:
    if not key or len(key) > 32:
        return None
    return (Licence.objects.filter(verification_id=key, status__in=ISSUED_STATES)
            .select_related("licence_type", "department", "next").first())


@dataclass(frozen=True)
class PublicView:
    """What the public verification page and API show: key fields, personal data masked."""

    identifier: str
    number: str
    type_name: str
    title: str
    holder: str
    holder_id: str
    department: str
    issued_on: dt.date | None
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    status_label: str
    status_reason: str
    status_changed_at: dt.datetime | None
    sha256: str
    replaced_by: str


def public_view(licence: Licence) -> PublicView:
    successor = getattr(licence, "next", None)
    return _public_view(
        identifier=licence.identifier, number=licence.number, type_name=licence.licence_type.name,
        title=licence.title, holder_kind=licence.holder_kind, holder_name=licence.holder_name,
        holder_id_number=licence.holder_id_number, department=licence.department.name, issued_on=licence.issued_on,
        valid_from=licence.valid_from, valid_until=licence.valid_until, status=licence.status,
        status_reason=licence.status_reason, status_changed_at=licence.status_changed_at, sha256=licence.sha256,
        replaced_by=successor.identifier if successor is not None else None)


def _public_view(*, identifier: str | None, number: str, type_name: str, title: str, holder_kind: str,
                 holder_name: str, holder_id_number: str, department: str, issued_on: dt.date | None,
                 valid_from: dt.date, valid_until: dt.date | None, status: str, status_reason: str,
                 status_changed_at: dt.datetime | None, sha256: str, replaced_by: str | None) -> PublicView:
    status = rules.effective_status(status, valid_until, _today())
    person = holder_kind == HolderKind.PERSON
    return PublicView(
        identifier=identifier or "", number=number, type_name=type_name, title=title,
        holder=mask_name(holder_name) if person else holder_name,
        holder_id=mask_resident_id(holder_id_number) if person else holder_id_number,
        department=department, issued_on=issued_on, valid_from=valid_from, valid_until=valid_until, status=status,
        status_label=str(LicenceStatus(status).label),
        # A suspension's or revocation's reason is the department's public statement.
        status_reason=status_reason if status in (LicenceStatus.REVOKED, LicenceStatus.SUSPENDED) else "",
        status_changed_at=status_changed_at, sha256=sha256, replaced_by=replaced_by or "")


# What ``_public_view`` takes, in the order the verification query selects it: the licence's own
# columns, then its type's and department's names and its successor's identifier (subqueries,
# which PostgreSQL plans in half the time of joins).
_VERIFY_FIELDS = ("identifier", "number", "title", "holder_kind", "holder_name", "holder_id_number", "issued_on",
                  "valid_from", "valid_until", "status", "status_reason", "status_changed_at", "sha256")
_VERIFY_NAMES = {"type_name": "v_type_name", "department": "v_department", "replaced_by": "v_successor"}
_KEY_SLOT = "\x00verification id\x00"  # stands for the key in the compiled query (no real key has a NUL)
_converters = threading.local()


@functools.cache
def _verification_query(alias: str) -> tuple[Any, str, tuple[Any, ...], int, list[Any]]:
    from onetrip.accounts.models import Department

    query = (Licence.objects.using(alias).filter(verification_id=_KEY_SLOT).order_by().annotate(
        v_type_name=Subquery(LicenceType.objects.filter(pk=OuterRef("licence_type_id")).values("name")),
        v_department=Subquery(Department.objects.filter(pk=OuterRef("department_id")).values("name")),
        v_successor=Subquery(Licence.objects.filter(previous_id=OuterRef("pk")).order_by().values("identifier")),
    ).values_list(*_VERIFY_FIELDS, *_VERIFY_NAMES.values())[:1]).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    columns = [col for col, _sql, _alias in compiler.select[:compiler.col_count]]
    return query, sql, tuple(params), list(params).index(_KEY_SLOT), columns


def verification_view(key: str) -> PublicView | None:
    """``public_view(by_verification_id(key))`` in one query, for the public page a QR code opens.

    Building that query's SQL through the ORM costs about 1 ms each time, more than the database
    takes to answer it; so the ORM builds its SQL once per process and only the key changes.
    Nothing read is kept: every call reads the licence as it stands."""
    if not key or len(key) > 32:
        return None
    alias = router.db_for_read(Licence)
    query, sql, params, slot, columns = _verification_query(alias)
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(sql, (*params[:slot], key, *params[slot + 1:]))
        row = cursor.fetchone()
    if row is None:
        return None
    if getattr(_converters, "connection", None) is not conn:  # the backend's, e.g. SQLite's times made aware
        _converters.connection, _converters.found = conn, query.get_compiler(connection=conn).get_converters(columns)
    if _converters.found:
        row = next(iter(query.get_compiler(connection=conn).apply_converters([row], _converters.found)))
    values = dict(zip((*_VERIFY_FIELDS, *_VERIFY_NAMES), row, strict=True))
    if values["status"] not in ISSUED_STATES:
        return None
    return _public_view(**values)


def file_matches(sha256: str, data: bytes) -> bool:
    """Whether an uploaded PDF is exactly the file issued (its SHA-256, as recorded)."""
    return bool(sha256) and hashlib.sha256(data).hexdigest() == sha256


# --- signed decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    signer: str
    signed_at: dt.datetime
    action: str
    problem: str  # empty when valid


# The states in which a case's decision is known from its state alone.
_DECISION_OF_STATE: dict[str, str] = {State.APPROVED: "approve", State.RESULT_READY: "approve", State.DELIVERED: "approve",
                      State.DENIED: "deny"}


def check_signature(sig: DecisionSignature, case: Case) -> SignatureCheck:
    """A decision's signature, verified: the officer's certificate chains to the district root,
    the signature is right over the stored content, and that content is the decision the case
    records now (case, item version, decision, reasons, time). Any change shows as invalid."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from onetrip.licenses import ca, services

    signer = sig.signer.real_name or sig.signer.username
    problem = ""
    try:
        cert = x509.load_pem_x509_certificate(sig.certificate.encode())
        root = ca.root().certificate
        cert.verify_directly_issued_by(root)
        key = cert.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise TypeError("not an ECDSA key")
        key.verify(base64.b64decode(sig.signature), sig.content.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        problem = _("the signature does not match the signed content or the district CA")
    else:
        if sig.content.encode() != services.decision_bytes(case, sig.action, sig.signer):
            problem = _("the decision was altered after it was signed")
        elif _DECISION_OF_STATE.get(case.state, sig.action) != sig.action:
            problem = _("the case's decision is not the one signed")
    return SignatureCheck(valid=not problem, signer=signer, signed_at=sig.signed_at, action=sig.action,
                          problem=problem)


def decision_signatures(case: Case) -> list[SignatureCheck]:
    sigs = DecisionSignature.objects.filter(case=case).select_related("signer").order_by("signed_at", "id")
    return [check_signature(s, case) for s in sigs]


def case_licences(case: Case) -> list[Licence]:
    return list(Licence.objects.filter(case=case).select_related("licence_type").order_by("id"))
