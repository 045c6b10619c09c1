"""Uploads are parsed, not sniffed: crafted files that only start like a PDF, image or OFD are refused."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from onetrip.cases import services
from onetrip.cases.models import CaseMaterial
from onetrip.cases.uploads import check

from .conftest import PDF, pdf, png

MATERIAL = "个体工商户登记（备案）申请书"


def refused(data: bytes, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(io.BytesIO(data))
    assert caught.value.code == code, caught.value
    return caught.value


def writer_pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

def test_a_real_pdf_is_stored_as_uploaded():
    checked = check(io.BytesIO(PDF))
    assert checked.kind == "pdf" and checked.content.read() == PDF
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest() and checked.size == len(PDF)


def test_a_pdf_header_followed_by_html_is_refused():
    refused(b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n", "bad_pdf")


def test_a_pdf_without_pages_is_refused():
    refused(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "bad_pdf")


def test_an_encrypted_pdf_is_refused():
    refused(writer_pdf(lambda w: w.encrypt(user_password="", owner_password="owner")), "encrypted_pdf")


def add_js(writer) -> None:
    """Document-level JavaScript in the catalogue's name tree (what add_js once wrote)."""
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi');")})
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(action)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def test_a_pdf_with_document_javascript_is_refused():
    refused(writer_pdf(add_js), "active_pdf")


def test_a_pdf_with_an_open_action_is_refused():
    def open_action(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("http://example.com/")})

    refused(writer_pdf(open_action), "active_pdf")


def test_a_pdf_with_an_embedded_file_is_refused():
    refused(writer_pdf(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00")), "active_pdf")


def test_a_link_that_launches_a_program_is_refused():
    def launch(writer):
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                   NameObject("/F"): TextStringObject("cmd.exe")})
        link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                 NameObject("/Rect"): ArrayObject([]), NameObject("/A"): action})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])

    refused(writer_pdf(launch), "active_pdf")


def test_a_hex_escaped_javascript_name_is_found_too():
    # /J#61vaScript is /JavaScript to a PDF reader; a byte search would miss it.
    data = writer_pdf(add_js).replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in data
    refused(data, "active_pdf")


def test_a_truncated_pdf_is_refused():
    refused(PDF[: len(PDF) // 2], "bad_pdf")


# --- images ------------------------------------------------------------------------------------

def jpeg_with_gps(orientation: int = 1, size: tuple[int, int] = (40, 20)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (29.0, 1.0, 30.0), "E", (111.0, 41.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def test_a_phone_photo_loses_its_gps_and_camera_metadata():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the crafted photo has GPS
    checked = check(io.BytesIO(original))
    stored = checked.content.read()
    assert checked.kind == "jpeg" and stored != original
    reopened = Image.open(io.BytesIO(stored))
    assert not reopened.getexif() and b"Exif" not in stored and b"PhoneMaker" not in stored
    assert checked.sha256 == hashlib.sha256(stored).hexdigest() and checked.size == len(stored)


def test_a_rotated_photo_is_stored_upright():
    checked = check(io.BytesIO(jpeg_with_gps(orientation=6)))  # 6: turn 90° clockwise to view
    image = Image.open(checked.content)
    assert image.size == (20, 40)
    top = image.getpixel((10, 2))
    assert top[2] > 150 > top[0]  # the left (blue) half of the sensor is now on top


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret location 29.0N 111.7E")
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG", pnginfo=info)
    stored = check(io.BytesIO(out.getvalue())).content.read()
    assert b"secret location" not in stored and Image.open(io.BytesIO(stored)).size == (4, 4)


def test_a_decompression_bomb_is_refused_before_decoding(settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    bomb = png(size=(2000, 1000))  # 2 million pixels, a few kilobytes compressed
    assert len(bomb) < 20_000
    refused(bomb, "too_many_pixels")


def test_a_png_header_followed_by_html_is_refused():
    refused(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "bad_image")


def test_a_truncated_jpeg_is_refused():
    data = jpeg_with_gps(size=(400, 400))
    refused(data[: len(data) // 2], "bad_image")


# --- OFD ---------------------------------------------------------------------------------------

def ofd(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


OFD_XML = b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'


def test_a_real_ofd_package_is_accepted():
    data = ofd({"OFD.xml": OFD_XML, "Doc_0/Document.xml": b"<Document/>"})
    checked = check(io.BytesIO(data))
    assert checked.kind == "ofd" and checked.content.read() == data


def test_a_zip_without_ofd_xml_is_refused():
    refused(ofd({"word/document.xml": b"<w/>"}), "bad_ofd")


def test_a_zip_bomb_is_refused(settings):
    settings.OFD_MAX_UNPACKED_BYTES = 1_048_576
    bomb = ofd({"OFD.xml": OFD_XML, "Doc_0/padding.bin": b"\0" * 5_000_000})
    assert len(bomb) < 20_000
    refused(bomb, "ofd_too_large")


def test_a_zip_bomb_that_lies_about_its_sizes_is_refused(settings):
    settings.OFD_MAX_UNPACKED_BYTES = 1_048_576
    bomb = bytearray(ofd({"OFD.xml": OFD_XML, "Doc_0/padding.bin": b"\0" * 5_000_000}))
    # Write a small uncompressed size into the local header and the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := bytes(bomb).find(signature, start)) >= 0:
            name_len = int.from_bytes(bomb[at + (26 if signature == b"PK\x03\x04" else 28):][:2], "little")
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if bomb[name_at:name_at + name_len] == b"Doc_0/padding.bin":
                bomb[at + offset:at + offset + 4] = (1000).to_bytes(4, "little")
            start = at + 4
    refused(bytes(bomb), "bad_ofd")  # unpacked only to its declared size, where the CRC fails


def test_a_damaged_zip_is_refused():
    data = ofd({"OFD.xml": OFD_XML, "Doc_0/Document.xml": b"<Document>" * 100})
    refused(data[:-30], "bad_ofd")


# --- through the service -----------------------------------------------------------------------

@pytest.mark.django_db
def test_the_stored_file_and_its_hash_are_the_re_encoded_bytes(citizen, item):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    photo = jpeg_with_gps()
    m = services.upload_material(actor=citizen, application=application, name=MATERIAL,
                                 stream=io.BytesIO(photo), original_name="IMG_0001.jpg")
    stored = m.file.read()
    assert stored != photo and b"PhoneMaker" not in stored
    assert m.sha256 == hashlib.sha256(stored).hexdigest() and m.size == len(stored)


@pytest.mark.django_db
def test_a_disguised_pdf_is_refused_and_nothing_is_stored(citizen, item, settings):
    application, _ = services.create_application(actor=citizen, item_code=item.item.code)
    with pytest.raises(ValidationError, match="cannot be opened"):
        services.upload_material(actor=citizen, application=application, name=MATERIAL,
                                 stream=io.BytesIO(b"%PDF-1.7\n<html>hi</html>"), original_name="scan.pdf")
    assert not CaseMaterial.objects.exists()


def test_the_suite_s_sample_pdf_is_real():
    assert len(PdfReader(io.BytesIO(pdf("x"))).pages) == 1
