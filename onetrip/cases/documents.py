"""Printed notices (受理通知书 / 不予受理通知书 / 一次性告知书) as PDF, laid out like a Chinese official
document: the issuing department as a red header over a red rule, the title, the document number,
the applicant addressed, the body, the case facts, the window's contact, the department and the
date over a seal area, and a QR code that opens the public progress lookup of the case.

The content comes from ``selectors.document_content``; this module only lays it out. Fonts:
reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1), which needs no font file."""

from __future__ import annotations

import io
import math
from typing import Any

import segno
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from onetrip.cases.selectors import DocumentContent

FONT = "STSong-Light"
RED = colors.HexColor("#C8102E")
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _style(name: str, size: float, *, align: int = TA_LEFT, leading: float | None = None, color: Any = colors.black,
           indent: float = 0, space_after: float = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=_font(), fontSize=size, leading=leading or size * 1.6, alignment=align,
                          textColor=color, firstLineIndent=indent, spaceAfter=space_after, wordWrap="CJK")


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


class QrCode(Flowable):
    """A QR code drawn as vector squares (sharp at any print resolution)."""

    def __init__(self, data: str, size: float = 26 * mm) -> None:
        super().__init__()
        self.qr = segno.make(data, error="m")
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        matrix = self.qr.matrix
        n = len(matrix)
        module = self.size / (n + 2)  # a quiet zone of one module each side
        c = self.canv
        c.setFillColor(colors.black)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    c.rect((x + 1) * module, self.size - (y + 2) * module, module, module, stroke=0, fill=1)


class SealArea(Flowable):
    """Where the department stamps its seal: a dashed circle with the placeholder “（印章）”."""

    def __init__(self, size: float = 38 * mm) -> None:
        super().__init__()
        self.width = self.height = size

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.HexColor("#9A9A9A"))
        c.setDash(3, 3)
        r = self.width / 2
        c.circle(r, r, r - 1, stroke=1, fill=0)
        c.setFillColor(colors.HexColor("#6B6B6B"))
        c.setFont(_font(), 11)
        c.drawCentredString(r, r - 4, gettext("(seal)"))


class RoundSeal(Flowable):
    """A red round official seal: a double ring, the department's name along the upper arc, a
    five-pointed star in the middle and the seal's purpose below it."""

    def __init__(self, name: str, purpose: str, size: float = 42 * mm) -> None:
        super().__init__()
        self.name, self.purpose = name, purpose
        self.width = self.height = size

    def draw(self) -> None:
        c = self.canv
        r = self.width / 2
        c.saveState()
        c.translate(r, r)
        c.setStrokeColor(RED)
        c.setFillColor(RED)
        c.setLineWidth(2.2)
        c.circle(0, 0, r - 1.5, stroke=1, fill=0)
        c.setLineWidth(0.6)
        c.circle(0, 0, r - 4, stroke=1, fill=0)
        # the star
        star = c.beginPath()
        outer, inner = r * 0.24, r * 0.095
        for i in range(10):
            radius = outer if i % 2 == 0 else inner
            angle = math.pi / 2 + i * math.pi / 5
            x, y = radius * math.cos(angle), radius * math.sin(angle)
            star.moveTo(x, y) if i == 0 else star.lineTo(x, y)
        star.close()
        c.drawPath(star, stroke=0, fill=1)
        # the name along the arc, from lower left over the top to lower right
        text = self.name
        size = min(11.0, max(7.0, 2 * math.pi * r * 0.62 / max(len(text), 1) / 1.1))
        c.setFont(_font(), size)
        span = min(250.0, len(text) * size * 1.15 / (r - 9) * 180 / math.pi)
        start = 90 + span / 2
        for i, ch in enumerate(text):
            angle = start - (span / max(len(text) - 1, 1)) * i if len(text) > 1 else 90
            c.saveState()
            c.rotate(angle - 90)
            c.drawCentredString(0, r - 6 - size, ch)
            c.restoreState()
        c.setFont(_font(), 8)
        c.drawCentredString(0, -r * 0.5, self.purpose)
        c.restoreState()


