"""Each purchase's secrets live in files outside the database (``AGENCIES_KEY_DIR``, default
``<ONETRIP_VAR_DIR>/agencies/keys``, mode 0600): the Fernet key that seals its bids and the seed of
its draw. The database holds only the sealed prices and the seed's SHA-256 until the deadline; a
copy of the database alone reveals no price and no seed. Files are written to a temporary file and
linked into place, so two processes creating one purchase's secret at once agree on one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from onetrip.core import keyfiles


def _dir() -> Path:
    return Path(settings.AGENCIES_KEY_DIR)


def _path(number: str, kind: str) -> Path:
    if not number or not all(c.isalnum() or c in "-_" for c in number):
        raise ValueError(f"not a purchase number: {number!r}")
    return _dir() / f"{number}.{kind}"


def _get_or_create(number: str, kind: str, make: bytes) -> bytes:
    path = _path(number, kind)
    if not path.exists():
        keyfiles.place_once(path, make)
    return path.read_bytes().strip()


def store_seed(number: str, seed: str) -> str:
    """Keep the draw's seed (the first one stored wins); returns the stored seed."""
    return _get_or_create(number, "seed", seed.encode("ascii")).decode("ascii")


def read_seed(number: str) -> str:
    """The stored seed ("" when its file is missing); the service reveals it only after the deadline."""
    try:
        return _path(number, "seed").read_bytes().strip().decode("ascii")
    except FileNotFoundError:
        return ""


def _fernet(number: str) -> Fernet:
    return Fernet(_get_or_create(number, "key", Fernet.generate_key()))


def seal(number: str, price: Decimal) -> str:
    """The price sealed with the purchase's key (Fernet: AES-128-CBC + HMAC-SHA256)."""
    return _fernet(number).encrypt(format(price, "f").encode()).decode("ascii")


def unseal(number: str, sealed: str) -> Decimal | None:
    """The sealed price, or None when the token does not open with this purchase's key."""
    try:
        return Decimal(_fernet(number).decrypt(sealed.encode("ascii")).decode())
    except (InvalidToken, InvalidOperation, ValueError):
        return None
