"""The marketplace's public pages (no log-in): the agencies by service type with their
qualifications, fees, ratings and credit; and a purchase's public record with its draw (the seed's
hash from publication, the seed and the candidates after the deadline) so that anyone can
recompute it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, require
from onetrip.agencies import selectors, services
from onetrip.agencies.models import Agency, AgencyState, Purchase, ServiceType, ViolationKind


def listing(request: HttpRequest) -> HttpResponse:
    types = list(ServiceType.objects.filter(active=True).prefetch_related("items"))
    chosen = next((t for t in types if t.code == request.GET.get("type", "")), None)
    rows = selectors.listing(chosen)
    purchases = selectors.public_purchases().order_by("-published_at", "-id")[:20]
    return render(request, "agencies/listing.html", {
        "types": types, "chosen": chosen, "rows": rows, "purchases": purchases, "today": timezone.localdate()})


def purchase(request: HttpRequest, number: str) -> HttpResponse:
    p = Purchase.objects.select_related("service_type", "winner").filter(number=number[:32]).first()
    if p is None or not selectors.may_view(request.user, p):
        raise Http404
    signups = list(p.signups.select_related("agency").order_by("agency__uscc"))
    bids = [b for b in p.bids.select_related("agency").order_by("agency__uscc") if b.opened_at is not None]
    return render(request, "agencies/purchase.html", {
        "p": p, "draw": selectors.draw_record(p), "signups": signups, "bids": bids,
        "objections": p.objections.order_by("at")})


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": list(exc.messages)}


def _review_context(**extra: Any) -> dict[str, Any]:
    return {"submitted": Agency.objects.filter(state=AgencyState.SUBMITTED).prefetch_related(
                "qualifications__service_type", "offers__service_type").order_by("id"),
            "listed": selectors.listing(), "kinds": ViolationKind.choices, "errors": {}, "form": {}, **extra}


@require_http_methods(["GET", "POST"])
@require(Capability.MANAGE_MARKETPLACE)
def review(request: HttpRequest) -> HttpResponseBase:
    """中介超市管理: the admin's workbench — the agencies waiting for review (their registry check,
    qualifications with their scanned copies' SHA-256, offers) to publish or send back with reasons;
    and the listed agencies with their credit, to record a violation (suspension or blacklisting
    until a date, with reasons). Each decision is one POST to a service."""
    if request.method == "GET":
        return render(request, "agencies/review.html", _review_context())
    user = request.user
    assert isinstance(user, User)
    form = {k: request.POST.get(k, "").strip() for k in ("agency", "decision", "reasons", "kind", "penalty", "until")}
    agency = Agency.objects.filter(pk=form["agency"]).first() if form["agency"].isdigit() else None
    if agency is None:
        raise Http404
    try:
        if form["decision"] in ("publish", "send_back"):
            services.review_agency(actor=user, agency=agency, publish=form["decision"] == "publish",
                                   reasons=form["reasons"])
            messages.success(request, _("Published: %(a)s") % {"a": agency.name} if form["decision"] == "publish"
                             else _("Sent back: %(a)s") % {"a": agency.name})
        elif form["decision"] == "violation":
            try:
                until = dt.date.fromisoformat(form["until"])
            except ValueError:
                raise ValidationError({"until": [_("Give the date as YYYY-MM-DD.")]}) from None
            services.decide_violation(actor=user, agency=agency, kind=form["kind"], penalty=form["penalty"],
                                      until=until, reasons=form["reasons"])
            messages.success(request, _("Violation recorded: %(a)s") % {"a": agency.name})
        else:
            raise ValidationError({"decision": [_("Choose a decision.")]})
    except ValidationError as exc:  # Refused is one too
        return render(request, "agencies/review.html", _review_context(errors=_errors(exc), form=form,
                                                                        prefix=f"a{agency.pk}-"), status=400)
    return redirect("agencies:review")
