"""Identity numbers: resident ID (GB 11643), unified social credit code (GB 32100),
mobile numbers, and masking for people who do not need to see them in full."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_resident_id(value: str) -> str:
    """Return the 18-character resident ID number, upper-case, or raise ValidationError."""
    try:
        number = ric.validate(value.strip())
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid resident ID number (check the 18 digits and the check digit)."),
            code="invalid_resident_id",
            params={"value": value},
        ) from None
    if len(number) != 18:
        raise ValidationError(_("Only 18-digit resident ID numbers are accepted."), code="invalid_resident_id")
    return number.upper()


def normalize_uscc(value: str) -> str:
    """Return the 18-character unified social credit code, upper-case, or raise ValidationError."""
    try:
        return uscc.validate(value.strip().upper())
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code (check the 18 characters and the check character)."),
            code="invalid_uscc",
            params={"value": value},
        ) from None


def normalize_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    if number.startswith("+86"):
        number = number[3:]
    if not _MOBILE.match(number):
        raise ValidationError(
            _("“%(value)s” is not a valid mainland mobile number (11 digits starting with 1)."),
            code="invalid_mobile",
            params={"value": value},
        )
    return number


def mask_resident_id(number: str) -> str:
    """430703199001011234 → 430703********123X style: division code and last four kept."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(number: str) -> str:
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: surname kept."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (used to make demo people)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("give the first 17 digits")
    # python-stdnum expects the whole number, check position included.
    return ric.calc_check_digit(first17 + "0")


def uscc_check_digit(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (used to make demo companies)."""
    if len(first17) != 17:
        raise ValueError("give the first 17 characters")
    return uscc.calc_check_digit(first17)


def check_person(*, name: str, mobile: str, resident_id: str, prefix: str = "") -> dict[str, str]:
    """Check a person's name, mobile and resident ID together and return them normalised, or
    raise one ValidationError naming every bad field (``prefix`` + field name)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors[f"{prefix}name"] = [str(_("Enter the name as it is on the ID card."))]
    id_field = f"{prefix}resident_id" if not prefix else f"{prefix}id_number"
    if not (mobile or "").strip():
        errors[f"{prefix}mobile"] = [str(_("Enter the mobile number."))]
    else:
        try:
            mobile = normalize_mobile(mobile)
        except ValidationError as exc:
            errors[f"{prefix}mobile"] = exc.messages
    if not (resident_id or "").strip():
        errors[id_field] = [str(_("Enter the resident ID number."))]
    else:
        try:
            resident_id = normalize_resident_id(resident_id)
        except ValidationError as exc:
            errors[id_field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {"name": name, "mobile": mobile, "resident_id": resident_id}
