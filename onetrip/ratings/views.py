"""Pages of 好差评: the public figures, the online rating page of an invitation link (phone
first), the window's rating pad (tablet) and its enrolment, the rating from the case page, the
department's rectification workbench and the supervisor's void requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, require
from onetrip.cases.selectors import visible_cases
from onetrip.core import trail
from onetrip.core.identity import mask_mobile
from onetrip.ratings import rules, selectors, services
from onetrip.ratings.models import Channel, Level, RectificationState, ReturnVisitAnswer, VoidState


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _posted(request: HttpRequest, channel: str) -> dict[str, Any]:
    return {"level": request.POST.get("level", ""), "comment": request.POST.get("comment", ""),
            "aspects": {k: request.POST.get(f"aspect_{k}", "") for k, _label in rules.ASPECTS[channel]}}


def _form_context(channel: str, errors: dict[str, list[str]] | None = None,
                  posted: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"levels": selectors.level_choices(), "aspects": selectors.aspect_choices(channel),
            "comment_max": rules.COMMENT_MAX, "errors": errors or {}, "posted": posted or {}}


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


def public(request: HttpRequest) -> HttpResponse:
    """评价公开: counts per level per department, satisfaction rates and the closed
    rectifications, anonymised."""
    figures = selectors.public_figures()
    levels = [(int(v), str(label)) for v, label in Level.choices]
    rows = [(f, [f.counts[v] for v, _l in levels]) for f in figures]
    return render(request, "ratings/public.html", {"rows": rows, "levels": levels,
                                                   "rectifications": selectors.public_rectifications()})


@require_http_methods(["GET", "POST"])
def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """一事一评 from the SMS link (phone first): no log-in, the link is the key."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise Http404(_("This rating link is not valid."))
    case = invitation.case
    rating = selectors.online_rating_of(case)
    expired = not rules.invitation_open(invitation.expires_at, timezone.now())
    ctx: dict[str, Any] = {"case": case, "rating": rating, "expired": expired, "invitation": invitation,
                           "masked_number": f"…{(case.number or '')[-6:]}", **_form_context(Channel.ONLINE)}
    if request.method == "POST" and rating is None and not expired:
        posted = _posted(request, Channel.ONLINE)
        try:
            rating = services.rate_by_invitation(token=token, actor=_user(request) if
                                                 request.user.is_authenticated else None, **posted)
        except ValidationError as exc:
            ctx.update(_form_context(Channel.ONLINE, _errors(exc), posted))
            return render(request, "ratings/rate.html", ctx, status=400)
        return render(request, "ratings/thanks.html", {"rating": rating})
    return render(request, "ratings/rate.html", ctx)


@require_http_methods(["GET", "POST"])
def pad(request: HttpRequest) -> HttpResponse:
    """评价器: the window's tablet shows the window and the service just given; the citizen taps
    a level. Only an enrolled pad (its cookie) shows anything."""
    device = selectors.pad_of(request.COOKIES.get(selectors.PAD_COOKIE))
    if device is None:
        return render(request, "ratings/pad.html", {"device": None}, status=403)
    ctx: dict[str, Any] = {"device": device, "window": device.window, "clerk": selectors.window_clerk(device),
                           "subject": selectors.pad_subject(device), **_form_context(Channel.ONSITE)}
    if request.method == "POST":
        posted = _posted(request, Channel.ONSITE)
        try:
            kind, _sep, pk = request.POST.get("subject", "").partition(":")
            services.rate_at_pad(pad=device, kind=kind, pk=int(pk) if pk.isdigit() else 0, **posted)
        except ValidationError as exc:
            ctx.update(_form_context(Channel.ONSITE, _errors(exc), posted))
            return render(request, "ratings/pad.html", ctx, status=400)
        messages.success(request, _("Thank you for your rating."))
        return redirect("ratings:pad")
    return render(request, "ratings/pad.html", ctx)


@require_http_methods(["GET", "POST"])
@require(Capability.CALL_TICKETS)
def enrol_pad(request: HttpRequest) -> HttpResponseBase:
    """评价器登记: the clerk, on the window's tablet, makes it the rating pad of their window."""
    current = selectors.pad_of(request.COOKIES.get(selectors.PAD_COOKIE))
    if request.method == "POST":
        try:
            device, key = services.enrol_pad(actor=_user(request))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("This browser is now the rating pad of window %(n)s.") % {
                "n": device.window.number})
            response = redirect("ratings:pad")
            response.set_cookie(selectors.PAD_COOKIE, key, max_age=5 * 365 * 24 * 3600, httponly=True,
                                samesite="Lax", secure=request.is_secure())
            return response
    return render(request, "ratings/enrol_pad.html", {"current": current})


