"""Reads of the registries (each one checked by ``rules.check_access`` and put on the trail with
its case as the reason), once-only at submission, company representatives verified through the
company registry, and loading the local tables.

Reads are here, not in ``selectors.py``, because every one of them writes its trail entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from onetrip.accounts import services as accounts
from onetrip.accounts.models import CompanyStatus, Role, User
from onetrip.cases.models import Application, Case
from onetrip.cases.rules import Refused
from onetrip.catalog.models import MaterialRequirement
from onetrip.core import ratelimit, sms, trail
from onetrip.core.identity import (
    mask_mobile,
    mask_name,
    mask_resident_id,
    normalize_resident_id,
    normalize_uscc,
)
from onetrip.registries import rules
from onetrip.registries.models import (
    DelegationConfirmation,
    RegisteredCompany,
    RegisteredPerson,
    WaivedMaterial,
)
from onetrip.registries.providers import CompanyRecord, LicenceRecord, PersonRecord, provider

CODE_VALID_FOR = dt.timedelta(minutes=10)
CODE_MAX_TRIES = 5


def _masked(registry: str, key: str) -> str:
    """A record's key as the trail keeps it: ID numbers masked, USCCs (public) in full."""
    return key if registry == rules.COMPANY or not key[:17].isdigit() else mask_resident_id(key)


def _read(*, actor: User | None, case: Case | None, registry: str, key: str, purpose: str) -> Any:
    rules.check_access(actor=actor, case=case, registry=registry, key=key)
    assert case is not None
    source = provider()
    if registry == rules.POPULATION:
        record: Any = source.person(key)
    elif registry == rules.COMPANY:
        record = source.company(key)
    else:
        record = source.licences(key) or None
    with transaction.atomic():
        trail.record(actor=actor, action="registry.read", obj=case, summary={
            "number": case.number, "registry": registry, "record": _masked(registry, key), "found": record is not None,
            "provider": source.name, "purpose": purpose.strip()[:200]})
    return record


def lookup_person(*, actor: User | None, id_number: str, case: Case | None, purpose: str = "") -> PersonRecord | None:
    """The population registry's record of a person, for a case (``rules.check_access``); the read
    is on the case's trail. None when the registry holds no such person."""
    if case is None:  # the purpose is checked before the number, so nothing is read without one
        rules.check_access(actor=actor, case=None, registry=rules.POPULATION, key="")
    return _read(actor=actor, case=case, registry=rules.POPULATION, key=normalize_resident_id(id_number),
                 purpose=purpose)


def lookup_company(*, actor: User | None, uscc: str, case: Case | None, purpose: str = "") -> CompanyRecord | None:
    """The company registry's record of a company, for a case; the read is on the case's trail."""
    if case is None:
        rules.check_access(actor=actor, case=None, registry=rules.COMPANY, key="")
    return _read(actor=actor, case=case, registry=rules.COMPANY, key=normalize_uscc(uscc), purpose=purpose)


def lookup_licences(*, actor: User | None, holder_id: str, case: Case | None, purpose: str = "") -> list[LicenceRecord]:
    """The electronic licences of the case's applicant or company (filled by the licenses app)."""
    found = _read(actor=actor, case=case, registry=rules.LICENCE, key=holder_id.strip().upper(), purpose=purpose)
    return list(found or [])


# --- Once-only at submission ---------------------------------------------------------------------------


