"""The rules of 快递送达 (postal delivery of results), one named function each."""

from __future__ import annotations

import re
from typing import Any

from onetrip.cases.models import State

# From the draft (choosing when applying) until the result is handed out or posted.
CHOOSABLE_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.AWAITING_SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED,
                              State.APPROVED, State.RESULT_READY})

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def post_offered(case: Any) -> bool:
    """邮寄送达 is offered only for items whose published version says results can be posted."""
    return bool(case.version.postable)


def may_choose(case: Any, shipment_state: str | None) -> bool:
    """The applicant chooses pickup or post when applying or later, until the result is handed
    out or posted (a shipment already handed to the carrier cannot be called back)."""
    return case.state in CHOOSABLE_STATES and shipment_state in (None, "created", "cancelled")


def valid_phone(phone: str) -> bool:
    """A mainland mobile (11 digits) or a landline with its area code."""
    return bool(_PHONE.match(phone))


def s10_check_digit(serial: str) -> int:
    """The check digit of a UPU S10 tracking number (邮件号码) over its eight-digit serial."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


def s10_number(prefix: str, serial: int, country: str = "CN") -> str:
    digits = f"{serial:08d}"
    if len(digits) != 8:
        raise ValueError("serial out of range")
    return f"{prefix}{digits}{s10_check_digit(digits)}{country}"


def valid_tracking_number(number: str) -> bool:
    m = _S10.match(number or "")
    return m is not None and s10_check_digit(m.group(2)) == int(m.group(3))


def mask_address(address: str) -> str:
    """The public page shows where to (up to the district or county), never the street and house
    number."""
    address = address or ""
    if not address:
        return ""
    cut = next((i + 1 for i, ch in enumerate(address[:12]) if ch in "区县旗") , 0)
    keep = cut if 0 < cut < len(address) else min(6, len(address) // 2)
    return address[:keep] + "****"
