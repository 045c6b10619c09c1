"""Checking uploaded materials by what the file is, not what it is called."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (kind, content type) by leading bytes.
_MAGIC = [
    (b"%PDF-", ("pdf", "application/pdf")),
    (b"\xff\xd8\xff", ("jpeg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
]


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    sha256: str
    size: int


def sniff(head: bytes, stream: IO[bytes]) -> tuple[str, str] | None:
    for magic, result in _MAGIC:
        if head.startswith(magic):
            return result
    if head.startswith(b"PK\x03\x04"):
        # OFD (GB/T 33190) is a ZIP package whose entry point is OFD.xml at its root.
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as package:
                if "OFD.xml" in package.namelist():
                    return ("ofd", "application/ofd")
        except zipfile.BadZipFile:
            return None
    return None


def check(stream: IO[bytes], size: int | None = None) -> CheckedFile:
    """Refuse oversized files and anything that is not really a PDF, JPEG, PNG or OFD."""
    limit = settings.UPLOAD_MAX_BYTES
    stream.seek(0, 2)
    actual = stream.tell()
    stream.seek(0)
    if actual == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if actual > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(actual / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)},
            code="too_large",
        )
    head = stream.read(16)
    kind = sniff(head, stream)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG, PNG or OFD document (checked by its content, not its name)."),
            code="bad_type",
        )
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(65536), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(kind=kind[0], content_type=kind[1], sha256=digest.hexdigest(), size=actual)
