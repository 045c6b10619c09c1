from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onetrip.accounts.permissions import Capability, require
from onetrip.cases.rules import Refused
from onetrip.payments import providers, rules, selectors, services
from onetrip.payments.models import Bill, BillState


def _bill(request: HttpRequest, number: str, reference: str) -> Bill:
    bill = selectors.bill_for(request.user, reference)
    if bill is None or bill.case.number != number:
        raise Http404(_("No such bill on a case you may see."))
    return bill


@require_http_methods(["GET", "POST"])
@require(Capability.VIEW_OWN_PROFILE)
def pay(request: HttpRequest, number: str, reference: str) -> HttpResponseBase:
    """The bill and its "pay" button (the applicant); POST goes on to the provider's checkout."""
    bill = _bill(request, number, reference)
    if request.method == "POST":
        try:
            url = services.start_payment(actor=request.user, bill=bill)  # type: ignore[arg-type]
        except Refused as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("cases:case", number)
        return redirect(url)
    return render(request, "payments/pay.html", {"case": bill.case, "line": selectors.bill_line(bill),
                                                 "providers": [p.label for p in providers.PROVIDERS.values()]})


@require_safe
@require(Capability.VIEW_OWN_PROFILE)
def receipt(request: HttpRequest, number: str, reference: str) -> HttpResponse:
    bill = _bill(request, number, reference)
    try:
        content, filename = services.receipt(actor=request.user, bill=bill)  # type: ignore[arg-type]
    except Refused:
        raise Http404(_("This bill has not been paid: there is no receipt.")) from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def sandbox_bank(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The sandbox bank's checkout page (a simulation for the demo and tests): confirm and it sends
    the signed notification through the same function the HTTP callback runs."""
    bill = Bill.objects.select_related("case__department", "case__version").filter(reference=reference).first()
    if bill is None:
        raise Http404(_("No such bill."))
    if request.method == "POST":
        sandbox = providers.PROVIDERS["sandbox"]
        assert isinstance(sandbox, providers.SandboxProvider)
        if request.POST.get("choice") == "pay" and bill.state == BillState.DUE:
            body = sandbox.notification(bill)
            try:
                services.receive_callback(provider="sandbox", body=body,
                                          headers={providers.SIGNATURE_HEADER: sandbox.sign(body)})
            except providers.CallbackRefused:
                messages.error(request, _("The payment could not be confirmed; nothing was charged."))
            else:
                messages.success(request, _("Paid %(a)s. The receipt is on your case page.") % {
                    "a": rules.yuan(bill.amount_fen)})
        else:
            messages.info(request, _("Payment cancelled; nothing was charged."))
        return redirect("cases:case", bill.case.number)
    return render(request, "payments/sandbox_bank.html", {"bill": bill, "amount": rules.yuan(bill.amount_fen)})