@require_http_methods(["GET", "POST"])
@require(Capability.VIEW_OWN_PROFILE)
def rate_case(request: HttpRequest, number: str) -> HttpResponseBase:
    """一事一评 from the rating panel of the applicant's case page (also a page of its own)."""
    case = visible_cases(request.user).filter(number=number).first()
    if case is None:
        raise Http404(_("No case %(n)s that you may see.") % {"n": number})
    if request.method == "GET":
        return render(request, "ratings/case_rating.html", {
            "case": case, "panel": selectors.panel(case, request.user, "applicant"),
            "rating": selectors.online_rating_of(case)})
    try:
        services.rate_case(actor=_user(request), case=case, **_posted(request, Channel.ONLINE))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect(reverse("cases:case", args=[number]) + "#rating-h")


LIGHT_LABELS = {"normal": _("Normal"), "warning": _("Near the deadline"), "overdue": _("Overdue"), "": ""}


@require(Capability.WORK_INBOX, Capability.SUPERVISE)
def workbench(request: HttpRequest) -> HttpResponse:
    """差评整改 workbench: the department's rectifications, nearest deadline first, with lights."""
    state = request.GET.get("state", "active")
    today = timezone.localdate()
    rows = [(r, selectors.light_today(r, today)) for r in selectors.rectifications_for(request.user, state)[:200]]
    tabs = [("active", _("To do")), ("closed", RectificationState.CLOSED.label),
            ("voided", RectificationState.VOIDED.label)]
    return render(request, "ratings/workbench.html", {"rows": rows, "state": state, "tabs": tabs,
                                                      "light_labels": LIGHT_LABELS})


@require_http_methods(["GET", "POST"])
@require(Capability.WORK_INBOX, Capability.SUPERVISE)
def rectification(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One rectification: the rating, the case, the return visit, closure, a void request."""
    r = selectors.rectification_for(request.user, pk)
    if r is None:
        raise Http404(_("No such rectification."))
    user = _user(request)
    mine = rules.works_for(user, r.department_id)
    if request.method == "POST":
        do = request.POST.get("do", "")
        try:
            if do == "visit":
                services.record_return_visit(actor=user, rectification=r, answer=request.POST.get("answer", ""),
                                             note=request.POST.get("note", ""))
                messages.success(request, _("Return visit recorded."))
            elif do == "close":
                services.close_rectification(actor=user, rectification=r, measures=request.POST.get("measures", ""))
                messages.success(request, _("Rectification closed."))
            elif do == "void":
                services.request_void(actor=user, rating=r.rating, reasons=request.POST.get("reasons", ""))
                messages.success(request, _("Request sent to the supervisor."))
            else:
                messages.error(request, _("Choose what to do."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        return redirect("ratings:rectification", pk=r.pk)
    name = mobile = ""
    if mine:
        name, mobile = selectors.contact_of(r.rating)
        with_trail = bool(mobile)
        if with_trail:
            from django.db import transaction

            with transaction.atomic():
                trail.record(actor=user, action="personal_data.view", obj=r,
                             summary={"purpose": "return visit (回访)"})
    elif rules.may_watch(user):
        _name, raw = selectors.contact_of(r.rating)
        mobile = mask_mobile(raw)
    reading = r.clock_reading(today=timezone.localdate(),
                              stopped_on=timezone.localdate(r.closed_at) if r.closed_at else None)
    return render(request, "ratings/rectification.html", {
        "r": r, "rating": r.rating, "mine": mine, "contact_name": name, "contact_mobile": mobile,
        "reading": reading, "light": selectors.light_today(r), "light_labels": LIGHT_LABELS,
        "answers": ReturnVisitAnswer.choices,
        "aspects": [(str(label), Level(r.rating.aspects[k]).label) for k, label in rules.ASPECTS[r.rating.channel]
                    if k in r.rating.aspects],
        "pending_void": r.rating.void_requests.filter(state=VoidState.PENDING).first(),
        "voids": list(r.rating.void_requests.all()),
        "case_visible": r.rating.case_id is not None and visible_cases(user).filter(pk=r.rating.case_id).exists()})


@require(Capability.SUPERVISE)
def void_requests(request: HttpRequest) -> HttpResponse:
    """The supervisor's list of departments' requests to void a rating."""
    state = request.GET.get("state", VoidState.PENDING)
    rows = list(selectors.void_requests_for(request.user, state)[:200])
    return render(request, "ratings/void_requests.html", {
        "rows": rows, "state": state, "tabs": VoidState.choices, "may_decide": rules.may_decide_void(request.user)})


@require_POST
@require(Capability.SUPERVISE)
def decide_void(request: HttpRequest, pk: int) -> HttpResponseBase:
    req = selectors.void_requests_for(request.user, "").filter(pk=pk).first()
    if req is None:
        raise Http404(_("No such request."))
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("grant", "refuse"):
            raise ValidationError(_("Choose whether to void the rating or let it stand."))
        services.decide_void(actor=_user(request), request=req, grant=decision == "grant",
                             note=request.POST.get("note", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("ratings:void-requests")