def build_pdf(content: DocumentContent, *, progress_url: str) -> bytes:
    """The notice as PDF bytes (A4)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=26 * mm, rightMargin=26 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=f"{content.title} {content.case_number}",
                            author=content.department, subject=content.item, creator="OneTrip")
    header = _style("header", 20, align=TA_CENTER, color=RED, leading=28)
    title = _style("title", 22, align=TA_CENTER, leading=32)
    number = _style("number", 11, align=TA_CENTER, leading=18)
    body = _style("body", 12, leading=21, indent=24, space_after=4)
    plain = _style("plain", 12, leading=21)
    small = _style("small", 10, leading=15)
    cell = _style("cell", 10.5, leading=15)
    right = _style("right", 12, align=TA_RIGHT, leading=21)

    story: list[Flowable] = [
        Paragraph(_esc(content.department), header),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=10),
        Paragraph(_esc(content.title), title),
        Paragraph(_esc(content.document_number), number),
        Spacer(1, 8),
        Paragraph(_esc(gettext("%(name)s:") % {"name": content.applicant}), plain),
    ]
    story += [Paragraph(_esc(p), body) for p in content.paragraphs[:1]]
    if content.lines:
        rows = [[Paragraph(gettext("No."), cell), Paragraph(_esc(gettext("Material")), cell),
                 Paragraph(_esc(gettext("What is missing or wrong")), cell)]]
        rows += [[Paragraph(str(i), cell), Paragraph(_esc(m), cell), Paragraph(_esc(r), cell)]
                 for i, (m, r) in enumerate(content.lines, 1)]
        table = Table(rows, colWidths=[12 * mm, 70 * mm, 76 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story += [Spacer(1, 4), table, Spacer(1, 8)]
    story += [Paragraph(_esc(p), body) for p in content.paragraphs[1:]]

    facts = [(gettext("Case number"), content.case_number), (gettext("Item"), content.item),
             (gettext("Applicant"), content.applicant)]
    if content.received_on:
        facts.append((gettext("Received"), f"{content.received_on:%Y-%m-%d}"))
    fact_rows = [[Paragraph(_esc(k), cell), Paragraph(_esc(v), cell)] for k, v in facts]
    facts_table = Table(fact_rows, colWidths=[30 * mm, 128 * mm])
    facts_table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story += [Spacer(1, 6), facts_table, Spacer(1, 8)]
    if content.contact:
        story.append(Paragraph(_esc(gettext("Contact")), plain))
        story += [Paragraph(_esc(gettext("%(label)s: %(value)s") % {"label": k, "value": v}), small)
                  for k, v in content.contact]

    qr_block = Table([[QrCode(progress_url)], [Paragraph(_esc(gettext("Scan to follow the case")), small)]],
                     colWidths=[34 * mm])
    qr_block.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    issued = gettext("%(y)s-%(m)s-%(d)s") % {"y": content.issued_on.year, "m": content.issued_on.month,
                                             "d": content.issued_on.day}
    stamp: Flowable = RoundSeal(content.department, content.seal) if content.seal else SealArea()
    sign_rows = [[stamp], [Paragraph(_esc(content.department), right)], [Paragraph(_esc(issued), right)]]
    if content.signed_by:
        sign_rows.append([Paragraph(_esc(gettext("Signed electronically by %(name)s") % {"name": content.signed_by}),
                                    _style("signed", 9.5, align=TA_RIGHT, leading=14))])
    sign = Table(sign_rows, colWidths=[90 * mm])
    sign.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "RIGHT")]))
    bottom = Table([[qr_block, sign]], colWidths=[60 * mm, 98 * mm])
    bottom.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [Spacer(1, 10), KeepTogether([bottom])]
    doc.build(story)
    return out.getvalue()


def filename(content: DocumentContent) -> str:
    """The download's name: kind and case number (Chinese title + number in Chinese)."""
    return f"{content.title}-{content.case_number}.pdf"
