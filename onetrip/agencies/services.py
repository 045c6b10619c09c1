"""Writes of the intermediary marketplace. Each is one transaction with the acting user explicit,
checked before anything is written (``Refused`` or ``ValidationError``, nothing half-written), and
each puts its entry on the trail. The purchase's state changes go through one mover (``_move``)
that checks them against ``actions.TABLE``."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department, User
from onetrip.agencies import actions, keystore, notifications, rules
from onetrip.agencies.models import (
    Agency,
    AgencyOffer,
    AgencyRating,
    AgencyState,
    Bid,
    MeritScore,
    Method,
    Objection,
    Purchase,
    PurchaseState,
    Qualification,
    ServicePause,
    ServiceType,
    SignUp,
    Violation,
    ViolationKind,
)
from onetrip.cases.models import Case, CaseMaterial
from onetrip.cases.rules import Refused, check_length
from onetrip.cases.services.intake import checklist, may_edit_materials
from onetrip.cases.uploads import check, save_with_file
from onetrip.catalog.models import ServiceItem
from onetrip.core import outbox, trail
from onetrip.core.identity import normalize_mobile, normalize_uscc
from onetrip.registries.providers import provider
from onetrip.workcalendar import workdays


def _need(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _admin(actor: User | None) -> User:
    if actor is None or not rules.is_admin(actor):
        raise Refused(_("Only the marketplace admin may do this."), code="forbidden")
    return actor


def _agency_user(actor: User | None, agency: Agency) -> User:
    if actor is None or not rules.acts_for(actor, agency):
        raise Refused(_("Only the agency's own accounts may do this."), code="not_yours")
    return actor


def _warning() -> int:
    return int(getattr(settings, "AGENCIES_WARNING_WORKDAYS", 2))


# --- the catalogue of service types --------------------------------------------------------------


def save_service_type(*, actor: User, code: str, name: str, description: str = "",
                      items: Iterable[ServiceItem] = ()) -> ServiceType:
    """Create or update an intermediary service type and the approval items that need it."""
    _admin(actor)
    code = check_length("code", _need("code", code, _("Give the service type a code.")), 32)
    name = check_length("name", _need("name", name, _("Give the service type a name.")), 100)
    with transaction.atomic():
        st, created = ServiceType.objects.update_or_create(code=code, defaults={"name": name,
                                                                                 "description": description.strip()})
        st.items.set(list(items))
        trail.record(actor=actor, action="agencies.service_type", obj=st, summary={
            "code": code, "name": name, "created": created, "items": sorted(i.code for i in st.items.all())})
    return st


# --- agencies ------------------------------------------------------------------------------------


def register_agency(*, actor: User, name: str, uscc: str, contact_name: str, contact_phone: str,
                    address: str = "", introduction: str = "", staff_count: int = 0) -> Agency:
    """入驻登记: an agency registers (a draft, the registering account its first owner). The USCC is
    checked with its check character here and against the company registry when submitted."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Refused(_("Sign in to register an agency."), code="forbidden")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the agency's registered name.")]
    try:
        code = normalize_uscc(uscc or "")
    except ValidationError as exc:
        errors["uscc"] = list(exc.messages)
        code = ""
    if not (contact_name or "").strip():
        errors["contact_name"] = [_("Give a contact person.")]
    try:
        phone = normalize_mobile(contact_phone or "")
    except ValidationError as exc:
        errors["contact_phone"] = list(exc.messages)
        phone = ""
    if staff_count < 0:
        errors["staff_count"] = [_("A number of people, 0 or more.")]
    if errors:
        raise ValidationError(errors)
    check_length("name", name, 200)
    check_length("address", address.strip(), 200)
    check_length("introduction", introduction.strip(), 4000)
    with transaction.atomic():
        if Agency.objects.filter(uscc=code).exists():
            raise ValidationError({"uscc": [_("An agency with this code is registered already.")]})
        try:
            with transaction.atomic():
                agency = Agency.objects.create(name=name, uscc=code, contact_name=contact_name.strip()[:50],
                                               contact_phone=phone, address=address.strip(),
                                               introduction=introduction.strip(), staff_count=staff_count)
        except IntegrityError:
            raise ValidationError({"uscc": [_("An agency with this code is registered already.")]}) from None
        agency.owners.add(actor)
        trail.record(actor=actor, action="agencies.register", obj=agency, summary={"name": name, "uscc": code})
    return agency


def _editable(agency: Agency) -> None:
    if agency.state == AgencyState.BLACKLISTED:
        raise Refused(_("A blacklisted agency cannot change its record."), code="wrong_state")


