"""Writes for people, departments and tokens. Each function takes the acting user and
records what it did on the trail."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from onetrip.accounts.lockout import clear_failures
from onetrip.accounts.models import (
    ApiToken,
    Company,
    CompanyStatus,
    Department,
    Division,
    Role,
    SmsCode,
    User,
)
from onetrip.accounts.permissions import Capability, can
from onetrip.core import ratelimit, sms, trail
from onetrip.core.identity import (
    check_person,
    normalize_mobile,
    normalize_resident_id,
    normalize_uscc,
)

_ADMIN_SITE_ROLES = {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN}


@transaction.atomic
def create_division(*, actor: User | None, code: str, name: str, level: str, parent: Division | None = None,
                    name_en: str = "") -> Division:
    division = Division(code=code, name=name, name_en=name_en, level=level, parent=parent)
    division.full_clean()
    division.save()
    trail.record(actor=actor, action="division.create", obj=division, summary={"code": code, "name": name})
    return division


@transaction.atomic
def create_department(
    *,
    actor: User | None,
    code: str,
    name: str,
    uscc: str,
    division: Division,
    name_en: str = "",
    short_name: str = "",
    phone: str = "",
    address: str = "",
    sort_order: int = 0,
) -> Department:
    department = Department(
        code=code,
        name=name,
        name_en=name_en,
        short_name=short_name,
        uscc=normalize_uscc(uscc),
        division=division,
        phone=phone,
        address=address,
        sort_order=sort_order,
    )
    department.full_clean()
    department.save()
    trail.record(actor=actor, action="department.create", obj=department, summary={"code": code, "name": name})
    return department


@transaction.atomic
def register_citizen(*, real_name: str, mobile: str, resident_id: str, password: str,
                     email: str = "", company: Company | None = None) -> User:
    """A citizen signs up: mobile number is the log-in name; ID number is checked and unique.
    With ``company`` the person signs up as that company's representative, unverified until a
    window clerk confirms them (``confirm_company_representative``)."""
    errors: dict[str, list[str]] = {}
    try:
        person = check_person(name=real_name, mobile=mobile, resident_id=resident_id)
        real_name, mobile, resident_id = person["name"], person["mobile"], person["resident_id"]
    except ValidationError as exc:
        errors = {("real_name" if k == "name" else k): v for k, v in exc.message_dict.items()}
    if "mobile" not in errors and User.objects.filter(username=mobile).exists():
        errors["mobile"] = [_("This mobile number is already registered. Log in instead.")]
    if "resident_id" not in errors and User.objects.filter(resident_id=resident_id).exists():
        errors["resident_id"] = [_("This ID number is already registered. Log in instead.")]
    try:
        validate_password(password, User(username=mobile, real_name=real_name))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user = User(username=mobile, real_name=real_name, mobile=mobile, resident_id=resident_id,
                email=email, role=Role.COMPANY_REP if company else Role.CITIZEN, company=company,
                company_status=CompanyStatus.PENDING if company else CompanyStatus.NONE)
    user.set_password(password)
    user.full_clean()
    user.save()
    summary: dict[str, str] = {"role": user.role}
    if company is not None:
        summary |= {"company": company.uscc, "company_status": user.company_status}
    trail.record(actor=user, action="user.register", obj=user, summary=summary)
    return user


@transaction.atomic
def register_company_representative(*, real_name: str, mobile: str, resident_id: str, password: str,
                                    uscc: str, company_name: str, legal_representative: str) -> User:
    """A company's representative signs up: the company is identified by its USCC (check
    character validated) and registered on first use; the person is checked like a citizen."""
    try:
        code = normalize_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from None
    company = Company.objects.filter(uscc=code).first()
    if company is None:
        if not company_name.strip() or not legal_representative.strip():
            raise ValidationError({"company_name": [_("Give the company's name and legal representative.")]})
        company = register_company(actor=None, uscc=code, name=company_name,
                                   legal_representative=legal_representative)
    return register_citizen(real_name=real_name, mobile=mobile, resident_id=resident_id, password=password,
                            company=company)


@transaction.atomic
def register_company(*, actor: User | None, uscc: str, name: str, legal_representative: str,
                     address: str = "") -> Company:
    company = Company(uscc=normalize_uscc(uscc), name=name.strip(),
                      legal_representative=legal_representative.strip(), address=address)
    company.full_clean()
    company.save()
    trail.record(actor=actor, action="company.register", obj=company, summary={"uscc": company.uscc})
    return company


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    real_name: str,
    mobile: str = "",
    resident_id: str = "",
    department: Department | None = None,
    division: Division | None = None,
    company: Company | None = None,
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create any account. Staff roles that work a department's cases need a department;
    proxy agents need a township; company representatives need a company, and count as
    verified: whoever creates the account (an administrator) vouches for them."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role “%(role)s”.") % {"role": role}]})
    if role in {Role.OFFICER, Role.DEPARTMENT_HEAD, Role.WINDOW_CLERK} and department is None:
        raise ValidationError({"department": [_("Staff who handle cases must belong to a department.")]})
    if role == Role.PROXY_AGENT and division is None:
        raise ValidationError({"division": [_("A proxy agent must serve a township or village.")]})
    if role == Role.COMPANY_REP and company is None:
        raise ValidationError({"company": [_("A company representative must name the company.")]})
    user = User(
        username=username,
        role=role,
        real_name=real_name,
        mobile=normalize_mobile(mobile) if mobile else "",
        resident_id=normalize_resident_id(resident_id) if resident_id else "",
        department=department,
        division=division,
        company=company,
        email=email,
        is_staff=role in _ADMIN_SITE_ROLES,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    if role == Role.COMPANY_REP:
        user.company_status = CompanyStatus.VERIFIED
        user.company_checked_at = timezone.now()
        user.company_checked_by = actor if actor is not None and actor.pk else None
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    trail.record(actor=actor, action="user.create", obj=user, summary={"role": role, "username": username})
    return user


def issue_api_token(*, user: User, name: str = "") -> str:
    """Create a bearer token for ``user``; the clear token is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), name=name[:100])
        trail.record(actor=user, action="api_token.issue", obj=token, summary={"name": name[:100]})
    return key


