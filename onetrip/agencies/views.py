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
from onetrip.agencies import rules, selectors, services
from onetrip.agencies.models import (
    Agency,
    AgencyState,
    Method,
    Objection,
    Purchase,
    ServiceType,
    ViolationKind,
)
from onetrip.cases.models import Case


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
            "listed": selectors.listing(), "kinds": ViolationKind.choices, "errors": {}, "form": {},
            "objections": Objection.objects.filter(answered_at__isnull=True).select_related("purchase").order_by("at"),
            **extra}


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
    form = {k: request.POST.get(k, "").strip() for k in ("agency", "decision", "reasons", "kind", "penalty", "until",
                                                         "objection", "answer")}
    if form["decision"] == "answer":
        objection = Objection.objects.filter(pk=form["objection"]).first() if form["objection"].isdigit() else None
        if objection is None:
            raise Http404
        try:
            services.answer_objection(actor=user, objection=objection, answer=form["answer"])
        except ValidationError as exc:
            return render(request, "agencies/review.html", _review_context(
                errors=_errors(exc), form=form, prefix=f"o{objection.pk}-"), status=400)
        messages.success(request, _("Objection answered."))
        return redirect("agencies:review")
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


AGENCY_OPS = ("register", "qualification", "offer", "commit", "submit", "sign_up", "bid", "deliver")
OWNER_OPS = ("post", "publish", "select", "score", "contract", "pause", "resume", "confirm", "return", "rate", "attach",
             "cancel")


def _mine_context(user: User, **extra: Any) -> dict[str, Any]:
    agencies = list(Agency.objects.filter(owners=user).prefetch_related("qualifications__service_type",
                                                                          "offers__service_type"))
    types = list(ServiceType.objects.filter(active=True))
    offered = {o.service_type_id for a in agencies for o in a.offers.all()}
    open_purchases = list(selectors.public_purchases().filter(state="published", service_type_id__in=offered)
                          .exclude(method="direct").order_by("signup_deadline"))
    won = list(Purchase.objects.filter(winner__in=agencies).select_related("service_type", "winner")
               .order_by("-selected_at"))
    owned = list(Purchase.objects.filter(owner=user).select_related("service_type", "winner").order_by("-created_at"))
    now = timezone.now()  # what the owner can do now, by the rules the services apply
    select_now = {p.pk for p in owned if p.method == Method.DIRECT or not rules.signup_open(p.signup_deadline, now)}
    contract_waits = {p.pk for p in owned if rules.in_objection_period(p.objection_until, timezone.localdate(now))}
    cases = list(Case.objects.filter(application__applicant=user).select_related("version").order_by("-id")[:30]
                 ) if any(p.state == "completed" for p in owned) else []
    # the owner's applications to attach a confirmed report to, and the checklist materials they name
    applications = list({c.application_id: c for c in cases}.values())
    materials = sorted({m.name for c in cases for m in c.version.materials.all()}) if cases else []
    return {"agencies": agencies, "types": types, "open_purchases": open_purchases, "won": won, "owned": owned,
            "applications": applications, "materials": materials, "select_now": select_now,
            "contract_waits": contract_waits,
            "methods": Method.choices, "may_post": rules.may_post(user), "errors": {}, "form": {}, **extra}


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [_("Give the date as YYYY-MM-DD.")]}) from None


def _int(value: str, field: str) -> int:
    if not value.strip().lstrip("-").isdigit():
        raise ValidationError({field: [_("Give a whole number.")]})
    return int(value)