def add_qualification(*, actor: User, agency: Agency, service_type: ServiceType, name: str, level: str,
                      certificate_no: str, issued_by: str, valid_from: dt.date, valid_to: dt.date,
                      stream: IO[bytes] | None = None, original_name: str = "") -> Qualification:
    """A qualification certificate with its scanned copy (PDF or image, stored with its SHA-256).
    A published agency's new qualification counts at once (the admin sees it on the record)."""
    _agency_user(actor, agency)
    _editable(agency)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Name the qualification.")]
    if not (certificate_no or "").strip():
        errors["certificate_no"] = [_("Give the certificate number.")]
    if not (issued_by or "").strip():
        errors["issued_by"] = [_("Give the issuing authority.")]
    if valid_to < valid_from:
        errors["valid_to"] = [_("The end of validity comes before its start.")]
    if errors:
        raise ValidationError(errors)
    checked = check(stream) if stream is not None else None
    with transaction.atomic():
        if Qualification.objects.filter(agency=agency, certificate_no=certificate_no.strip()).exists():
            raise ValidationError({"certificate_no": [_("This certificate is recorded already.")]})
        q = Qualification(agency=agency, service_type=service_type, name=name.strip()[:100], level=level.strip()[:50],
                          certificate_no=certificate_no.strip()[:64], issued_by=issued_by.strip()[:100],
                          valid_from=valid_from, valid_to=valid_to)
        if checked is not None:
            q.sha256 = checked.sha256
            save_with_file(q, checked)
        else:
            q.save()
        trail.record(actor=actor, action="agencies.qualification", obj=agency, summary={
            "qualification": q.pk, "service_type": service_type.code, "name": q.name, "level": q.level,
            "certificate_no": q.certificate_no, "valid_to": str(valid_to), "sha256": q.sha256,
            "file": (original_name or "")[-100:]})
    return q


def set_offer(*, actor: User, agency: Agency, service_type: ServiceType, fee_standard: str) -> AgencyOffer:
    """The agency offers a service type, with its fee standard."""
    _agency_user(actor, agency)
    _editable(agency)
    fee = check_length("fee_standard", _need("fee_standard", fee_standard, _("State the fee standard.")), 500)
    if not service_type.active:
        raise ValidationError({"service_type": [_("This service type is not offered in the marketplace.")]})
    with transaction.atomic():
        offer, _created = AgencyOffer.objects.update_or_create(agency=agency, service_type=service_type,
                                                               defaults={"fee_standard": fee})
        trail.record(actor=actor, action="agencies.offer", obj=agency,
                     summary={"service_type": service_type.code, "fee_standard": fee})
    return offer


def sign_commitment(*, actor: User, agency: Agency) -> Agency:
    """信用承诺: the agency signs the marketplace's commitment (honest materials, no collusion, the
    time limits kept)."""
    _agency_user(actor, agency)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        agency.commitment_signed_at = timezone.now()
        agency.save(update_fields=["commitment_signed_at"])
        trail.record(actor=actor, action="agencies.commitment", obj=agency, summary={"uscc": agency.uscc})
    return agency


def submit_agency(*, actor: User, agency: Agency) -> Agency:
    """The agency asks to be published: commitment signed, at least one offer and one
    qualification; and the company registry must know the USCC as an active organisation
    (the registry's name is kept beside the one given)."""
    _agency_user(actor, agency)
    # The registry read is on the trail whatever comes of the submission.
    record = provider().company(agency.uscc)
    with transaction.atomic():
        trail.record(actor=actor, action="agencies.registry_check", obj=agency, summary={
            "uscc": agency.uscc, "found": record is not None, "active": bool(record and record.is_active)})
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.state != AgencyState.DRAFT:
            raise Refused(_("Only a draft is submitted for review."), code="wrong_state")
        if agency.commitment_signed_at is None:
            raise Refused(_("Sign the commitment first."), code="no_commitment")
        if not agency.offers.exists() or not agency.qualifications.exists():
            raise Refused(_("Add at least one service offered and one qualification first."), code="incomplete")
        if record is None or not record.is_active:
            raise Refused(_("The company registry does not show this code as an active organisation."),
                          code="not_in_registry")
        agency.registry_name = record.name[:200]
        agency.registry_checked_at = timezone.now()
        agency.state = AgencyState.SUBMITTED
        agency.state_reason = ""
        agency.save()
        trail.record(actor=actor, action="agencies.submit", obj=agency,
                     summary={"uscc": agency.uscc, "registry_name": agency.registry_name})
    return agency


def review_agency(*, actor: User, agency: Agency, publish: bool, reasons: str = "") -> Agency:
    """The marketplace admin publishes a submitted agency, or sends it back with reasons."""
    _admin(actor)
    if not publish:
        reasons = _need("reasons", reasons, _("Give the reasons for sending it back."))
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.state != AgencyState.SUBMITTED:
            raise Refused(_("Only a submitted agency is reviewed."), code="wrong_state")
        agency.state = AgencyState.PUBLISHED if publish else AgencyState.DRAFT
        agency.state_reason = reasons.strip()[:1000]
        if publish:
            agency.published_at = timezone.now()
        agency.save()
        trail.record(actor=actor, action="agencies.publish" if publish else "agencies.send_back", obj=agency,
                     summary={"uscc": agency.uscc, "reasons": agency.state_reason})
    return agency


