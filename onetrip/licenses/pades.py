"""PDF signatures (PAdES B-T) with pyHanko, and the district's RFC 3161 time-stamping service.

``seal_pdf`` signs a PDF with a department's seal certificate and embeds a timestamp from the
district's own time-stamping authority, taken in process (no outside call). ``validate_pdf``
is what any verifier does: pyHanko's validator with the district root as the only trust anchor.
``timestamp_response`` answers an RFC 3161 request (``POST /tsa``).

Loaded by the first signature only (pyHanko and asn1crypto are heavy for a web process)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from onetrip.licenses import ca

T = TypeVar("T")

# The district TSA's policy (an arc of our own under the platform's: no outside meaning).
TSA_POLICY = "1.2.156.3005.2.99.1"
FIELD = "DepartmentSeal"


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class DistrictTimeStamper(DummyTimeStamper):
    """The district's time-stamping authority, in process: pyHanko's own time stamper with our
    TSA certificate, our policy, and the key used through the key store's handle (``sign``), so
    that a key in an HSM works the same way."""

    def __init__(self, credential: ca.Credential) -> None:
        self._key = credential.key
        super().__init__(tsa_cert=_asn1(credential.certificate), tsa_key=None,  # type: ignore[arg-type]
                         certs_to_embed=SimpleCertificateStore.from_certs([_asn1(c) for c in credential.chain]))

    def _build_tst_info(self, message_imprint: Any, dt: Any, req: Any) -> Any:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(TSA_POLICY)
        return info

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: Any) -> tuple[bytes, cms.CMSAttributes]:
        from pyhanko.sign import general

        md = get_pyca_cryptography_hash(md_algorithm)
        from cryptography.hazmat.primitives import hashes

        digest = hashes.Hash(md)
        digest.update(tst_info_data)
        attrs = cms.CMSAttributes([
            general.simple_cms_attribute("content_type", "tst_info"),
            general.simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            general.simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
            general.simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(attrs.dump(), padding.PKCS1v15(),
                                   get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, attrs


class KeySigner(signers.Signer):
    """A pyHanko signer over a key-store handle (ECDSA P-256): the key is only asked to ``sign``."""

    def __init__(self, credential: ca.Credential) -> None:
        self._key = credential.key
        super().__init__(
            signing_cert=_asn1(credential.certificate),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in credential.chain]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        )

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(72)  # the largest DER ECDSA P-256 signature
        return bytes(self._key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm))))


# One signer and one time stamper per certificate and process: their certificates are parsed
# (and their DER cached by asn1crypto) once, not for every licence.
_signers: dict[int, KeySigner] = {}
_stampers: dict[int, DistrictTimeStamper] = {}


def timestamper() -> DistrictTimeStamper:
    credential = ca.tsa()
    serial = credential.certificate.serial_number
    if serial not in _stampers:
        _stampers[serial] = DistrictTimeStamper(credential)
    return _stampers[serial]


def signer_for(credential: ca.Credential) -> KeySigner:
    serial = credential.certificate.serial_number
    if serial not in _signers:
        _signers[serial] = KeySigner(credential)
    return _signers[serial]


def _outside_event_loop(func: Callable[[], T]) -> T:
    """Call ``func`` (pyHanko's synchronous API, which runs ``asyncio.run``) here, or in a worker
    thread when this thread already runs an event loop (an async caller, or Playwright's sync API
    in the browser tests), where ``asyncio.run`` would refuse. No database work happens inside."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func).result()


def seal_pdf(pdf: bytes, department: Any, *, reason: str = "", location: str = "") -> bytes:
    """The PDF signed PAdES B-T: the department's seal certificate, plus an RFC 3161 timestamp
    from the district TSA over the signature."""
    credential = ca.department_seal(department)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason or None, location=location or None, name=department.name)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = signers.PdfSigner(meta, signer_for(credential), timestamper=timestamper())
    out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer))
    return bytes(out.getvalue())


@dataclass(frozen=True)
class Validation:
    signed: bool
    intact: bool
    trusted: bool
    timestamped: bool
    signer: str
    signed_at: str
    summary: str

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.timestamped


def validate_pdf(pdf: bytes, *, root_pem: bytes | None = None) -> Validation:
    """Validate the PDF's first signature against the district root (or ``root_pem``), as any
    standard validator would: is it intact (the signed bytes unchanged), trusted (a chain to the
    root), and timestamped by a trusted TSA."""
    root_cert = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(root_pem or ca.root_pem().encode()).public_bytes(serialization.Encoding.DER))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - not a PDF, or broken beyond reading
        return Validation(False, False, False, False, "", "", f"unreadable: {type(exc).__name__}")
    if not sigs:
        return Validation(False, False, False, False, "", "", "no signature")
    context = ValidationContext(trust_roots=[root_cert])
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(
            sigs[0], signer_validation_context=context, ts_validation_context=ValidationContext(trust_roots=[root_cert])))
    except (SigningError, ValueError, KeyError) as exc:
        return Validation(True, False, False, False, "", "", f"invalid: {type(exc).__name__}: {exc}")
    ts = status.timestamp_validity
    return Validation(
        signed=True, intact=bool(status.intact and status.valid), trusted=bool(status.trusted),
        timestamped=bool(ts is not None and ts.intact and ts.valid and ts.trusted),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=str(ts.timestamp) if ts is not None else "",
        summary=status.summary())


def timestamp_response(request_der: bytes) -> bytes:
    """The district TSA over HTTP: an RFC 3161 TimeStampReq in, a TimeStampResp out."""
    req = tsp.TimeStampReq.load(request_der)
    req.native  # noqa: B018 - parse it all now: a malformed request raises ValueError here
    return bytes(timestamper().request_tsa_response(req).dump())


def public_key_of(pem: str) -> Any:
    return x509.load_pem_x509_certificate(pem.encode()).public_key()


__all__ = ["DistrictTimeStamper", "KeySigner", "Validation", "seal_pdf", "timestamp_response",
           "timestamper", "validate_pdf"]
