"""Where the district CA's private keys and certificates live: never in the database.

``KeyStore`` is the boundary. The default ``FileKeyStore`` keeps each key as an encrypted PKCS#8
PEM file (mode 0600) and each certificate as a PEM file in ``LICENSES_KEY_DIR`` (default
``<ONETRIP_VAR_DIR>/licenses/keys``), the passphrase from ``SIGNING_KEY_PASSPHRASE`` (default:
derived from ``SECRET_KEY``, so changing SECRET_KEY without setting the passphrase makes the
keys unreadable). Several processes may create the same key or certificate at once: each is
written to a temporary file and linked into place, the first link wins and everyone uses it.

An HSM or an SM2 provider replaces it with a class named by ``LICENSES_KEYSTORE`` that offers
the same three methods; ``key`` then returns an object offering ``sign(data, algorithm)`` and
``public_key()`` as cryptography's keys do (the key never leaves the device). See
docs/licenses.md.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.utils.module_loading import import_string

from onetrip.core import keyfiles


class KeyStore(Protocol):
    def key(self, name: str, *, kind: str = "ec") -> Any:
        """The private key called ``name``, created (``ec``: P-256, ``rsa``: 2048) if missing."""

    def certificate(self, name: str) -> x509.Certificate | None:
        """The certificate stored under ``name``, or None."""

    def save_certificate(self, name: str, cert: x509.Certificate) -> x509.Certificate:
        """Store ``cert`` under ``name`` unless one is there already; return the stored one."""


def passphrase() -> bytes:
    given = getattr(settings, "SIGNING_KEY_PASSPHRASE", "")
    if given:
        return given.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"onetrip.licenses.keystore", hashlib.sha256).hexdigest().encode()


def _safe(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise ValueError(f"not a key name: {name!r}")
    return name


class FileKeyStore:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.LICENSES_KEY_DIR)
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _place(self, path: Path, data: bytes) -> bool:
        """Write ``data`` to ``path`` unless it exists; True if ours is the one in place."""
        return keyfiles.place_once(path, data)

    def key(self, name: str, *, kind: str = "ec") -> Any:
        name = _safe(name)
        with self._lock:
            cached = self._keys.get(name)
            if cached is not None:
                return cached
            path = self.directory / f"{name}.key.pem"
            if not path.exists():
                new: Any = (ec.generate_private_key(ec.SECP256R1()) if kind == "ec"
                            else rsa.generate_private_key(public_exponent=65537, key_size=2048))
                pem = new.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.BestAvailableEncryption(passphrase()))
                self._place(path, pem)
            key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase())
            self._keys[name] = key
            return key

    def certificate(self, name: str) -> x509.Certificate | None:
        path = self.directory / f"{_safe(name)}.crt.pem"
        if not path.exists():
            return None
        return x509.load_pem_x509_certificate(path.read_bytes())

    def save_certificate(self, name: str, cert: x509.Certificate) -> x509.Certificate:
        path = self.directory / f"{_safe(name)}.crt.pem"
        self._place(path, cert.public_bytes(serialization.Encoding.PEM))
        stored = self.certificate(name)
        assert stored is not None
        return stored


_stores: dict[tuple[str, str], KeyStore] = {}


def default_store() -> KeyStore:
    """The configured key store (one per process and key folder)."""
    path = getattr(settings, "LICENSES_KEYSTORE", "onetrip.licenses.keystore.FileKeyStore")
    place = str(settings.LICENSES_KEY_DIR)
    store = _stores.get((path, place))
    if store is None:
        store = _stores[(path, place)] = import_string(path)()
    return store
