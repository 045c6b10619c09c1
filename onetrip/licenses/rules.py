"""The rules of electronic licences and signed decisions, one named function each (see the table
in docs/licenses.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from stdnum.iso7064 import mod_37_36

from onetrip.accounts.models import Role
from onetrip.licenses.models import LicenceStatus

# The arc under which the national integrated platform's e-licence identifiers sit; ours follow
# the same structure: arc . type code . issuer USCC . sequence . version . check character.
IDENTIFIER_ARC = "1.2.156.3005.2"


def check_character(type_code: str, issuer_uscc: str, sequence: int, version: int) -> str:
    """ISO 7064 MOD 37,36 over the identifier's parts (digits and capital letters)."""
    return str(mod_37_36.calc_check_digit(f"{type_code}{issuer_uscc}{sequence:08d}{version:03d}"))


def licence_identifier(*, type_code: str, issuer_uscc: str, sequence: int, version: int) -> str:
    """电子证照标识: e.g. ``1.2.156.3005.2.GTGSHYYZZ.11430703MB0000011X.00000001.001.K``."""
    check = check_character(type_code, issuer_uscc, sequence, version)
    return f"{IDENTIFIER_ARC}.{type_code}.{issuer_uscc}.{sequence:08d}.{version:03d}.{check}"


def identifier_is_valid(identifier: str) -> bool:
    """Whether an identifier has the structure and its check character is right."""
    prefix = IDENTIFIER_ARC + "."
    if not identifier.startswith(prefix):
        return False
    parts = identifier[len(prefix):].split(".")
    if len(parts) != 5 or not parts[2].isdigit() or not parts[3].isdigit():
        return False
    type_code, uscc, seq, version, check = parts
    try:
        return check_character(type_code, uscc, int(seq), int(version)) == check
    except Exception:  # noqa: BLE001 - a character outside the alphabet
        return False


def licence_number(*, prefix: str, year: int, sequence: int) -> str:
    """证照编号 printed on the licence: the type's prefix, the year of first issue, the sequence."""
    return f"{prefix}{year}{sequence:08d}"


def valid_until(valid_from: dt.date, years: int | None) -> dt.date | None:
    """有效期: ``years`` after the first day, the day before (None: without a time limit)."""
    if years is None:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + years, day=28)
    return end - dt.timedelta(days=1)


def effective_status(status: str, valid_until: dt.date | None, today: dt.date) -> str:
    """What a licence is now: a valid licence past its last day is expired even before the
    ``licenses.expire`` job has marked it (nothing stale is ever shown)."""
    if status == LicenceStatus.VALID and valid_until is not None and valid_until < today:
        return LicenceStatus.EXPIRED
    return status


# Status changes by the issuing department: from → allowed targets.
STATUS_CHANGES: dict[str, frozenset[str]] = {
    LicenceStatus.VALID: frozenset({LicenceStatus.SUSPENDED, LicenceStatus.REVOKED}),
    LicenceStatus.SUSPENDED: frozenset({LicenceStatus.VALID, LicenceStatus.REVOKED}),
}


def may_manage(user: Any, department_id: int) -> bool:
    """Status changes and renewals: the issuing department's officers and head only."""
    return (getattr(user, "is_authenticated", False) and user.is_active
            and user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD) and user.department_id == department_id)


def decision_content(*, case_number: str, item_code: str, version_id: int, version_number: int, decision: str,
                     reasons: str, decided_at: dt.datetime | None, officer: str, department: str) -> bytes:
    """The canonical bytes of a decision that its officer signs: JSON with sorted keys, no
    whitespace, UTF-8, the time in UTC to the microsecond. The same decision always gives the same
    bytes; any change to a field gives other bytes."""
    when = decided_at.astimezone(dt.UTC).isoformat() if decided_at is not None else ""
    body = {"case": case_number, "item": item_code, "version_id": version_id, "version": version_number,
            "decision": decision, "reasons": reasons, "decided_at": when, "officer": officer,
            "department": department}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
