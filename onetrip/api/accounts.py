"""Account endpoints besides the token: codes by SMS to reset a password or unlock an account,
and the window clerk's verification of company representatives."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts import selectors, services
from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api import schemas as s
from onetrip.api.auth import token_or_session
from onetrip.core.ratelimit import client_address

router = Router(tags=["accounts"])


_MOBILE = Field(..., min_length=1, max_length=20,
                description="A mainland mobile number (11 digits starting with 1; spaces, dashes and +86 are "
                            "allowed); a malformed one is 400.")
_CODE = Field(..., pattern=r"^\s*[0-9]{6}\s*$", description="The 6-digit code sent by SMS.")


class SmsCodeIn(Schema):
    mobile: str = _MOBILE
    purpose: Literal["reset", "unlock"]


class PasswordResetIn(Schema):
    mobile: str = _MOBILE
    code: str = _CODE
    password: str = Field(..., min_length=1, description="The new password; one the password rules refuse is 400.")


class UnlockIn(Schema):
    mobile: str = _MOBILE
    code: str = _CODE


class Done(Schema):
    detail: str


class RepresentativeOut(Schema):
    id: int
    real_name: str
    resident_id: str
    mobile: str
    company: str
    company_uscc: str
    legal_representative: str
    registered_at: str
    status: str


class RepresentativeRejectIn(Schema):
    reason: str = s.text(max_length=200, description="Why the representative is not confirmed.")


@router.post("/auth/sms-code", response=s.answers({202: Done}, 400, 429), auth=None)
def send_code(request: HttpRequest, payload: SmsCodeIn) -> Any:
    """Send a 6-digit code (valid 10 minutes) to the account a mobile number reaches. The answer
    is the same whether or not the number is registered; limited per number and per client."""
    try:
        services.send_sms_code(mobile=payload.mobile, purpose=payload.purpose, client=client_address(request))
    except services.TooManyCodes:
        raise HttpError(429, _("Too many codes were asked for this number or from this address. "
                               "Try again in an hour, or ask at any comprehensive window.")) from None
    return Status(202, {"detail": _("If %(mobile)s belongs to an account, we have sent a 6-digit code to it by "
                                    "SMS.") % {"mobile": payload.mobile.strip()}})


@router.post("/auth/password-reset", response=s.answers({200: Done}, 400), auth=None)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Any:
    """Set a new password with the code sent by ``/auth/sms-code`` (purpose ``reset``)."""
    services.reset_password_with_code(mobile=payload.mobile, code=payload.code, password=payload.password)
    return {"detail": _("Your password has been changed. Log in with the new password.")}


@router.post("/auth/unlock", response=s.answers({200: Done}, 400), auth=None)
def unlock(request: HttpRequest, payload: UnlockIn) -> Any:
    """Lift every lock-out of the account with the code sent by ``/auth/sms-code`` (purpose
    ``unlock``)."""
    services.unlock_with_code(mobile=payload.mobile, code=payload.code)
    return {"detail": _("Your account is unlocked. Log in again.")}


def _clerk(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not can(user, Capability.VERIFY_COMPANY_REPS):
        raise HttpError(403, _("Only window clerks verify company representatives."))
    return user


def _representative(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "real_name": user.real_name,
        "resident_id": user.resident_id_masked,
        "mobile": user.mobile_masked,
        "company": user.company.name,  # type: ignore[union-attr]
        "company_uscc": user.company.uscc,  # type: ignore[union-attr]
        "legal_representative": user.company.legal_representative,  # type: ignore[union-attr]
        "registered_at": user.date_joined.isoformat(),
        "status": user.company_status,
    }


@router.get("/company-representatives", response=s.answers({200: list[RepresentativeOut]}, 401, 403),
            auth=token_or_session)
def company_representatives(request: HttpRequest) -> Any:
    """Self-registered company representatives awaiting verification at a window."""
    _clerk(request)
    return [_representative(u) for u in selectors.representatives_awaiting_verification()[:200]]


@router.post("/company-representatives/{user_id}/confirm",
             response=s.answers({200: RepresentativeOut}, 400, 401, 403, 404), auth=token_or_session)
def confirm_representative(request: HttpRequest, user_id: int) -> Any:
    return _representative(services.confirm_company_representative(actor=_clerk(request), user_id=user_id))


@router.post("/company-representatives/{user_id}/reject",
             response=s.answers({200: RepresentativeOut}, 400, 401, 403, 404), auth=token_or_session)
def reject_representative(request: HttpRequest, user_id: int, payload: RepresentativeRejectIn) -> Any:
    return _representative(services.reject_company_representative(actor=_clerk(request), user_id=user_id,
                                                                   reason=payload.reason))