def decide_violation(*, actor: User, agency: Agency, kind: str, penalty: str, until: dt.date, reasons: str,
                     purchase: Purchase | None = None) -> Violation:
    """违规处理: the admin records a violation (collusive bids, false materials, refusing a contract
    after winning, abandoned work) and suspends or blacklists the agency until a date, with reasons.
    It counts against the agency's credit for three years."""
    _admin(actor)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in ViolationKind.values:
        errors["kind"] = [_("Choose the kind of violation.")]
    if not rules.penalty_allowed(penalty, until, today):
        errors["until"] = [_("Suspend or blacklist until a date after today, at most %(y)s years ahead.") % {
            "y": getattr(settings, "AGENCIES_MAX_PENALTY_YEARS", 3)}]
    if not (reasons or "").strip():
        errors["reasons"] = [_("Give the reasons.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        v = Violation.objects.create(agency=agency, kind=kind, purchase=purchase, penalty=penalty, until=until,
                                     reasons=reasons.strip()[:1000], by=actor, on=today)
        # A bar still in force is never shortened: the later date holds, and a blacklisting in force
        # stays a blacklisting when a suspension is added.
        in_force = rules.barred_on(agency, today) and agency.state_until is not None
        if not (in_force and agency.state == AgencyState.BLACKLISTED):
            agency.state = penalty
        agency.state_until = max(until, agency.state_until) if in_force and agency.state_until else until
        agency.state_reason = v.reasons
        agency.save()
        trail.record(actor=actor, action="agencies.violation", obj=agency, summary={
            "kind": kind, "penalty": penalty, "until": str(until), "reasons": v.reasons,
            "purchase": purchase.number if purchase else ""})
    return v


# --- purchases -----------------------------------------------------------------------------------


def _number(today: dt.date) -> str:
    return f"ZJ{today:%Y%m%d}{secrets.token_hex(3).upper()}"


def _decimal(field: str, value: Any) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Give an amount in yuan.")]}) from None
    if not d.is_finite() or d <= 0 or d >= Decimal("1e10") or d != d.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Give an amount in yuan above zero, at most two decimals.")]})
    return d


def qualified_agencies(service_type: ServiceType, on: dt.date, level: str = "") -> list[Agency]:
    """Every agency eligible for the service type on the day (``rules.eligible``)."""
    found = Agency.objects.filter(offers__service_type=service_type).distinct().order_by("uscc")
    return [a for a in found if rules.eligible(a, service_type, on, level=level)]


def create_purchase(*, actor: User, owner_name: str, project: str, service_type: ServiceType, price_ceiling: Any,
                    service_workdays: int, method: str, signup_deadline: dt.datetime, contact_name: str,
                    contact_phone: str, required_qualification: str = "", criteria: Sequence[Mapping[str, Any]] = (),
                    case: Case | None = None) -> Purchase:
    """采购公告, a draft: the project owner (a company or citizen, or a public unit's staff) names the
    project, the service, the qualification level needed, the price ceiling, the service's time
    limit in working days, the selection method, the sign-up deadline and a contact."""
    if not rules.may_post(actor):
        raise Refused(_("Only a project owner (a company, a citizen or a public unit) posts purchases."),
                      code="forbidden")
    errors: dict[str, list[str]] = {}
    for field, value, message in (("owner_name", owner_name, _("Name the project owner.")),
                                  ("project", project, _("Name the project.")),
                                  ("contact_name", contact_name, _("Give a contact person."))):
        if not (value or "").strip():
            errors[field] = [message]
    try:
        ceiling = _decimal("price_ceiling", price_ceiling)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        ceiling = Decimal(0)
    try:
        phone = normalize_mobile(contact_phone or "")
    except ValidationError as exc:
        errors["contact_phone"] = list(exc.messages)
        phone = ""
    if not isinstance(service_workdays, int) or not 1 <= service_workdays <= 365:
        errors["service_workdays"] = [_("Give the service's time limit: 1 to 365 working days.")]
    if method not in Method.values:
        errors["method"] = [_("Choose the selection method.")]
    if not service_type.active:
        errors["service_type"] = [_("This service type is not offered in the marketplace.")]
    if signup_deadline <= timezone.now():
        errors["signup_deadline"] = [_("The sign-up deadline must be in the future.")]
    clean_criteria: list[dict[str, Any]] = []
    if method == Method.MERIT:
        clean_criteria = [{"name": str(c.get("name", "")).strip()[:100], "weight": c.get("weight")} for c in criteria]
        if rules.check_criteria(clean_criteria):
            errors["criteria"] = [_("Give each criterion a name and a whole-number weight; the weights add up "
                                    "to 100.")]
    if errors:
        raise ValidationError(errors)
    if method == Method.DIRECT and not rules.direct_allowed(
            ceiling, len(qualified_agencies(service_type, timezone.localdate(), required_qualification))):
        raise ValidationError({"method": [_("Direct selection is allowed only below %(p)s yuan or with fewer than "
                                            "%(n)s qualified agencies.") % {
            "p": rules.direct_max_price(), "n": getattr(settings, "AGENCIES_DIRECT_MIN_CANDIDATES", 3)}]})
    if case is not None and case.application.applicant_id != actor.pk:
        raise Refused(_("This is not your case."), code="not_yours")
    check_length("project", project.strip(), 200)
    check_length("owner_name", owner_name.strip(), 200)
    department = case.department if case is not None else Department.objects.filter(
        code=getattr(settings, "AGENCIES_SUPERVISING_DEPARTMENT", "") or "-").first()
    with transaction.atomic():
        p = Purchase.objects.create(
            number=_number(timezone.localdate()), owner=actor, owner_name=owner_name.strip(), project=project.strip(),
            service_type=service_type, required_qualification=required_qualification.strip()[:50],
            price_ceiling=ceiling, service_workdays=service_workdays, method=method,
            signup_deadline=signup_deadline, contact_name=contact_name.strip()[:50], contact_phone=phone,
            criteria=clean_criteria, case=case, department=department)
        trail.record(actor=actor, action="agencies.purchase_create", obj=p, summary={
            "number": p.number, "project": p.project, "service_type": service_type.code, "method": method,
            "price_ceiling": str(ceiling), "signup_deadline": signup_deadline.isoformat(),
            "service_workdays": service_workdays})
    return p


def _lock(purchase: Purchase) -> Purchase:
    fresh = Purchase.objects.select_for_update(of=("self",)).select_related("service_type").filter(
        pk=purchase.pk).first()
    if fresh is None:
        raise Refused(_("No such purchase."), code="not_found")
    return fresh


def _move(*, purchase: Purchase, action: str, target: str, actor: User | None, summary: Mapping[str, Any]) -> None:
    """The one mover: checks the transition against ``actions.TABLE``, saves, writes the trail."""
    if not actions.allowed(action, purchase.state, target):
        a = actions.TABLE.get(action)
        raise Refused(_("“%(a)s” is not possible while the purchase is “%(s)s”.") % {
            "a": a.label if a else action, "s": purchase.get_state_display()}, code="wrong_state")
    before = purchase.state
    purchase.state = target
    purchase.clock_recompute(today=timezone.localdate(), warning_workdays=_warning())
    purchase.save()
    trail.record(actor=actor, action=f"agencies.{action}", obj=purchase, summary={
        "number": purchase.number, "from": before, "to": target, **summary})


def _check_state(purchase: Purchase, action: str) -> None:
    a = actions.TABLE[action]
    if purchase.state not in a.sources:
        raise Refused(_("“%(a)s” is not possible while the purchase is “%(s)s”.") % {
            "a": a.label, "s": purchase.get_state_display()}, code="wrong_state")


def _owner(actor: User | None, purchase: Purchase) -> User:
    if actor is None or not rules.owns(actor, purchase):
        raise Refused(_("Only the project owner may do this."), code="not_yours")
    return actor


def publish_purchase(*, actor: User, purchase: Purchase) -> Purchase:
    """发布: the announcement is published. A random seed is made and kept in a key file; its
    SHA-256 is published now (the commitment), the seed itself after the deadline."""
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "publish")
        if p.signup_deadline <= timezone.now():
            raise Refused(_("The sign-up deadline has passed: change it before publishing."), code="deadline_passed")
        seed = keystore.store_seed(p.number, rules.new_seed())
        p.seed_hash = rules.seed_hash(seed)
        p.published_at = timezone.now()
        _move(purchase=p, action="publish", target=PurchaseState.PUBLISHED, actor=actor,
              summary={"seed_hash": p.seed_hash, "signup_deadline": p.signup_deadline.isoformat()})
    return p


