"""Checking uploaded materials by what the file is, not what it is called.

The first bytes only say what a file claims to be (``%PDF-`` followed by a web page is not a
PDF), so each kind is opened with a parser for it, and refused with a sentence if it does not
parse:

- a PDF must open with pypdf, have at least one page, not be encrypted, and carry no scripts,
  automatic actions or embedded files (names looked up in every object reachable from the
  trailer, so hex-escaped names and compressed object streams do not hide them); it is stored
  as uploaded;
- a JPEG or PNG is decoded with Pillow (refused above ``UPLOAD_MAX_PIXELS``, before its pixels
  are decoded: decompression bombs) and stored re-encoded, turned upright by its EXIF
  orientation and without its metadata (a phone photo's EXIF carries where it was taken);
- an OFD (GB/T 33190) is a ZIP package with ``OFD.xml`` at its root; every entry is read and
  its CRC checked (zipfile stops at an entry's declared size, so a lying size fails the CRC),
  and a package whose entries add up to more than ``OFD_MAX_UNPACKED_BYTES`` (zip bombs) or that
  holds more than ``OFD_MAX_ENTRIES`` entries is refused before anything is unpacked.

The sha256 and size returned are those of the bytes to store.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

# (kind, content type) by leading bytes.
_MAGIC = [
    (b"%PDF-", ("pdf", "application/pdf")),
    (b"\xff\xd8\xff", ("jpeg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
]

# PDF names that make a document act by itself: scripts, actions run on opening or on events,
# launching programs, files carried inside, rich media and forms that submit or import data.
_ACTIVE_PDF_NAMES = frozenset({
    "/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
    "/RichMedia", "/SubmitForm", "/ImportData", "/GoToE", "/XFA",
})
_PDF_MAX_OBJECTS = 200_000


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    sha256: str
    size: int
    content: IO[bytes] = field(compare=False, repr=False)  # the bytes to store, at position 0


def sniff(head: bytes, stream: IO[bytes]) -> tuple[str, str] | None:
    for magic, result in _MAGIC:
        if head.startswith(magic):
            return result
    if head.startswith(b"PK\x03\x04"):
        return ("ofd", "application/ofd")  # checked as a package by _check_ofd
    return None


def save_with_file(row: Any, checked: CheckedFile) -> None:
    """Store a checked file in ``row.file`` (named by its SHA-256) and save the row; if the row
    cannot be saved, the file just stored goes again. (A process that dies in between leaves a
    file no row names: the ``cases.orphan_uploads`` job sweeps those.)"""
    row.file.save(f"{checked.sha256[:2]}/{checked.sha256}.{checked.kind}", File(checked.content), save=False)
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise


def check(stream: IO[bytes], size: int | None = None) -> CheckedFile:
    """Refuse oversized files and anything that is not really a PDF, JPEG, PNG or OFD; return
    what to store (images re-encoded) with its sha256."""
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
    stream.seek(0)
    kind = sniff(head, stream)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG, PNG or OFD document (checked by its content, not its name)."),
            code="bad_type",
        )
    stream.seek(0)
    if kind[0] == "pdf":
        _check_pdf(stream)
        content: IO[bytes] = stream
    elif kind[0] == "ofd":
        _check_ofd(stream)
        content = stream
    else:
        content = _reencode_image(stream, kind[0])
    content.seek(0)
    digest = hashlib.sha256()
    stored = 0
    for chunk in iter(lambda: content.read(65536), b""):
        digest.update(chunk)
        stored += len(chunk)
    content.seek(0)
    return CheckedFile(kind=kind[0], content_type=kind[1], sha256=digest.hexdigest(), size=stored,
                       content=content)


# --- PDF ---------------------------------------------------------------------------------------

def _unreadable_pdf() -> ValidationError:
    return ValidationError(
        _("This PDF cannot be opened: it is damaged or not really a PDF. Save or scan it again as a PDF "
          "and upload the new file."), code="bad_pdf")


def _check_pdf(stream: IO[bytes]) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _("This PDF is protected with a password or encrypted. Upload it without protection."),
                    code="encrypted_pdf")
            if len(reader.pages) < 1:
                raise _unreadable_pdf()
            active = _active_content(reader.trailer)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError, ZeroDivisionError) as exc:
        raise _unreadable_pdf() from exc
    finally:
        stream.seek(0)
    if active:
        raise ValidationError(
            _("This PDF contains scripts, automatic actions or embedded files, which materials may not "
              "carry. Upload a plain PDF (print it to PDF or scan it again)."), code="active_pdf")


def _active_content(root: Any) -> bool:
    """Whether any object reachable from ``root`` uses a name that makes the document act."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    todo: list[Any] = [root]
    visited = 0
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in _ACTIVE_PDF_NAMES or (isinstance(value, NameObject) and value in _ACTIVE_PDF_NAMES):
                    return True
                if key != "/Parent":  # pages point back up to their tree; it is walked from the root
                    todo.append(value)
        elif isinstance(node, ArrayObject):
            todo.extend(node)
    return False


# --- images ------------------------------------------------------------------------------------

def _reencode_image(stream: IO[bytes], kind: str) -> IO[bytes]:
    from PIL import Image, ImageOps

    fmt = "JPEG" if kind == "jpeg" else "PNG"
    unreadable = ValidationError(
        _("This image cannot be read: it is damaged or not really a JPEG or PNG. Take or scan it again and "
          "upload the new file."), code="bad_image")
    cap = settings.UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=[fmt])
            width, height = image.size
            if width * height > cap:
                raise ValidationError(
                    _("This image is %(pixels)s million pixels; the limit is %(limit)s million. Take it at a "
                      "lower resolution.") % {"pixels": round(width * height / 1e6, 1),
                                              "limit": round(cap / 1e6, 1)},
                    code="too_many_pixels")
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            icc = image.info.get("icc_profile")
            extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
            if fmt == "JPEG":
                if upright.mode not in {"L", "RGB", "CMYK"}:
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90, optimize=True, **extra)
            else:
                upright.save(out, "PNG", optimize=False, **extra)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("This image is too large to open safely. Take it at a lower resolution."),
            code="too_many_pixels") from None
    except (OSError, ValueError, SyntaxError, TypeError, IndexError, KeyError, EOFError, ZeroDivisionError,
            MemoryError) as exc:
        raise unreadable from exc
    finally:
        stream.seek(0)
    out.seek(0)
    return out


# --- OFD ---------------------------------------------------------------------------------------

def _check_ofd(stream: IO[bytes]) -> None:
    unreadable = ValidationError(
        _("This OFD document cannot be opened: it is damaged or not a complete OFD package. Export it "
          "again and upload the new file."), code="bad_ofd")
    cap = settings.OFD_MAX_UNPACKED_BYTES
    too_big = ValidationError(
        _("This OFD document unpacks to more than %(limit)s MB. Upload a smaller document.")
        % {"limit": round(cap / 1_048_576)}, code="ofd_too_large")
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
            if len(entries) > settings.OFD_MAX_ENTRIES:
                raise too_big
            if "OFD.xml" not in {e.filename for e in entries}:
                raise unreadable
            if sum(e.file_size for e in entries) > cap:
                raise too_big
            for entry in entries:
                # zipfile never unpacks more than an entry's declared size, and an entry whose
                # declared size or CRC lies fails its CRC check: read each one to the end.
                with package.open(entry) as member:
                    while member.read(65536):
                        pass
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError,
            KeyError, RuntimeError) as exc:  # RuntimeError: an entry encrypted with a password
        raise unreadable from exc
    finally:
        stream.seek(0)