def _pending_representative(user_id: int) -> User:
    user = User.objects.select_for_update(of=("self",)).select_related("company").filter(pk=user_id).first()
    if user is None or user.role != Role.COMPANY_REP or user.company_id is None:
        raise ValidationError(_("No such company representative."), code="not_found")
    if user.company_status != CompanyStatus.PENDING:
        raise ValidationError(_("%(name)s is not awaiting verification (already %(status)s).")
                              % {"name": user.real_name, "status": user.get_company_status_display()},
                              code="wrong_state")
    return user


@transaction.atomic
def confirm_company_representative(*, actor: User, user_id: int) -> User:
    """A window clerk has seen the person's ID card and the company's authorisation (or the
    business licence naming them as legal representative): they may now apply for it."""
    if not can(actor, Capability.VERIFY_COMPANY_REPS):
        raise PermissionDenied
    user = _pending_representative(user_id)
    user.company_status = CompanyStatus.VERIFIED
    user.company_checked_by = actor
    user.company_checked_at = timezone.now()
    user.company_check_note = ""
    user.save(update_fields=["company_status", "company_checked_by", "company_checked_at", "company_check_note"])
    trail.record(actor=actor, action="company_rep.confirm", obj=user,
                 summary={"company": user.company.uscc})  # type: ignore[union-attr]
    return user


@transaction.atomic
def verify_company_representative_from_registry(*, actor: User, user_id: int, how: str) -> User:
    """The company registry bore the claim out (``onetrip.registries``: the person's ID is the legal
    representative's, or the legal representative confirmed the delegation), so no window visit
    is needed. ``how`` is the sentence kept as the note. Already verified: nothing changes."""
    user = User.objects.select_for_update(of=("self",)).select_related("company").filter(pk=user_id).first()
    if user is None or user.role != Role.COMPANY_REP or user.company_id is None:
        raise ValidationError(_("No such company representative."), code="not_found")
    if user.company_status == CompanyStatus.VERIFIED:
        return user
    user.company_status = CompanyStatus.VERIFIED
    user.company_checked_by = None
    user.company_checked_at = timezone.now()
    user.company_check_note = how[:200]
    user.save(update_fields=["company_status", "company_checked_by", "company_checked_at", "company_check_note"])
    trail.record(actor=actor, action="company_rep.verify_by_registry", obj=user,
                 summary={"company": user.company.uscc, "how": how[:200]})  # type: ignore[union-attr]
    return user


@transaction.atomic
def reject_company_representative(*, actor: User, user_id: int, reason: str) -> User:
    """The claim to act for the company was not borne out; the person is told why."""
    if not can(actor, Capability.VERIFY_COMPANY_REPS):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the representative is not confirmed.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("Keep the reason under 200 characters.")]})
    user = _pending_representative(user_id)
    user.company_status = CompanyStatus.REJECTED
    user.company_checked_by = actor
    user.company_checked_at = timezone.now()
    user.company_check_note = reason
    user.save(update_fields=["company_status", "company_checked_by", "company_checked_at", "company_check_note"])
    trail.record(actor=actor, action="company_rep.reject", obj=user,
                 summary={"company": user.company.uscc, "reason": reason})  # type: ignore[union-attr]
    return user


# --- codes sent by SMS: password reset and self-service unlock -------------------------------

CODE_VALID_FOR = dt.timedelta(minutes=10)
CODE_MAX_TRIES = 5


class TooManyCodes(Exception):
    """This mobile or this address asked for too many codes in the last hour."""


