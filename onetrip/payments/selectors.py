"""Reads of 统一支付: a case's bills for its pages and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from onetrip.cases.models import Case
from onetrip.cases.rules import is_applicant
from onetrip.cases.selectors import is_staff_viewer, visible_cases
from onetrip.payments import rules
from onetrip.payments.models import Bill, BillState, Payment


def bills_of(case: Case) -> list[Bill]:
    return list(Bill.objects.filter(case=case).prefetch_related("payments").order_by("id"))


def bill_for(user: Any, reference: str) -> Bill | None:
    """The bill with this reference, if the user may see its case."""
    bill = Bill.objects.select_related("case").filter(reference=reference).first()
    if bill is None or not visible_cases(user).filter(pk=bill.case_id).exists():
        return None
    return bill


def bill_line(bill: Bill) -> dict[str, Any]:
    paid = next((p for p in bill.payments.all() if p.kind == Payment.Kind.PAYMENT), None)
    refund = next((p for p in bill.payments.all() if p.kind == Payment.Kind.REFUND), None)
    return {
        "bill": bill, "reference": bill.reference, "name": bill.name, "basis": bill.basis, "standard": bill.standard,
        "quantity": bill.quantity, "unit": bill.unit_label, "amount_fen": bill.amount_fen,
        "amount": rules.yuan(bill.amount_fen), "state": bill.state, "state_label": bill.get_state_display(),
        "blocks_result": bill.blocks_result, "paid_at": bill.paid_at, "closed_at": bill.closed_at,
        "payment": paid, "refund": refund,
    }


def panel(case: Case, user: Any, audience: str) -> dict[str, Any] | None:
    """The bills section of the case page (applicant: pay), the workbench (staff: status) and the
    public progress page (amounts and states only)."""
    bills = bills_of(case)
    if not bills:
        return None
    lines = [bill_line(b) for b in bills]
    if audience == "public":
        return {"title": _("Fees to pay"), "rows": [(f"{x['name']} {x['amount']}", x["state_label"]) for x in lines]}
    waiting = rules.result_waits_for(bills)
    return {"bills": lines, "waiting": bool(waiting), "may_pay": is_applicant(case, user),
            "staff": is_staff_viewer(user, case), "due": [x for x in lines if x["state"] == BillState.DUE]}