def _mine_post(request: HttpRequest, user: User) -> None:  # noqa: C901 - one branch per form of the page
    post = request.POST
    op = post.get("op", "")
    agency = Agency.objects.filter(pk=post.get("agency", "0") if post.get("agency", "").isdigit() else 0,
                                   owners=user).first()
    purchase = Purchase.objects.filter(number=post.get("number", "")[:32]).first()
    st = ServiceType.objects.filter(code=post.get("service_type", "")[:32]).first()
    if op in AGENCY_OPS[1:] and agency is None:
        raise ValidationError({"agency": [_("Choose one of your agencies.")]})
    if op in ("sign_up", "bid", "deliver") + OWNER_OPS[1:] and purchase is None:
        raise ValidationError({"number": [_("No such purchase.")]})
    if op in ("qualification", "offer", "post") and st is None:
        raise ValidationError({"service_type": [_("Choose the intermediary service.")]})
    assert st is not None or op not in ("qualification", "offer", "post")
    f = request.FILES.get("file")
    if op == "register":
        services.register_agency(actor=user, name=post.get("name", ""), uscc=post.get("uscc", ""),
                                 contact_name=post.get("contact_name", ""), contact_phone=post.get("contact_phone", ""),
                                 address=post.get("address", ""), introduction=post.get("introduction", ""))
    elif op == "qualification" and agency and st:
        services.add_qualification(actor=user, agency=agency, service_type=st, name=post.get("name", ""),
                                   level=post.get("level", ""), certificate_no=post.get("certificate_no", ""),
                                   issued_by=post.get("issued_by", ""),
                                   valid_from=_date(post.get("valid_from", ""), "valid_from"),
                                   valid_to=_date(post.get("valid_to", ""), "valid_to"),
                                   stream=f, original_name=getattr(f, "name", "") or "")
    elif op == "offer" and agency and st:
        services.set_offer(actor=user, agency=agency, service_type=st, fee_standard=post.get("fee_standard", ""))
    elif op == "commit" and agency:
        services.sign_commitment(actor=user, agency=agency)
    elif op == "submit" and agency:
        services.submit_agency(actor=user, agency=agency)
    elif op == "sign_up" and agency and purchase:
        services.sign_up(actor=user, purchase=purchase, agency=agency)
    elif op == "bid" and agency and purchase:
        services.submit_bid(actor=user, purchase=purchase, agency=agency, price=post.get("price", ""))
    elif op == "deliver" and purchase:
        if f is None:
            raise ValidationError({"file": [_("Choose the report's file.")]})
        services.deliver_report(actor=user, purchase=purchase, stream=f, original_name=f.name or "")
    elif op == "post" and st:
        deadline = post.get("signup_deadline", "")
        try:
            when = timezone.make_aware(dt.datetime.fromisoformat(deadline)) if deadline else None
        except ValueError:
            when = None
        if when is None:
            raise ValidationError({"signup_deadline": [_("Give the sign-up deadline.")]})
        services.create_purchase(actor=user, owner_name=post.get("owner_name", ""), project=post.get("project", ""),
                                 service_type=st, price_ceiling=post.get("price_ceiling", ""),
                                 service_workdays=_int(post.get("service_workdays", ""), "service_workdays"),
                                 method=post.get("method", ""), signup_deadline=when,
                                 contact_name=post.get("contact_name", ""), contact_phone=post.get("contact_phone", ""),
                                 required_qualification=post.get("required_qualification", ""))
    elif purchase is not None:
        _owner_action(user, op, purchase, post, f)
    else:
        raise ValidationError({"op": [_("Choose a decision.")]})


def _owner_action(user: User, op: str, p: Purchase, post: Any, f: Any) -> None:
    if op == "publish":
        services.publish_purchase(actor=user, purchase=p)
    elif op == "select" and p.method == Method.DIRECT:
        chosen = Agency.objects.filter(uscc=post.get("uscc", "").strip().upper()).first()
        if chosen is None:
            raise ValidationError({"uscc": [_("No agency with this code in the marketplace.")]})
        services.select_direct(actor=user, purchase=p, agency=chosen)
    elif op == "select":
        services.select(actor=user, purchase=p)
    elif op == "score":
        scored = Agency.objects.filter(uscc=post.get("uscc", "").strip().upper()).first()
        if scored is None:
            raise ValidationError({"uscc": [_("No agency with this code in the marketplace.")]})
        services.record_scores(actor=user, purchase=p, agency=scored, scores={
            c["name"]: post.get(f"score-{i}", "") for i, c in enumerate(p.criteria)})
    elif op == "contract":
        services.sign_contract(actor=user, purchase=p, contract_no=post.get("contract_no", ""))
    elif op == "pause":
        services.pause_service(actor=user, purchase=p, reason=post.get("reason", ""))
    elif op == "resume":
        services.resume_service(actor=user, purchase=p)
    elif op == "confirm":
        services.confirm_report(actor=user, purchase=p)
    elif op == "return":
        services.return_report(actor=user, purchase=p, reasons=post.get("reason", ""))
    elif op == "cancel":
        services.cancel_purchase(actor=user, purchase=p, reasons=post.get("reason", ""))
    elif op == "rate":
        services.rate_agency(actor=user, purchase=p, **{k: _int(post.get(k, ""), k) for k in (
            "quality", "timeliness", "attitude", "price")}, comment=post.get("comment", ""))
    elif op == "attach":
        case = Case.objects.filter(application_id=_int(post.get("application", ""), "application"),
                                   application__applicant=user).order_by("id").first()
        if case is None:
            raise ValidationError({"application": [_("No such application of yours.")]})
        services.attach_to_case(actor=user, purchase=p, case=case, material=post.get("material", ""))
    else:
        raise ValidationError({"op": [_("Choose a decision.")]})


@require_http_methods(["GET", "POST"])
@require(Capability.VIEW_OWN_PROFILE)
def mine(request: HttpRequest) -> HttpResponseBase:
    """我的中介超市: an agency's accounts register it, add qualifications (scanned copies), offers and the
    commitment, submit it, sign up and bid for open purchases and deliver reports; a project owner
    posts purchases and takes each one through selection, contract, service, confirmation, rating
    and attaching the report to an application. Every form posts to one service; a refusal comes
    back as an error summary with nothing written."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "GET":
        return render(request, "agencies/mine.html", _mine_context(user))
    try:
        _mine_post(request, user)
    except ValidationError as exc:  # Refused is one too
        form = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        key = request.POST.get("number", "") or request.POST.get("agency", "")
        prefix = f"{request.POST.get('op', '')}{key}-"
        return render(request, "agencies/mine.html", _mine_context(user, errors=_errors(exc), form=form,
                                                                    prefix=prefix), status=400)
    messages.success(request, _("Done."))
    return redirect("agencies:mine")