CODE_KEY = "onetrip.accounts.SmsCode"


def _code_hash(salt: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not give the 6-digit codes away.
    return sms.code_hash(CODE_KEY, salt, code)


def account_for_mobile(mobile: str) -> User | None:
    """The active account a mobile number reaches: the one that logs in with it (citizens and
    company representatives), else the only account that lists it. Several staff accounts
    sharing one mobile reach none; an administrator resets those."""
    candidates = list(User.objects.filter(mobile=mobile, is_active=True).order_by("pk")[:10])
    own = [u for u in candidates if u.username == mobile]
    if own:
        return own[0]
    return candidates[0] if len(candidates) == 1 else None


def _sms_text(purpose: str, code: str) -> str:
    minutes = int(CODE_VALID_FOR.total_seconds() // 60)
    if purpose == SmsCode.Purpose.UNLOCK:
        text = _("[%(site)s] Your code to unlock your account is %(code)s, valid for %(minutes)s minutes. "
                 "Do not tell anyone, staff included.")
    else:
        text = _("[%(site)s] Your code to reset your password is %(code)s, valid for %(minutes)s minutes. "
                 "Do not tell anyone, staff included.")
    return text % {"site": settings.SITE_NAME, "code": code, "minutes": minutes}


def send_sms_code(*, mobile: str, purpose: str, client: str) -> None:
    """Send a 6-digit code to the account that ``mobile`` reaches. Every well-formed number
    gets the same answer whether or not an account has it, so that nobody learns who is
    registered; both the number and the asking address are rate-limited.

    Raises ValidationError for a malformed number and TooManyCodes over the limits."""
    if purpose not in SmsCode.Purpose.values:
        raise ValueError(purpose)
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None
    window = dt.timedelta(hours=1)
    by_address = ratelimit.hit(f"sms-code:address:{client}", limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR,
                               window=window)
    by_mobile = ratelimit.hit(f"sms-code:mobile:{mobile}", limit=settings.SMS_CODES_PER_MOBILE_PER_HOUR,
                              window=window)
    if not (by_address and by_mobile):
        raise TooManyCodes
    user = account_for_mobile(mobile)
    if user is None:
        return
    code, salt, hashed = sms.new_code(CODE_KEY)
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces any earlier one for the same purpose.
        SmsCode.objects.filter(user=user, purpose=purpose, used_at=None).update(used_at=now)
        SmsCode.objects.create(user=user, purpose=purpose, salt=salt, code_hash=hashed,
                               created_at=now, expires_at=now + CODE_VALID_FOR)
        sms.send_code_after_commit(mobile, _sms_text(purpose, code), "an SMS code")


def _take_code(*, mobile: str, purpose: str, code: str) -> User | None:
    """The account, when ``code`` is its live code for ``purpose`` (then the code is used up);
    else None, and a wrong try is counted. Call inside a transaction."""
    code = code.strip()
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError:
        return None
    user = account_for_mobile(mobile)
    if user is None:
        return None
    now = timezone.now()
    row = (SmsCode.objects.select_for_update()
           .filter(user=user, purpose=purpose, used_at=None, expires_at__gt=now, tries__lt=CODE_MAX_TRIES)
           .order_by("-created_at").first())
    if row is None:
        return None
    if len(code) == 6 and code.isdigit() and constant_time_compare(_code_hash(row.salt, code), row.code_hash):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return user
    row.tries += 1
    row.save(update_fields=["tries"])
    return None


def _wrong_code() -> ValidationError:
    return ValidationError({"code": [_("This code is wrong or has expired. Check the SMS, or ask for a new "
                                       "code.")]})


def reset_password_with_code(*, mobile: str, code: str, password: str) -> User:
    """The owner of the account that ``mobile`` reaches sets a new password with the code sent
    to it. The account's failed log-ins are forgotten (its owner has just proved who they are).
    A wrong code counts one of the code's tries and changes nothing else."""
    account = None
    with contextlib.suppress(ValidationError):
        account = account_for_mobile(normalize_mobile(mobile))
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user = _take_code(mobile=mobile, purpose=SmsCode.Purpose.RESET, code=code)
        if user is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
            clear_failures(user)
            trail.record(actor=user, action="user.password_reset", obj=user, summary={"by": "sms_code"})
    if user is None:
        raise _wrong_code()
    return user


def unlock_with_code(*, mobile: str, code: str) -> User:
    """The owner unlocks their account with the code sent to its mobile: every address's
    lock-out and the account-wide slow-down are lifted."""
    with transaction.atomic():
        user = _take_code(mobile=mobile, purpose=SmsCode.Purpose.UNLOCK, code=code)
        if user is not None:
            clear_failures(user)
            trail.record(actor=user, action="user.unlock", obj=user, summary={"by": "sms_code"})
    if user is None:
        raise _wrong_code()
    return user