def cancel_purchase(*, actor: User, purchase: Purchase, reasons: str) -> Purchase:
    reasons = _need("reasons", reasons, _("Give the reasons for cancelling."))
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        p.result_note = reasons[:1000]
        _move(purchase=p, action="cancel", target=PurchaseState.CANCELLED, actor=actor, summary={"reasons": reasons})
    return p


def sign_up(*, actor: User, purchase: Purchase, agency: Agency) -> SignUp:
    """报名: an eligible published agency signs up, strictly before the deadline. The purchase's row
    is locked first and the time read after the lock, so that a sign-up and the selection (which
    locks the same row after the deadline) are ordered: a sign-up either commits before the
    selection reads the list, or sees the deadline passed and is refused."""
    _agency_user(actor, agency)
    with transaction.atomic():
        p = _lock(purchase)
        now = timezone.now()
        if p.state != PurchaseState.PUBLISHED or not rules.signup_open(p.signup_deadline, now):
            raise Refused(_("Sign-ups for this purchase are closed."), code="closed")
        if p.method == Method.DIRECT:
            raise Refused(_("A purchase by direct selection takes no sign-ups."), code="no_signups")
        if not rules.eligible(agency, p.service_type, timezone.localdate(), level=p.required_qualification):
            raise Refused(_("The agency is not qualified for this service now."), code="not_eligible")
        if SignUp.objects.filter(purchase=p, agency=agency).exists():
            raise Refused(_("The agency has signed up already."), code="signed_up")
        try:
            with transaction.atomic():
                s = SignUp.objects.create(purchase=p, agency=agency, at=now, by=actor)
        except IntegrityError:
            raise Refused(_("The agency has signed up already."), code="signed_up") from None
        trail.record(actor=actor, action="agencies.sign_up", obj=p, summary={
            "number": p.number, "agency": agency.uscc, "at": now.isoformat()})
    return s