def supply_materials(*, actor: User | None, application: Application, cases: Sequence[Case]) -> list[WaivedMaterial]:
    """免提交: at submission every checklist material that a registry holds is taken from it, and
    the case records which (one ``WaivedMaterial`` per material, with the record as read). Each
    registry record is read once per submission, by the system, with the case as the reason;
    one trail entry per case names the materials. A record the registry does not hold is
    recorded as not found (the window clerk asks for it in the one-time notice, the checklist
    naming it). Called by the ``submitted`` hook of cases, inside the submission's transaction,
    with the cases just submitted (a repeated submission calls nothing; a second call for the same
    case fails on the unique constraint and rolls the submission back)."""
    by_version: dict[int, list[Any]] = {}
    for req in MaterialRequirement.objects.filter(version_id__in={c.version_id for c in cases}).exclude(
            registry="").order_by("version_id", "position", "id"):
        by_version.setdefault(req.version_id, []).append(req)
    if not by_version:
        return []  # nothing on these checklists comes from a registry: no read at all
    source = provider()
    cache: dict[tuple[str, str], Any] = {}
    per_case: list[tuple[Case, list[WaivedMaterial]]] = []
    for case in cases:
        rows = []
        for req in by_version.get(case.version_id, []):
            key = rules.subject_of(case, req.registry)
            if (req.registry, key) not in cache:
                cache[(req.registry, key)] = _supplied(source, req.registry, key)
            snapshot = cache[(req.registry, key)]
            rows.append(WaivedMaterial(case=case, name=req.name, registry=req.registry, reference=key,
                                       provider=source.name, snapshot=snapshot or {}, found=snapshot is not None))
        if rows:
            per_case.append((case, rows))
    made = WaivedMaterial.objects.bulk_create([r for _case, rows in per_case for r in rows])
    for case, rows in per_case:
        trail.record(actor=None, action="registry.supply", obj=case, summary={
            "number": case.number, "provider": source.name,
            "supplied": [{"name": r.name, "registry": r.registry, "record": _masked(r.registry, r.reference),
                           "found": r.found} for r in rows]})
    return made


def _supplied(source: Any, registry: str, key: str) -> dict[str, Any] | None:
    """The snapshot a registry gives for a material, or None (no subject, no record, or a record
    that cannot stand in for the material: a company that is no longer active, no valid licence)."""
    if not key:
        return None
    if registry == rules.POPULATION:
        person = source.person(key)
        return person.snapshot() if person else None
    if registry == rules.COMPANY:
        company = source.company(key)
        return company.snapshot() if company and company.is_active else None
    if registry == rules.LICENCE:
        valid = [lic for lic in source.licences(key) if lic.status == "valid"]
        return valid[0].snapshot() if valid else None
    return None  # the e-archive has no provider yet


def case_records(*, actor: User, case: Case) -> list[dict[str, Any]]:
    """What the workbench shows of the records that stood in for materials: masked except what the
    officer needs (the person's name and ID number masked as the applicant's are on the workbench;
    sex, date of birth and household address, which conditions turn on, and the company's public
    data in full). Showing them is a
    view of personal data, on the case's trail."""
    waived = list(case.waived_materials.all())  # type: ignore[attr-defined]
    if not any(w.found for w in waived):
        return [{"material": w.name, "registry": w.registry, "found": False, "at": w.created_at, "rows": []}
                for w in waived]  # nothing personal to show: no view to record
    out = [{"material": w.name, "registry": w.registry, "found": w.found, "at": w.created_at,
            "rows": masked_rows(w.registry, w.snapshot)} for w in waived]
    with transaction.atomic():
        trail.record(actor=actor, action="personal_data.view", obj=case, summary={
            "number": case.number, "registry_records": sorted({w.name for w in waived if w.found})})
    return out


