"""The shared registries over the API (mounted under ``/api/v1``): lookups in the population and
company registries, always for a case (``?case=`` its number: the purpose, kept on the case's
trail), by whoever ``registries.rules.check_access`` lets read that record for that case; and a
company representative's verification through the company registry.

Refusals: no case named 400 (``no_purpose``); a case the caller may not see 404; a record the
case is not about, or a role that may not read it for this case, 403."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from onetrip.accounts.models import User
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.cases import selectors as case_selectors
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused
from onetrip.core.identity import mask_mobile, mask_resident_id
from onetrip.core.ratelimit import client_address
from onetrip.registries import services
from onetrip.registries.models import CompanyKind, CompanyState, Sex

router = Router(tags=["registries"])

CASE = Query(None, max_length=30, pattern=r"^\S+$", description=(
    "The number of the case this lookup is for (its purpose, kept on the case's trail). Without it the "
    "lookup is refused (400, code no_purpose)."))
PURPOSE = Query("", max_length=200, description="Why, in a few words (kept on the trail).")


class PersonOut(Schema):
    name: str
    id_number: str = Field(..., description="Masked: the caller knows the number they looked up.")
    sex: Literal["male", "female"]
    sex_label: str
    birth_date: dt.date
    household_address: str


class PersonLookupOut(Schema):
    found: bool
    source: str = Field(..., description="The registry provider that answered.")
    person: PersonOut | None


class CompanyOut(Schema):
    uscc: str
    name: str
    kind: str
    kind_label: str
    legal_representative: str
    legal_representative_id_number: str = Field(..., description="Masked.")
    address: str
    status: Literal["active", "suspended", "revoked", "cancelled"]
    status_label: str
    established_on: dt.date


class CompanyLookupOut(Schema):
    found: bool
    source: str
    company: CompanyOut | None


class VerificationOut(Schema):
    status: Literal["", "pending", "verified", "rejected"]
    status_label: str


class DelegationCodeOut(Schema):
    id: int
    mobile: str = Field(..., description="The legal representative's mobile, masked, where the code went.")
    expires_at: dt.datetime


class CodeIn(Schema):
    code: str = text(max_length=6, description="The 6-digit code the legal representative received.")


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _case(request: HttpRequest, number: str | None) -> Case:
    if not number:
        raise Refused("A registry is read only for a case: name the case (?case=) you need it for.",
                      code="no_purpose")
    case = (case_selectors.visible_cases(_user(request)).select_related("application__company")
            .filter(number=number).first())
    if case is None:
        raise Refused(f"No case {number} that you may see.", code="not_found")
    return case


@router.get("/registries/people/{id_number}", response=answers({200: PersonLookupOut}, 400, 401, 403, 404),
            auth=token_or_session)
def lookup_person(request: HttpRequest, id_number: str, case: str | None = CASE, purpose: str = PURPOSE) -> Any:
    """The population registry's record of the case's applicant (masked ID number). Every read is on
    the case's trail; without a case it is refused."""
    the_case = _case(request, case)
    from onetrip.registries.providers import provider

    record = services.lookup_person(actor=_user(request), id_number=id_number, case=the_case, purpose=purpose)
    person = None if record is None else {
        "name": record.name, "id_number": mask_resident_id(record.id_number), "sex": record.sex,
        "sex_label": str(dict(Sex.choices).get(record.sex, "")), "birth_date": record.birth_date,
        "household_address": record.household_address}
    return {"found": record is not None, "source": record.source if record else provider().name, "person": person}


@router.get("/registries/companies/{uscc}", response=answers({200: CompanyLookupOut}, 400, 401, 403, 404),
            auth=token_or_session)
def lookup_company(request: HttpRequest, uscc: str, case: str | None = CASE, purpose: str = PURPOSE) -> Any:
    """The company registry's record of the case's company. Every read is on the case's trail."""
    the_case = _case(request, case)
    from onetrip.registries.providers import provider

    record = services.lookup_company(actor=_user(request), uscc=uscc, case=the_case, purpose=purpose)
    company = None if record is None else {
        "uscc": record.uscc, "name": record.name, "kind": record.kind,
        "kind_label": str(dict(CompanyKind.choices).get(record.kind, "")),
        "legal_representative": record.legal_representative,
        "legal_representative_id_number": mask_resident_id(record.legal_representative_id_number),
        "address": record.address, "status": record.status,
        "status_label": str(dict(CompanyState.choices).get(record.status, "")), "established_on": record.established_on}
    return {"found": record is not None, "source": record.source if record else provider().name, "company": company}


def _verification(user: User) -> dict[str, Any]:
    return {"status": user.company_status, "status_label": str(user.get_company_status_display())}


@router.post("/registries/representative/verify", response=answers({200: VerificationOut}, 400, 401, 403),
             auth=token_or_session)
def verify_representative(request: HttpRequest) -> Any:
    """A company representative whose resident ID is the legal representative's in the company
    registry is verified at once; otherwise 400 ``not_legal_rep`` (ask for the legal representative's
    confirmation instead)."""
    return _verification(services.verify_by_registry(actor=_user(request)))


@router.post("/registries/representative/delegation-code", response=answers({201: DelegationCodeOut}, 400, 401, 403,
                                                                               429), auth=token_or_session)
def send_delegation_code(request: HttpRequest) -> Any:
    """Send a code to the mobile the company registry holds for the legal representative; they give
    it to the representative if they agree."""
    confirmation = services.send_delegation_code(actor=_user(request), client=client_address(request))
    return Status(201, {"id": confirmation.pk, "mobile": mask_mobile(confirmation.mobile),
                 "expires_at": confirmation.expires_at})


@router.post("/registries/representative/delegation-code/{confirmation_id}/confirm",
             response=answers({200: VerificationOut}, 400, 401, 403), auth=token_or_session)
def confirm_delegation(request: HttpRequest, confirmation_id: int, payload: CodeIn) -> Any:
    """Enter the legal representative's code: verified. A wrong or expired code is a 400."""
    return _verification(services.confirm_delegation(actor=_user(request), confirmation_id=confirmation_id,
                                                     code=payload.code))