def submit_bid(*, actor: User, purchase: Purchase, agency: Agency, price: Any) -> Bid:
    """竞价: a signed-up agency's sealed bid, before the deadline. The price is encrypted with the
    purchase's key (a file outside the database); the row holds no plain price until opening.
    A second bid replaces the first while the deadline has not passed."""
    _agency_user(actor, agency)
    amount = _decimal("price", price)
    with transaction.atomic():
        p = _lock(purchase)
        now = timezone.now()
        if p.state != PurchaseState.PUBLISHED or not rules.signup_open(p.signup_deadline, now):
            raise Refused(_("Bids for this purchase are closed."), code="closed")
        if p.method != Method.PRICE:
            raise Refused(_("This purchase takes no price bids."), code="no_bids")
        if not SignUp.objects.filter(purchase=p, agency=agency).exists():
            raise Refused(_("Sign up before bidding."), code="not_signed_up")
        sealed = keystore.seal(p.number, amount)
        bid, created = Bid.objects.update_or_create(purchase=p, agency=agency,
                                                    defaults={"sealed": sealed, "at": now, "by": actor})
        trail.record(actor=actor, action="agencies.bid", obj=p, summary={
            "number": p.number, "agency": agency.uscc, "at": now.isoformat(), "replaced": not created})
    return bid


def open_bids(*, actor: User | None, purchase: Purchase) -> list[Bid]:
    """开标: the sealed prices, decrypted — refused before the deadline, whoever asks (staff
    included). Each opened price is written on its bid, with whether it is valid."""
    with transaction.atomic():
        p = _lock(purchase)
        return _open(p, actor)


def _open(p: Purchase, actor: User | None) -> list[Bid]:
    now = timezone.now()
    if not rules.may_open_bids(p.signup_deadline, now):
        raise Refused(_("Sealed bids are opened only after the deadline."), code="sealed")
    bids = list(Bid.objects.select_for_update().filter(purchase=p).select_related("agency").order_by("agency__uscc"))
    opened = []
    for b in bids:
        if b.opened_at is None:
            price = keystore.unseal(p.number, b.sealed)
            b.price = price
            b.valid = price is not None and rules.price_valid(price, p.price_ceiling)
            b.opened_at = now
            b.save(update_fields=["price", "valid", "opened_at"])
            opened.append({"agency": b.agency.uscc, "price": str(price), "valid": b.valid})
    if opened:
        trail.record(actor=actor, action="agencies.open_bids", obj=p, summary={"number": p.number, "bids": opened})
    return bids


def record_scores(*, actor: User, purchase: Purchase, agency: Agency, scores: Mapping[str, Any]) -> list[MeritScore]:
    """择优: the owner's panel records an agency's score (0..100) on each published criterion, after the
    deadline; each score is kept with who gave it and when. Recorded once."""
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "select")
        if p.method != Method.MERIT:
            raise Refused(_("This purchase is not selected on merit."), code="not_merit")
        if rules.signup_open(p.signup_deadline, timezone.now()):
            raise Refused(_("Scores are recorded after the sign-up deadline."), code="too_early")
        if not SignUp.objects.filter(purchase=p, agency=agency).exists():
            raise Refused(_("The agency did not sign up."), code="not_signed_up")
        names = [c["name"] for c in p.criteria]
        if set(scores) != set(names):
            raise ValidationError({"scores": [_("Score every published criterion, and only those.")]})
        rows = []
        now = timezone.now()
        for name in names:
            try:
                value = Decimal(str(scores[name]))
            except (InvalidOperation, ValueError):
                value = Decimal(-1)
            if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
                raise ValidationError({"scores": [_("A score is a number from 0 to 100.")]})
            rows.append(MeritScore(purchase=p, agency=agency, criterion=name, score=value.quantize(Decimal("0.01")),
                                   by=actor, at=now))
        if MeritScore.objects.filter(purchase=p, agency=agency).exists():
            raise Refused(_("This agency's scores are recorded already."), code="scored")
        MeritScore.objects.bulk_create(rows)
        trail.record(actor=actor, action="agencies.score", obj=p, summary={
            "number": p.number, "agency": agency.uscc, "scores": {r.criterion: str(r.score) for r in rows}})
    return rows


def select_direct(*, actor: User, purchase: Purchase, agency: Agency) -> Purchase:
    """直接选取: the owner names an eligible agency, where the rules allow direct selection."""
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "select")
        if p.method != Method.DIRECT:
            raise Refused(_("This purchase is not by direct selection."), code="not_direct")
        today = timezone.localdate()
        qualified = qualified_agencies(p.service_type, today, p.required_qualification)
        if not rules.direct_allowed(p.price_ceiling, len(qualified)):
            raise Refused(_("Direct selection is not allowed for this purchase."), code="direct_not_allowed")
        if agency not in qualified:
            raise Refused(_("The agency is not qualified for this service now."), code="not_eligible")
        p.candidates = [a.uscc for a in qualified]
        p.ranking = [agency.uscc]
        return _selected(p, actor, agency, p.price_ceiling, _("Selected directly by the owner."))