def masked_rows(registry: str, snapshot: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A registry snapshot as labelled lines, ID numbers masked, codes turned into words."""
    from onetrip.registries.models import CompanyKind, CompanyState, Sex

    if not snapshot:
        return []
    if registry == rules.POPULATION:
        return [(_("Name"), mask_name(snapshot.get("name", ""))),  # as the workbench shows the applicant's
                (_("Resident ID number"), mask_resident_id(snapshot.get("id_number", ""))),
                (_("Sex"), str(dict(Sex.choices).get(snapshot.get("sex", ""), ""))),
                (_("Date of birth"), snapshot.get("birth_date", "")),
                (_("Household address"), snapshot.get("household_address", ""))]
    if registry == rules.COMPANY:
        return [(_("Name"), snapshot.get("name", "")),
                (_("Unified social credit code"), snapshot.get("uscc", "")),
                (_("Type"), str(dict(CompanyKind.choices).get(snapshot.get("kind", ""), ""))),
                (_("Legal representative"), snapshot.get("legal_representative", "")),
                (_("Legal representative's ID number"),
                 mask_resident_id(snapshot.get("legal_representative_id_number", ""))),
                (_("Address"), snapshot.get("address", "")),
                (_("Status"), str(dict(CompanyState.choices).get(snapshot.get("status", ""), ""))),
                (_("Established on"), snapshot.get("established_on", ""))]
    return [(_("Licence"), f"{snapshot.get('kind', '')} {snapshot.get('number', '')}"),
            (_("Holder"), snapshot.get("holder_name", "")),
            (_("Issued by"), snapshot.get("issuer", "")),
            (_("Valid until"), snapshot.get("valid_until") or _("No end date"))]


# --- Company representatives verified through the company registry -----------------------------------


def _representative(actor: User) -> tuple[User, CompanyRecord]:
    if actor.role != Role.COMPANY_REP or actor.company_id is None:
        raise Refused(_("Only a company representative's account is verified this way."), code="forbidden")
    record = provider().company(actor.company.uscc)  # type: ignore[union-attr]
    if record is None:
        raise Refused(_("The company registry does not know this company: a window clerk verifies you "
                        "with the company's authorisation."), code="not_in_registry")
    if not record.is_active:
        raise Refused(_("The company registry shows the company as no longer active."), code="company_not_active")
    return actor, record


def verify_by_registry(*, actor: User) -> User:
    """企业经办人核验 by ID: a representative whose resident ID number is the legal representative's
    in the company registry is verified at once (``rules.is_legal_representative``)."""
    if actor.company_status == CompanyStatus.VERIFIED:
        return actor
    user, record = _representative(actor)
    if not rules.is_legal_representative(user, record):
        raise Refused(_("Your ID number is not the legal representative's in the company registry. Ask the legal "
                        "representative to confirm you by the code sent to their mobile."), code="not_legal_rep")
    return accounts.verify_company_representative_from_registry(
        actor=actor, user_id=actor.pk, how=_("The company registry names this person as legal representative."))


CODE_KEY = "onetrip.registries.DelegationConfirmation"


def _hash(salt: str, code: str) -> str:
    return sms.code_hash(CODE_KEY, salt, code)


def send_delegation_code(*, actor: User, client: str) -> DelegationConfirmation:
    """The legal representative confirms the delegation: a 6-digit code goes by SMS to the mobile the
    company registry holds for them (never to one the representative types), saying who asks; the
    representative enters it. Rate-limited per mobile, per representative and per address."""
    user, record = _representative(actor)
    if user.company_status == CompanyStatus.VERIFIED:
        raise Refused(_("Your account is verified already."), code="wrong_state")
    mobile = record.legal_representative_mobile
    if not mobile:
        raise Refused(_("The company registry holds no mobile for the legal representative: a window clerk "
                        "verifies you with the company's authorisation."), code="no_mobile")
    window = dt.timedelta(hours=1)
    limits = [
        ratelimit.hit(f"delegation-code:mobile:{mobile}", limit=settings.SMS_CODES_PER_MOBILE_PER_HOUR, window=window),
        ratelimit.hit(f"delegation-code:user:{user.pk}", limit=settings.SMS_CODES_PER_MOBILE_PER_HOUR, window=window),
        ratelimit.hit(f"delegation-code:address:{client}", limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR,
                      window=window),
    ]
    if not all(limits):
        raise Refused(_("Too many codes sent; try again in an hour."), code="throttled")
    code, salt, hashed = sms.new_code(CODE_KEY)
    now = timezone.now()
    text = _("[%(site)s] %(name)s (ID %(id)s) asks to act for %(company)s on OneTrip. If you, the legal "
             "representative, agree, give them the code %(code)s (valid %(minutes)s minutes). If not, ignore "
             "this message.") % {
        "site": settings.SITE_NAME, "name": user.real_name, "id": mask_resident_id(user.resident_id),
        "company": record.name, "code": code, "minutes": int(CODE_VALID_FOR.total_seconds() // 60)}
    with transaction.atomic():
        DelegationConfirmation.objects.filter(representative=user, confirmed_at__isnull=True).update(expires_at=now)
        confirmation = DelegationConfirmation.objects.create(
            representative=user, uscc=record.uscc, mobile=mobile, salt=salt, code_hash=hashed,
            expires_at=now + CODE_VALID_FOR)
        trail.record(actor=user, action="company_rep.delegation_code_sent", obj=user,
                     summary={"company": record.uscc, "mobile": mask_mobile(mobile)})
        sms.send_code_after_commit(mobile, text, "a delegation code")
    return confirmation


def confirm_delegation(*, actor: User, confirmation_id: int, code: str) -> User:
    """The representative enters the code the legal representative gave them: verified. A wrong code
    uses one of its tries; an expired or used-up code needs a new one."""
    if actor.role != Role.COMPANY_REP or actor.company_id is None:
        raise Refused(_("Only a company representative's account is verified this way."), code="forbidden")
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        confirmation = (DelegationConfirmation.objects.select_for_update()
                        .filter(pk=confirmation_id, representative=actor).first())
        live = (confirmation is not None and confirmation.confirmed_at is None and confirmation.expires_at > now
                and confirmation.tries < CODE_MAX_TRIES and actor.company_id is not None
                and confirmation.uscc == actor.company.uscc)  # type: ignore[union-attr]
        if live and confirmation is not None:
            if len(code) == 6 and code.isdigit() and constant_time_compare(_hash(confirmation.salt, code),
                                                                           confirmation.code_hash):
                confirmation.confirmed_at = now
                confirmation.code_hash = ""
                confirmation.save(update_fields=["confirmed_at", "code_hash"])
                return accounts.verify_company_representative_from_registry(
                    actor=actor, user_id=actor.pk,
                    how=_("The legal representative confirmed the delegation by the code sent to %(m)s.") % {
                        "m": mask_mobile(confirmation.mobile)})
            confirmation.tries += 1
            confirmation.save(update_fields=["tries"])
    raise ValidationError({"code": [_("This code is wrong or has expired. Ask the legal representative again, "
                                      "or send a new code.")]})


def check_company_applicant(*, actor: User, company: Any) -> None:
    """The ``company_applicant`` hook of cases: a company the registry shows as revoked or
    deregistered cannot apply (``rules.company_may_apply``)."""
    if not rules.company_may_apply(provider().company(company.uscc)):
        raise Refused(_("The company registry shows %(c)s as no longer active: it cannot apply.") % {"c": company.name},
                      code="company_not_active")


# --- Loading the local tables --------------------------------------------------------------------------


def import_records(*, actor: User | None, people: Iterable[Mapping[str, Any]] = (),
                   companies: Iterable[Mapping[str, Any]] = ()) -> tuple[int, int]:
    """Load an extract into the local registry tables (new records added, known ones updated), every
    record checked first (ID and USCC check characters); all or nothing, one trail entry."""
    people_rows = [_person(p) for p in people]
    company_rows = [_company(c) for c in companies]
    with transaction.atomic():
        known_people = set(RegisteredPerson.objects.filter(
            id_number__in=[p.id_number for p in people_rows]).values_list("id_number", flat=True))
        RegisteredPerson.objects.bulk_create([p for p in people_rows if p.id_number not in known_people])
        for p in people_rows:
            if p.id_number in known_people:
                RegisteredPerson.objects.filter(id_number=p.id_number).update(
                    name=p.name, sex=p.sex, birth_date=p.birth_date, household_address=p.household_address,
                    updated_at=timezone.now())
        known_companies = set(RegisteredCompany.objects.filter(
            uscc__in=[c.uscc for c in company_rows]).values_list("uscc", flat=True))
        RegisteredCompany.objects.bulk_create([c for c in company_rows if c.uscc not in known_companies])
        for c in company_rows:
            if c.uscc in known_companies:
                RegisteredCompany.objects.filter(uscc=c.uscc).update(
                    name=c.name, kind=c.kind, legal_representative=c.legal_representative,
                    legal_representative_id_number=c.legal_representative_id_number,
                    legal_representative_mobile=c.legal_representative_mobile, address=c.address, status=c.status,
                    established_on=c.established_on, updated_at=timezone.now())
        trail.record(actor=actor, action="registry.import", object_type="registries.registry", object_id="local",
                     summary={"people": len(people_rows), "companies": len(company_rows)})
    return len(people_rows), len(company_rows)


def _person(data: Mapping[str, Any]) -> RegisteredPerson:
    person = RegisteredPerson(**{**data, "id_number": normalize_resident_id(str(data.get("id_number", "")))})
    person.full_clean(validate_unique=False)
    return person


def _company(data: Mapping[str, Any]) -> RegisteredCompany:
    company = RegisteredCompany(**{**data, "uscc": normalize_uscc(str(data.get("uscc", ""))),
                                   "legal_representative_id_number": normalize_resident_id(
                                       str(data.get("legal_representative_id_number", "")))})
    company.full_clean(validate_unique=False)
    return company
