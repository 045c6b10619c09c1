from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, require
from onetrip.cases.models import Application
from onetrip.cases.rules import is_applicant
from onetrip.cases.selectors import visible_cases
from onetrip.core.identity import mask_mobile, mask_name
from onetrip.delivery import rules, selectors, services
from onetrip.delivery.models import ShipmentState


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_http_methods(["GET", "POST"])
@require(Capability.VIEW_OWN_PROFILE)
def choose(request: HttpRequest, number: str) -> HttpResponseBase:
    """The applicant's choice of pickup or post (the delivery panel of the case page, also on a
    page of its own); staff see the choice and the shipment."""
    case = visible_cases(request.user).filter(number=number).first()
    if case is None:
        raise Http404(_("No case %(n)s that you may see.") % {"n": number})
    if request.method == "GET":
        return render(request, "delivery/choose.html", {"case": case,
                                                        "panel": selectors.panel(case, request.user, "applicant")})
    try:
        services.choose_delivery(actor=_user(request), case=case, method=request.POST.get("method", ""),
                                 recipient_name=request.POST.get("recipient_name", ""),
                                 address=request.POST.get("address", ""), phone=request.POST.get("phone", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Saved: how you get the result."))
    return redirect(reverse("cases:case", args=[number]) + "#delivery-h")


@require_http_methods(["GET", "POST"])
@require(Capability.VIEW_OWN_PROFILE)
def choose_for_application(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The choice made on the application form before submitting (each case of the application;
    the form is a panel of the application page, also on a page of its own)."""
    application = Application.objects.filter(pk=pk).first()
    if application is None or not is_applicant(application, request.user):
        raise Http404(_("No such application."))
    if request.method == "GET":
        return render(request, "delivery/choose_apply.html", {
            "app": application, "panel": selectors.apply_panel(application, request.user, "apply")})
    try:
        services.choose_for_application(actor=_user(request), application=application,
                                        method=request.POST.get("method", ""),
                                        recipient_name=request.POST.get("recipient_name", ""),
                                        address=request.POST.get("address", ""), phone=request.POST.get("phone", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Saved: how you get the result."))
    return redirect(reverse("cases:application", args=[pk]) + "#delivery-h")


@require(Capability.HAND_OUT_RESULTS)
def queue(request: HttpRequest) -> HttpResponse:
    """待邮寄: the results to be posted (and the ones on their way), oldest first; addresses masked
    until a shipment is opened."""
    state = request.GET.get("state", "created")
    rows = [(s, mask_name(s.recipient_name), rules.mask_address(s.address), mask_mobile(s.phone))
            for s in selectors.post_queue(request.user, state)[:200]]
    tabs = [("created", ShipmentState.CREATED.label), ("posted", ShipmentState.POSTED.label),
            ("in_transit", ShipmentState.IN_TRANSIT.label)]
    return render(request, "delivery/queue.html", {"rows": rows, "state": state, "tabs": tabs})




@require(Capability.HAND_OUT_RESULTS)
def shipment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One shipment for the clerk who posts it: the full address and phone (the read is on the
    trail), the tracking number, and the next step of the post."""
    s = selectors.shipment_for(request.user, pk)
    if s is None:
        raise Http404(_("No such shipment."))
    if request.method == "POST":
        try:
            services.update_shipment(actor=_user(request), shipment=s, state=request.POST.get("state", ""),
                                     note=request.POST.get("note", ""))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Shipment %(t)s updated.") % {"t": s.tracking_number})
        return redirect("delivery:queue")
    services.read_address(actor=_user(request), shipment=s)
    nexts = [(v, ShipmentState(v).label) for v in services.NEXT.get(s.state, set())]  # type: ignore[call-overload]
    order = [ShipmentState.POSTED, ShipmentState.IN_TRANSIT, ShipmentState.DELIVERED, ShipmentState.RETURNED]
    nexts.sort(key=lambda x: order.index(x[0]))
    return render(request, "delivery/shipment.html", {"s": s, "case": s.case, "nexts": nexts,
                                                       "events": list(s.events.all())})