def select(*, actor: User | None, purchase: Purchase) -> Purchase:
    """选取 after the deadline (random draw, price, merit), by anyone or the worker: the seed is
    revealed (copied from its key file and checked against the published hash), the candidates are
    the signed-up agencies still eligible, sorted by USCC; ``rules.draw`` orders them. Random: the
    first of the order (at least ``rules.min_signups`` candidates, else the purchase fails).
    Price: the bids opened, the lowest valid price, ties by the order. Merit: the highest weighted
    total, ties by the order (every candidate must be scored)."""
    with transaction.atomic():
        p = _lock(purchase)
        _check_state(p, "select")
        if p.method == Method.DIRECT:
            raise Refused(_("A purchase by direct selection is selected by its owner."), code="not_direct")
        now = timezone.now()
        if rules.signup_open(p.signup_deadline, now):
            raise Refused(_("The selection is made after the sign-up deadline."), code="too_early")
        seed = keystore.read_seed(p.number)
        if rules.seed_hash(seed) != p.seed_hash:
            raise Refused(_("The stored seed does not match the published hash: the draw is stopped."),
                          code="seed_mismatch")
        on = timezone.localdate(p.signup_deadline)
        signed = [s.agency for s in SignUp.objects.filter(purchase=p).select_related("agency")]
        candidates = sorted(a.uscc for a in signed if rules.eligible(a, p.service_type, on,
                                                                     level=p.required_qualification))
        p.seed, p.candidates = seed, candidates
        p.ranking = rules.draw(seed, candidates)
        by_uscc = {a.uscc: a for a in signed}
        if p.method == Method.RANDOM:
            if len(candidates) < rules.min_signups():
                return _failed(p, actor, _("Fewer than %(n)s qualified agencies signed up.") % {
                    "n": rules.min_signups()})
            return _selected(p, actor, by_uscc[p.ranking[0]], p.price_ceiling, _("Drawn at random."))
        if p.method == Method.PRICE:
            bids = _open(p, actor)
            prices = {b.agency.uscc: b.price for b in bids if b.valid and b.price is not None
                      and b.agency.uscc in candidates}
            win = rules.lowest_price(prices, p.ranking)
            if win is None:
                return _failed(p, actor, _("No valid bid."))
            return _selected(p, actor, by_uscc[win], prices[win], _("Lowest valid price."))
        totals: dict[str, Decimal] = {}
        for uscc in candidates:
            scores = {s.criterion: s.score for s in MeritScore.objects.filter(purchase=p, agency=by_uscc[uscc])}
            if not scores:
                raise Refused(_("Score every candidate before the selection."), code="not_scored")
            totals[uscc] = rules.merit_total(scores, p.criteria)
        win = rules.best_merit(totals, p.ranking)
        if win is None:
            return _failed(p, actor, _("No qualified agency signed up."))
        p.result_note = ", ".join(f"{u}: {t}" for u, t in sorted(totals.items()))
        return _selected(p, actor, by_uscc[win], p.price_ceiling, _("Highest weighted score."))


def _selected(p: Purchase, actor: User | None, agency: Agency, price: Decimal, note: str) -> Purchase:
    today = timezone.localdate()
    p.winner, p.price, p.selected_at = agency, price, timezone.now()
    p.objection_until = workdays.add_workdays(today, rules.objection_workdays())
    p.result_note = (f"{note} {p.result_note}" if p.method == Method.MERIT else note)[:1000]
    _move(purchase=p, action="select", target=PurchaseState.SELECTED, actor=actor, summary={
        "method": p.method, "seed": p.seed, "seed_hash": p.seed_hash, "candidates": p.candidates,
        "ranking": p.ranking, "winner": agency.uscc, "price": str(price),
        "objection_until": str(p.objection_until)})
    outbox.queue(event=notifications.SELECTED, target=p, sms_to=agency.contact_phone, params={
        "agency": agency.name, "number": p.number, "project": p.project, "date": p.objection_until})
    return p


def _failed(p: Purchase, actor: User | None, note: str) -> Purchase:
    p.result_note = note
    _move(purchase=p, action="select", target=PurchaseState.FAILED, actor=actor, summary={
        "method": p.method, "seed": p.seed, "candidates": p.candidates, "ranking": p.ranking, "note": note})
    return p


def raise_objection(*, actor: User, purchase: Purchase, text: str) -> Objection:
    """质疑: an agency that signed up (or the owner) objects to the result within the objection
    period."""
    text = check_length("text", _need("text", text, _("Write down the objection.")), 2000)
    with transaction.atomic():
        p = _lock(purchase)
        if p.state != PurchaseState.SELECTED or not rules.in_objection_period(p.objection_until, timezone.localdate()):
            raise Refused(_("The objection period is over."), code="closed")
        if not (rules.owns(actor, p) or SignUp.objects.filter(purchase=p, agency__owners=actor).exists()):
            raise Refused(_("Only the owner and the agencies that signed up may object."), code="forbidden")
        o = Objection.objects.create(purchase=p, by=actor, text=text, at=timezone.now())
        trail.record(actor=actor, action="agencies.objection", obj=p, summary={"number": p.number, "objection": o.pk,
                                                                               "text": text[:200]})
    return o


def answer_objection(*, actor: User, objection: Objection, answer: str) -> Objection:
    """The marketplace admin answers an objection (the contract waits until every one is answered)."""
    _admin(actor)
    answer = check_length("answer", _need("answer", answer, _("Write the answer.")), 2000)
    with transaction.atomic():
        o = Objection.objects.select_for_update().get(pk=objection.pk)
        if o.answered_at is not None:
            raise Refused(_("This objection is answered already."), code="answered")
        o.answer, o.answered_at = answer, timezone.now()
        o.save(update_fields=["answer", "answered_at"])
        trail.record(actor=actor, action="agencies.objection_answer", obj=o.purchase,
                     summary={"number": o.purchase.number, "objection": o.pk, "answer": answer[:200]})
    return o


