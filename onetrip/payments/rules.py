"""The rules of 统一支付 (fees), one named function each.

Amounts are integers in fen (分) everywhere. A fee's amount rule (``catalog.Fee.amount_rule``):

- ``fixed``: the bill is ``amount_fen``;
- ``per_unit``: ``amount_fen`` is the price of one unit and the application form gives the
  number of units under ``unit_field`` (a decimal with at most two places, e.g. 12.35 m²). The
  amount is quantity × price rounded **half up to the whole fen** (12.345 → 12.35 fen is never
  stored: 0.5 fen and above rounds up, below it rounds down), computed in ``Decimal``, never
  in floating point;
- ``none``: the standard is text only and no bill is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onetrip.catalog.models import Fee, FeeRule

MAX_QUANTITY = Decimal("1000000")


def quantity_of(fee: Fee, form: Mapping[str, Any]) -> Decimal:
    """The number of units the form gives for a per-unit fee: positive, at most two decimal places."""
    raw = form.get(fee.unit_field)
    if isinstance(raw, bool) or raw is None or str(raw).strip() == "":
        raise ValidationError(_("The application form does not give the number of %(u)s the fee “%(f)s” is "
                                "charged by.") % {"u": fee.unit_label, "f": fee.name}, code="no_quantity")
    try:
        q = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(_("“%(v)s” is not a number of %(u)s.") % {"v": raw, "u": fee.unit_label},
                              code="bad_quantity") from None
    if not q.is_finite() or q <= 0 or q > MAX_QUANTITY or q != q.quantize(Decimal("0.01")):
        raise ValidationError(_("The number of %(u)s must be above zero, with at most two decimal places.")
                              % {"u": fee.unit_label}, code="bad_quantity")
    return q


def fee_amount(fee: Fee, form: Mapping[str, Any]) -> tuple[int, str]:
    """收费金额: (amount in fen, quantity as text) for this fee and application form; (0, "") when
    the fee raises no bill."""
    if fee.amount_rule == FeeRule.FIXED:
        return fee.amount_fen, ""
    if fee.amount_rule == FeeRule.PER_UNIT:
        q = quantity_of(fee, form)
        fen = (q * fee.amount_fen).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return int(fen), str(q)
    return 0, ""


def yuan(fen: int) -> str:
    """An amount in fen as the payer reads it: 1250 → ¥12.50 (integer arithmetic only)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def result_waits_for(bills: list[Any]) -> list[Any]:
    """先缴费后出证: the unpaid bills the law makes the result wait for."""
    from onetrip.payments.models import BillState

    return [b for b in bills if b.state == BillState.DUE and b.blocks_result]


def refund_on_withdrawal(bill: Any) -> bool:
    """撤回退费: a paid bill is refunded when the application is withdrawn, if its fee allows."""
    from onetrip.payments.models import BillState

    return bill.state == BillState.PAID and bill.refundable


def charged_off_catalogue(bill_fen: int, charged_fen: int) -> bool:
    """收费按目录 (no fee outside the catalogue): every bill is raised from the item's published fee
    and its standard; a payment reported for any other amount is refused, and it is recorded for
    e-supervision as a charge that is not the catalogue's fee."""
    return charged_fen != bill_fen
