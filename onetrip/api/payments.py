"""统一支付 over the API (mounted under ``/api/v1``): the bills of a case, starting a payment (the
provider's checkout address), the provider's signed callback, and the receipt PDF.

The callback takes the provider's raw body (its signature covers the exact bytes) and answers:
200 accepted (or ``duplicate``: the bill was paid already, nothing changed), 400 malformed or
stale, 403 a bad signature or an unknown provider, 404 an unknown bill, 409 a replayed
notification, a mismatched amount or a bill no longer due. Each refusal is logged."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from onetrip.accounts.models import User
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers
from onetrip.cases.selectors import visible_cases
from onetrip.payments import providers, selectors, services

router = Router(tags=["payments"])


class PaymentOut(Schema):
    kind: Literal["payment", "refund"]
    amount_fen: int
    at: dt.datetime
    provider: str
    provider_reference: str


class BillOut(Schema):
    reference: str = Field(..., description="The bill's unguessable reference: pay and download the receipt with it.")
    name: str
    standard: str
    basis: str = Field(..., description="The legal basis of the fee.")
    quantity: str = Field(..., description="Units charged for a per-unit fee (empty for a fixed fee).")
    unit: str
    amount_fen: int = Field(..., description="The amount in fen (分), an integer.")
    amount: str = Field(..., description="The amount as shown: ¥12.50.")
    state: Literal["due", "paid", "refunded", "cancelled"]
    state_label: str
    blocks_result: bool = Field(..., description="The result waits until this bill is paid.")
    payments: list[PaymentOut]


class CheckoutOut(Schema):
    checkout_url: str = Field(..., description="Send the payer here to pay (the provider's page).")


class CallbackOut(Schema):
    result: Literal["accepted", "duplicate"]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _bill_out(line: dict[str, Any]) -> dict[str, Any]:
    return {**{k: line[k] for k in ("reference", "name", "standard", "basis", "quantity", "unit", "amount_fen",
                                    "amount", "state", "state_label", "blocks_result")},
            "payments": [{"kind": p.kind, "amount_fen": p.amount_fen, "at": p.at, "provider": p.provider,
                          "provider_reference": p.provider_reference} for p in line["bill"].payments.all()]}


@router.get("/cases/{number}/bills", response=answers({200: list[BillOut]}, 401, 404), auth=token_or_session)
def case_bills(request: HttpRequest, number: str) -> Any:
    """The bills of a case (the applicant and the staff who may see it), with their payments."""
    case = visible_cases(_user(request)).filter(number=number).first()
    if case is None:
        raise HttpError(404, f"No case {number} that you may see.")
    return [_bill_out(selectors.bill_line(b)) for b in selectors.bills_of(case)]


def _bill(request: HttpRequest, reference: str) -> Any:
    bill = selectors.bill_for(_user(request), reference)
    if bill is None:
        raise HttpError(404, "No such bill on a case you may see.")
    return bill


@router.post("/bills/{reference}/pay", response=answers({200: CheckoutOut}, 401, 403, 404, 409),
             auth=token_or_session)
def start_payment(request: HttpRequest, reference: str) -> Any:
    """The applicant starts paying a bill: the answer is the provider's checkout address."""
    url = services.start_payment(actor=_user(request), bill=_bill(request, reference))
    return {"checkout_url": request.build_absolute_uri(url)}


_CALLBACK_STATUS = {"forged": 403, "unknown_provider": 403, "malformed": 400, "stale": 400, "unknown_bill": 404,
                    "replayed": 409, "amount_mismatch": 409, "not_due": 409}


@router.post("/payments/callbacks/{provider}", response=answers({200: CallbackOut}, 400, 403, 404, 409), auth=None,
             openapi_extra={"description": (
                 "The payment provider's notification that a bill was paid: the provider's raw JSON body, "
                 "signed in the header X-OneTrip-Signature (sandbox: sha256=HMAC-SHA256 of the body under "
                 "PAYMENT_SANDBOX_SECRET). Verified before anything is read; a refused callback is logged "
                 "and changes nothing; a second valid notification for a paid bill changes nothing.")})
def payment_callback(request: HttpRequest, provider: str) -> Any:
    try:
        log = services.receive_callback(provider=provider, body=request.body, headers=request.headers)
    except providers.CallbackRefused as refused:
        raise HttpError(_CALLBACK_STATUS.get(refused.reason, 400), f"Callback refused: {refused.reason}") from None
    return {"result": "accepted" if log.verdict == "accepted" else "duplicate"}


@router.get("/bills/{reference}/receipt", response=answers({200: None}, 401, 404), auth=token_or_session,
            openapi_extra={"responses": {200: {
                "description": "The receipt of the paid bill as a PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def receipt(request: HttpRequest, reference: str) -> Any:
    """收据 of a paid bill (404 while unpaid). Each download is on the trail."""
    try:
        content, filename = services.receipt(actor=_user(request), bill=_bill(request, reference))
    except services.Refused:
        raise HttpError(404, "This bill has not been paid: there is no receipt.") from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