def sign_contract(*, actor: User, purchase: Purchase, contract_no: str) -> Purchase:
    """合同: recorded by the owner once the objection period is over and every objection answered;
    the service's working-day clock starts that day with the announced time limit."""
    contract_no = check_length("contract_no", _need("contract_no", contract_no, _("Give the contract number.")), 64)
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "contract")
        today = timezone.localdate()
        if rules.in_objection_period(p.objection_until, today):
            raise Refused(_("The contract is recorded after the objection period, which ends on %(d)s.") % {
                "d": p.objection_until}, code="objection_period")
        if p.objections.filter(answered_at__isnull=True).exists():
            raise Refused(_("Every objection must be answered first."), code="objections_open")
        p.contract_no, p.contracted_at = contract_no, timezone.now()
        p.clock_start(on=today, limit_workdays=p.service_workdays, warning_workdays=_warning())
        _move(purchase=p, action="contract", target=PurchaseState.CONTRACTED, actor=actor, summary={
            "contract_no": contract_no, "agency": p.winner.uscc if p.winner else "", "deadline": str(p.deadline)})
    return p


def pause_service(*, actor: User, purchase: Purchase, reason: str) -> Purchase:
    """The owner's own delay (data not yet given, site not ready): the clock pauses, with the reason."""
    reason = check_length("reason", _need("reason", reason, _("Give the reason for the pause.")), 500)
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "pause")
        if p.is_paused:
            raise Refused(_("The clock is paused already."), code="paused")
        today = timezone.localdate()
        p.clock_pause(on=today)
        ServicePause.objects.create(purchase=p, reason=reason, started_on=today, by=actor)
        _move(purchase=p, action="pause", target=PurchaseState.CONTRACTED, actor=actor, summary={"reason": reason})
    return p


def resume_service(*, actor: User, purchase: Purchase) -> Purchase:
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        _check_state(p, "resume")
        if not p.is_paused:
            raise Refused(_("The clock is not paused."), code="not_paused")
        today = timezone.localdate()
        p.clock_resume(on=today, warning_workdays=_warning())
        ServicePause.objects.filter(purchase=p, ended_on__isnull=True).update(ended_on=today)
        _move(purchase=p, action="resume", target=PurchaseState.CONTRACTED, actor=actor,
              summary={"deadline": str(p.deadline)})
    return p


def deliver_report(*, actor: User, purchase: Purchase, stream: IO[bytes], original_name: str) -> Purchase:
    """成果交付: the winning agency delivers its report (PDF, image or OFD, stored with its SHA-256);
    the clock stops; the owner is told."""
    p0 = Purchase.objects.select_related("winner").get(pk=purchase.pk)
    if p0.winner is None:
        raise Refused(_("This purchase has no selected agency."), code="wrong_state")
    _agency_user(actor, p0.winner)
    checked = check(stream)
    with transaction.atomic():
        p = _lock(purchase)
        _check_state(p, "deliver")
        today = timezone.localdate()
        if p.is_paused:
            p.clock_resume(on=today, warning_workdays=_warning())
            ServicePause.objects.filter(purchase=p, ended_on__isnull=True).update(ended_on=today)
        p.report_sha256, p.report_size = checked.sha256, checked.size
        p.report_name = (original_name or "report")[-255:]
        p.report.save(f"{checked.sha256[:2]}/{checked.sha256}.{checked.kind}", checked.content, save=False)
        p.delivered_at, p.delivered_on, p.return_reasons = timezone.now(), today, ""
        _move(purchase=p, action="deliver", target=PurchaseState.DELIVERED, actor=actor, summary={
            "sha256": checked.sha256, "size": checked.size, "deadline": str(p.deadline)})
        outbox.queue(event=notifications.DELIVERED, target=p, sms_to=p.contact_phone,
                     params={"agency": p.winner.name if p.winner else "", "number": p.number})
    return p


def return_report(*, actor: User, purchase: Purchase, reasons: str) -> Purchase:
    """The owner returns the report with reasons; the service goes on, its deadline unchanged."""
    reasons = check_length("reasons", _need("reasons", reasons, _("Give the reasons for returning it.")), 1000)
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        p.return_reasons = reasons
        _move(purchase=p, action="return", target=PurchaseState.CONTRACTED, actor=actor, summary={"reasons": reasons})
        if p.winner is not None:
            outbox.queue(event=notifications.RETURNED, target=p, sms_to=p.winner.contact_phone,
                         params={"number": p.number, "reasons": reasons[:200]})
    return p


def confirm_report(*, actor: User, purchase: Purchase) -> Purchase:
    """The owner confirms the report: the service is completed, on time when its (last) delivery
    came on or before the deadline."""
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        p.completed_at = timezone.now()
        p.on_time = bool(p.delivered_on and p.deadline and p.delivered_on <= p.deadline)
        _move(purchase=p, action="confirm", target=PurchaseState.COMPLETED, actor=actor,
              summary={"on_time": p.on_time, "delivered_on": str(p.delivered_on), "deadline": str(p.deadline)})
    return p


