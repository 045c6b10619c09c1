"""收据: the receipt of a paid bill as PDF, laid out with the printed notices' fonts and styles
(``onetrip.cases.documents``: STSong-Light, the department as a red header)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onetrip.cases.documents import RED, _esc, _font, _style
from onetrip.payments import rules
from onetrip.payments.models import Bill, Payment


def render_receipt(bill: Bill, payment: Payment) -> bytes:
    case = bill.case
    app = case.application
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A5), leftMargin=14 * mm, rightMargin=14 * mm, topMargin=10 * mm,
                            bottomMargin=10 * mm, title=_("Payment receipt"), author=case.department.name)
    paid_at = timezone.localtime(payment.at).strftime("%Y-%m-%d %H:%M")
    rows = [
        (_("Receipt number"), f"{case.number}-{payment.pk:06d}"),
        (_("Payer"), app.company.name if app.company_id else app.applicant_name),  # type: ignore[union-attr]
        (_("Case number"), case.number or ""),
        (_("Service"), case.version.name),
        (_("Fee"), bill.name + (f"（{bill.quantity} {bill.unit_label}）" if bill.quantity else "")),
        (_("Standard"), bill.standard),
        (_("Legal basis"), bill.basis),
        (_("Amount"), rules.yuan(payment.amount_fen)),
        (_("Paid at"), paid_at),
        (_("Transaction"), f"{payment.provider} · {payment.provider_reference}"),
    ]
    cell = _style("cell", 10, leading=14)
    table = Table([[Paragraph(_esc(k), cell), Paragraph(_esc(str(v)), cell)] for k, v in rows],
                  colWidths=[34 * mm, None])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), _font())]))
    story = [
        Paragraph(_esc(case.department.name), _style("dept", 14, align=TA_CENTER, color=RED)),
        HRFlowable(width="100%", thickness=1.2, color=RED, spaceBefore=2, spaceAfter=6),
        Paragraph(_esc(_("Payment receipt")), _style("title", 18, align=TA_CENTER, space_after=6)),
        table,
        Spacer(1, 4 * mm),
        Paragraph(_esc(_("Paid online through the unified payment platform. Keep this receipt.")), _style("n", 9)),
    ]
    doc.build(story)
    return out.getvalue()
