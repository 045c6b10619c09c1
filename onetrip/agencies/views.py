"""The marketplace's public pages (no log-in): the agencies by service type with their
qualifications, fees, ratings and credit; and a purchase's public record with its draw (the seed's
hash from publication, the seed and the candidates after the deadline) so that anyone can
recompute it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onetrip.agencies import selectors
from onetrip.agencies.models import Purchase, ServiceType


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