def attach_to_case(*, actor: User, purchase: Purchase, case: Case, material: str) -> CaseMaterial:
    """一次办: the confirmed report becomes a material of the owner's approval case (a checklist
    material of it), pointing at the stored file — not uploaded again, same SHA-256."""
    p = Purchase.objects.get(pk=purchase.pk)
    _owner(actor, p)
    if p.state != PurchaseState.COMPLETED or not p.report:
        raise Refused(_("Only a confirmed report is attached to a case."), code="wrong_state")
    application = case.application
    may_edit_materials(application, actor)
    with transaction.atomic():
        states = set(Case.objects.select_for_update().filter(application_id=application.pk)
                     .values_list("state", flat=True))
        may_edit_materials(application, actor, states=states)
        if material not in {r.name for r in checklist(application)}:
            raise Refused(_("“%(n)s” is not on this item's checklist.") % {"n": material}, code="off_checklist")
        if CaseMaterial.objects.filter(application=application, name=material, current=True,
                                       sha256=p.report_sha256).exists():
            raise Refused(_("This report is attached already."), code="attached")
        if CaseMaterial.objects.filter(application=application, name=material, current=True).count() >= \
                settings.FILES_PER_MATERIAL:
            raise Refused(_("“%(n)s” has its files already; remove one first.") % {"n": material},
                          code="too_many_files")
        kind = p.report.name.rsplit(".", 1)[-1]
        row = CaseMaterial(application=application, name=material, sha256=p.report_sha256, size=p.report_size,
                           content_type={"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
                                         "ofd": "application/ofd"}.get(kind, "application/octet-stream"),
                           original_name=p.report_name, uploaded_by=actor)
        row.file.name = p.report.name
        row.save()
        trail.record(actor=actor, action="material.upload", obj=application, summary={
            "material": material, "sha256": p.report_sha256, "size": p.report_size, "from_purchase": p.number})
        trail.record(actor=actor, action="agencies.attach_to_case", obj=p, summary={
            "number": p.number, "case": case.number, "material": material, "sha256": p.report_sha256})
    return row


def rate_agency(*, actor: User, purchase: Purchase, quality: int, timeliness: int, attitude: int, price: int,
                comment: str = "") -> AgencyRating:
    """评价: the owner rates the agency once per completed purchase, each aspect on the 好差评 scale
    (5 very satisfied .. 1 very dissatisfied); the rating moves the agency's credit."""
    errors = {f: [_("A level from 1 to 5.")] for f, v in (("quality", quality), ("timeliness", timeliness),
                                                           ("attitude", attitude), ("price", price))
              if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5}
    if errors:
        raise ValidationError(errors)
    check_length("comment", comment.strip(), 1000)
    with transaction.atomic():
        p = _lock(purchase)
        _owner(actor, p)
        if p.state != PurchaseState.COMPLETED or p.winner is None:
            raise Refused(_("A purchase is rated once it is completed."), code="wrong_state")
        if AgencyRating.objects.filter(purchase=p).exists():
            raise Refused(_("This purchase is rated already."), code="rated")
        r = AgencyRating.objects.create(purchase=p, agency=p.winner, quality=quality, timeliness=timeliness,
                                        attitude=attitude, price=price, comment=comment.strip(), by=actor,
                                        at=timezone.now())
        trail.record(actor=actor, action="agencies.rate", obj=p.winner, summary={
            "number": p.number, "quality": quality, "timeliness": timeliness, "attitude": attitude, "price": price})
    return r


# --- the worker ----------------------------------------------------------------------------------


def remind_expiring(*, qualification: Qualification, day: dt.date) -> bool:
    """Queue the agency's reminder of one expiring qualification (once per expiry date)."""
    with transaction.atomic():
        claimed = Qualification.objects.filter(pk=qualification.pk).exclude(
            reminded_for=qualification.valid_to).update(reminded_for=qualification.valid_to)
        if not claimed:
            return False
        q = Qualification.objects.select_related("agency", "service_type").get(pk=qualification.pk)
        outbox.queue(event=notifications.EXPIRING, target=q.agency, sms_to=q.agency.contact_phone, params={
            "name": q.name, "number": q.certificate_no, "agency": q.agency.name, "date": q.valid_to,
            "service": q.service_type.name})
        trail.record(actor=None, action="agencies.expiry_reminder", obj=q.agency, summary={
            "qualification": q.pk, "valid_to": str(q.valid_to), "day": str(day)})
    return True


def refresh_light(*, purchase: Purchase, day: dt.date) -> bool:
    """The service's light as of ``day``; a purchase past its deadline is recorded overdue once
    (for the supervision cards). True when newly recorded overdue."""
    with transaction.atomic():
        p = _lock(purchase)
        before = p.light
        p.clock_recompute(today=day, warning_workdays=_warning())
        newly = p.light == "overdue" and p.overdue_on is None
        if newly:
            p.overdue_on = day
        p.save(update_fields=["light", "deadline", "overdue_on"])
        if newly or before != p.light:
            trail.record(actor=None, action="agencies.light", obj=p, summary={
                "number": p.number, "light": p.light, "deadline": str(p.deadline), "overdue": newly})
    return newly
