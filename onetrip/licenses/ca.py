"""The district's own certificate authority, created on first use (``licenses_init``, or lazily
by the first signature): a root CA, a time-stamping authority, one seal certificate per issuing
department and one signing certificate per deciding officer, each issued the first time it is
needed. Keys and certificates live in the key store (``keystore``), never in the database.

Keys: ECDSA P-256, except the time-stamping authority's (RSA 2048: pyHanko's in-process
time stamper signs with RSA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from onetrip.licenses.keystore import KeyStore, default_store

ROOT, TSA = "root", "tsa"
YEARS = {"root": 20, "tsa": 10, "seal": 5, "officer": 3}


@dataclass(frozen=True)
class Credential:
    """A certificate with its private key (a key-store handle) and the chain up to the root."""

    certificate: x509.Certificate
    key: Any
    chain: tuple[x509.Certificate, ...]  # issuers, root last

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def _name(common: str, *, org: str = "", unit: str = "", uid: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if org:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if uid:
        parts.append(x509.NameAttribute(NameOID.USER_ID, uid))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(parts)


def _district() -> str:
    return str(getattr(settings, "SITE_NAME", "OneTrip"))


def _build(*, subject: x509.Name, public_key: Any, issuer: x509.Certificate | None, issuer_key: Any,
           kind: str) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * YEARS[kind]))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
            critical=False).add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=kind != "tsa", key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False), critical=True)
        if kind == "tsa":
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _credential(store: KeyStore, name: str, *, kind: str, subject: x509.Name,
                issuer: Credential | None) -> Credential:
    key = store.key(name, kind="rsa" if kind == "tsa" else "ec")
    cert = store.certificate(name)
    if cert is None:
        cert = store.save_certificate(name, _build(
            subject=subject, public_key=key.public_key(), issuer=issuer.certificate if issuer else None,
            issuer_key=issuer.key if issuer else key, kind=kind))
    chain = (issuer.certificate, *issuer.chain) if issuer is not None else ()
    return Credential(certificate=cert, key=key, chain=chain)


def root(store: KeyStore | None = None) -> Credential:
    """The district root CA (self-signed). Its certificate is what verifiers trust."""
    store = store or default_store()
    return _credential(store, ROOT, kind="root", issuer=None,
                       subject=_name(f"{_district()} 电子证照根证书 OneTrip Root CA", org=_district()))


def tsa(store: KeyStore | None = None) -> Credential:
    """The district's time-stamping authority (RFC 3161)."""
    store = store or default_store()
    return _credential(store, TSA, kind="tsa", issuer=root(store),
                       subject=_name(f"{_district()} 时间戳服务 OneTrip TSA", org=_district()))


def department_seal(department: Any, store: KeyStore | None = None) -> Credential:
    """The issuing department's e-seal certificate (电子印章)."""
    store = store or default_store()
    return _credential(store, f"seal-{department.code}", kind="seal", issuer=root(store),
                       subject=_name(department.name, org=department.name, uid=department.uscc))


def officer(user: Any, store: KeyStore | None = None) -> Credential:
    """A deciding officer's signing certificate (电子签名), bound to the person and department."""
    store = store or default_store()
    department = user.department
    org = department.name if department is not None else _district()
    code = department.code if department is not None else "none"
    return _credential(store, f"officer-{user.pk}-{code}", kind="officer", issuer=root(store),
                       subject=_name(user.real_name or user.username, org=org, unit=code, uid=user.username))


def root_pem() -> str:
    return root().pem
