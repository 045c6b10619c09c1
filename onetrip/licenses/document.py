"""The licence as a PDF (and the signed decision notice): a Chinese certificate layout with the
issuing department's red round seal and a QR code to the public verification page. Fonts, QR
code and styles are the printed notices' (``cases.documents``); this module adds the certificate
layout and the seal. The PDF is then signed (``pades.seal_pdf``): the drawn seal is what people
see, the digital signature is what proves it."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onetrip.cases.documents import RED, QrCode, RoundSeal, _esc, _style


@dataclass(frozen=True)
class LicenceContent:
    title: str  # the licence type, e.g. 个体工商户营业执照
    number: str
    identifier: str
    fields: list[tuple[str, str]]  # label, value
    department: str
    issued_on: dt.date
    verify_url: str


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_licence_pdf(content: LicenceContent) -> bytes:
    """The certificate (A4, portrait), not yet signed."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=24 * mm, rightMargin=24 * mm, topMargin=22 * mm,
                            bottomMargin=18 * mm, title=f"{content.title} {content.number}",
                            author=content.department, subject=content.title, creator="OneTrip")
    title = _style("lic-title", 28, align=TA_CENTER, leading=40, color=RED)
    small = _style("lic-small", 9.5, align=TA_CENTER, leading=14)
    label = _style("lic-label", 12, leading=19)
    value = _style("lic-value", 12.5, leading=19)
    right = _style("lic-right", 12.5, align=TA_RIGHT, leading=20)
    story: list[Flowable] = [
        Paragraph(_esc(content.title), title),
        Paragraph(_esc(f"证照编号：{content.number}"), small),
        Paragraph(_esc(f"证照标识：{content.identifier}"), small),
        Spacer(1, 12),
    ]
    rows = [[Paragraph(_esc(k), label), Paragraph(_esc(v), value)] for k, v in content.fields]
    table = Table(rows, colWidths=[38 * mm, 124 * mm])
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    story += [table, Spacer(1, 18)]
    qr = Table([[QrCode(content.verify_url, size=30 * mm)], [Paragraph("扫码核验真伪", small)]], colWidths=[36 * mm])
    qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    sign = Table([[RoundSeal(content.department, "电子证照专用章")],
                  [Paragraph(_esc(f"发证机关：{content.department}"), right)],
                  [Paragraph(_esc(_date(content.issued_on)), right)]], colWidths=[100 * mm])
    sign.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "RIGHT")]))
    bottom = Table([[qr, sign]], colWidths=[60 * mm, 102 * mm])
    bottom.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [bottom, Spacer(1, 10),
              Paragraph("本电子证照由发证机关以电子印章签署并加盖可信时间戳，与纸质证照具有同等法律效力。"
                        "核验：扫描二维码或访问证照核验页面。", small)]
    doc.build(story)
    return out.getvalue()
