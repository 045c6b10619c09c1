"""Electronic licences over the API (mounted under ``/api/v1``): the public verification, the
holder's licences and their PDFs, and the issuing department's status changes and renewals.

Refusals are ``Refused`` with a code (``api.on_refused``): ``forbidden`` 403, ``not_found`` 404,
``wrong_state`` 409."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.models import User
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers
from onetrip.licenses import selectors, services
from onetrip.licenses.models import Licence, LicenceStatus

router = Router(tags=["licences"])

StatusName = Literal["pending", "valid", "suspended", "revoked", "expired", "replaced"]


class LicenceVerifyOut(Schema):
    identifier: str = Field(..., description="电子证照标识: arc.type.issuer USCC.sequence.version.check (docs/licenses.md).")
    number: str
    type_name: str
    title: str
    holder: str = Field(..., description="A person's name masked; an organisation's in full.")
    holder_id: str = Field(..., description="A resident ID masked; a USCC in full.")
    department: str
    issued_on: dt.date | None
    valid_from: dt.date
    valid_until: dt.date | None = Field(None, description="null: without a time limit.")
    status: StatusName = Field(..., description="As of now (a licence past its last day is expired).")
    status_label: str
    status_reason: str
    sha256: str = Field(..., description="SHA-256 of the issued PDF: compare a file you hold with it.")
    replaced_by: str = Field(..., description="The identifier of the newer version, if replaced.")
    root_certificate_url: str


class LicenceOut(Schema):
    id: int
    identifier: str
    number: str
    version: int
    type_code: str
    type_name: str
    title: str
    holder_name: str
    department: str
    issued_on: dt.date | None
    valid_from: dt.date
    valid_until: dt.date | None
    status: StatusName
    status_label: str
    download_url: str = Field(..., description="The signed PDF (this API, same authentication).")
    verify_url: str


class LicenceStatusIn(Schema):
    status: Literal["suspended", "revoked", "valid"] = Field(
        ..., description="suspended (暂停), revoked (吊销/撤销) — both with a reason — or valid (reinstate a suspended one).")
    reason: str = Field("", max_length=1000)


class LicenceRenewIn(Schema):
    reason: str = Field("", max_length=1000)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _verify_out(request: HttpRequest, licence: Licence) -> dict[str, Any]:
    view = selectors.public_view(licence)
    return {**{k: getattr(view, k) for k in (
        "identifier", "number", "type_name", "title", "holder", "holder_id", "department", "issued_on", "valid_from",
        "valid_until", "status", "status_label", "status_reason", "sha256", "replaced_by")},
        "root_certificate_url": request.build_absolute_uri(reverse("licenses:root"))}


def _licence_out(request: HttpRequest, licence: Licence) -> dict[str, Any]:
    status = selectors.status_of(licence)
    return {"id": licence.pk, "identifier": licence.identifier or "", "number": licence.number,
            "version": licence.version, "type_code": licence.licence_type.code, "type_name": licence.licence_type.name,
            "title": licence.title, "holder_name": licence.holder_name, "department": licence.department.name,
            "issued_on": licence.issued_on, "valid_from": licence.valid_from, "valid_until": licence.valid_until,
            "status": status, "status_label": str(LicenceStatus(status).label),
            "download_url": request.build_absolute_uri(f"/api/v1/licenses/{licence.pk}/pdf"),
            "verify_url": request.build_absolute_uri(reverse("licenses:verify", args=[licence.verification_id]))}


@router.get("/licenses/verify/{key}", response=answers({200: LicenceVerifyOut}, 404), summary="Verify a licence")
def verify(request: HttpRequest, key: str, response: HttpResponse) -> Any:
    """The public verification (the QR code's key): key fields, personal data masked, the status
    as of now (never cached: a revocation shows at once) and the issued file's SHA-256."""
    licence = selectors.by_verification_id(key)
    if licence is None:
        raise HttpError(404, "No licence was issued under this key.")
    response["Cache-Control"] = "no-store"
    return _verify_out(request, licence)


@router.get("/licenses/mine", response=answers({200: list[LicenceOut]}, 401), auth=token_or_session,
            summary="My licences")
def mine(request: HttpRequest) -> Any:
    """我的证照: every issued licence the user (or their verified company) holds, newest first."""
    return [_licence_out(request, lic) for lic in selectors.licences_of(_user(request))[:200]]


@router.get("/licenses/{licence_id}/pdf", response=answers({200: None}, 401, 404), auth=token_or_session,
            openapi_extra={"responses": {200: {
                "description": "The signed licence PDF (PAdES B-T).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}},
            summary="Download a licence")
def download(request: HttpRequest, licence_id: int) -> Any:
    """For its holder, or the issuing department's staff (their read is on the trail)."""
    licence = Licence.objects.select_related("licence_type").filter(pk=licence_id).first()
    if licence is None:
        raise HttpError(404, "No such licence.")
    try:
        data = services.open_file(actor=_user(request), licence=licence)
    except services.Refused:
        raise HttpError(404, "No such licence.") from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, services.filename(licence)) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def _department_licence(request: HttpRequest, licence_id: int) -> Licence:
    licence = selectors.department_licences(_user(request)).filter(pk=licence_id).first()
    if licence is None:
        raise HttpError(404, "No such licence of your department.")
    return licence


@router.post("/licenses/{licence_id}/status", response=answers({200: LicenceOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Suspend, reinstate or revoke a licence")
def change_status(request: HttpRequest, licence_id: int, payload: LicenceStatusIn) -> Any:
    """The issuing department's officers and head only; on the trail."""
    licence = services.change_status(actor=_user(request), licence=_department_licence(request, licence_id),
                                     status=payload.status, reason=payload.reason)
    return _licence_out(request, Licence.objects.select_related("licence_type", "department").get(pk=licence.pk))


@router.post("/licenses/{licence_id}/renew", response=answers({202: LicenceOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Renew a licence")
def renew(request: HttpRequest, licence_id: int, payload: LicenceRenewIn) -> Any:
    """换发: a new version (same number, version + 1), issued by the worker; the old one becomes
    replaced once the new one is issued. The answer is the new licence (status: being issued)."""
    new = services.renew(actor=_user(request), licence=_department_licence(request, licence_id), reason=payload.reason)
    new = Licence.objects.select_related("licence_type", "department").get(pk=new.pk)
    return Status(202, _licence_out(request, new))
