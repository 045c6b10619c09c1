from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onetrip.accounts.models import Role, User
from onetrip.accounts.permissions import Capability, require
from onetrip.cases import actions, selectors, services
from onetrip.cases.models import Application, Case, Channel, State, Visit
from onetrip.cases.rules import FORM_TEXT_LIMITS, may_work_on_application
from onetrip.catalog import selectors as catalog
from onetrip.core.identity import mask_mobile, mask_name, mask_resident_id
from onetrip.core.ratelimit import client_address


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require(Capability.APPLY, Capability.APPLY_AS_PROXY)
def start(request: HttpRequest, code: str, bundle: bool = False) -> HttpResponseBase:
    """The application form of an item or a bundle: who applies, the request, then the materials.
    A citizen or company representative applies as themselves; a proxy agent names the person
    and records their consent."""
    user = _user(request)
    target = catalog.bundle_guide(code) if bundle else catalog.guide(code)
    if target is None:
        raise Http404(_("No published item with code “%(code)s”.") % {"code": code})
    proxy = user.role == Role.PROXY_AGENT
    errors: dict[str, list[str]] = {}
    consent_id = request.POST.get("consent_id", "")
    if request.method == "POST":
        fields = ["address", "request"] + (
            ["applicant_name", "applicant_id_number", "applicant_mobile"] if proxy else [])
        form = {k: request.POST.get(k, "") for k in fields}
        form["language"] = request.LANGUAGE_CODE
        try:
            if proxy and "send_code" in request.POST:
                consent = services.send_consent_code(
                    actor=user, name=form["applicant_name"], id_number=form["applicant_id_number"],
                    mobile=form["applicant_mobile"], client=client_address(request),
                    item=getattr(target, "name", "") or str(getattr(getattr(target, "bundle", None), "name", "")))
                messages.success(request, _("A code was sent to %(m)s. Ask the person for it and enter it below.") % {
                    "m": mask_mobile(consent.person_mobile)})
                return _start_page(request, target, bundle, code, proxy, {}, str(consent.pk), sent=True)
            if proxy:
                form["consent_id"] = _proxy_consent(request, user, form, consent_id)
                consent_id = form["consent_id"]
            application, _created = services.create_application(
                actor=user, item_code="" if bundle else code, bundle_code=code if bundle else "", form=form,
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            return redirect("cases:application", application.pk)
    return _start_page(request, target, bundle, code, proxy, errors, consent_id)


def _proxy_consent(request: HttpRequest, user: User, form: dict[str, str], consent_id: str) -> str:
    """The consent the proxy agent records on the form: a signed consent form uploaded now, the
    SMS code the person read out, or one recorded a moment ago (kept in the form)."""
    upload = request.FILES.get("consent_file")
    if upload is not None:
        return str(services.record_consent_form(
            actor=user, name=form["applicant_name"], id_number=form["applicant_id_number"],
            mobile=form["applicant_mobile"], stream=upload, original_name=upload.name or "").pk)
    code = request.POST.get("consent_code", "").strip()
    if code and consent_id.isdigit():
        return str(services.confirm_consent_code(actor=user, consent_id=int(consent_id), code=code).pk)
    return consent_id


def _start_page(request: HttpRequest, target: Any, bundle: bool, code: str, proxy: bool,
                errors: dict[str, list[str]], consent_id: str, sent: bool = False) -> HttpResponse:
    consent = None
    if proxy and consent_id.isdigit():
        consent = services.ProxyConsent.objects.filter(pk=int(consent_id), agent=_user(request)).first()
    return render(request, "cases/start.html", {
        "target": target, "bundle": bundle, "code": code, "idempotency_key": uuid.uuid4().hex,
        "form": request.POST if request.method == "POST" else selectors.apply_initial(_user(request)),
        "errors": errors, "proxy": proxy, "limits": FORM_TEXT_LIMITS,
        "consent": consent, "code_sent": sent or (consent is not None and consent.confirmed_at is None),
    }, status=400 if errors else 200)


def _own_application(request: HttpRequest, pk: int) -> Application:
    application = Application.objects.filter(pk=pk).select_related("item", "bundle").first()
    if application is None or not may_work_on_application(application, _user(request)):
        raise Http404(_("No such application."))
    return application


@require(Capability.VIEW_OWN_PROFILE)
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the checklist materials (several files each) and submit; also where supplements are
    uploaded and sent."""
    app = _own_application(request, pk)
    user = _user(request)
    if request.method == "POST":
        try:
            if "upload" in request.POST:
                files = request.FILES.getlist("file")
                if not files:
                    raise ValidationError(_("Choose a file to upload."))
                for upload in files:
                    services.upload_material(actor=user, application=app, name=request.POST.get("name", ""),
                                             stream=upload, original_name=upload.name or "")
                messages.success(request, _("Uploaded: %(n)s") % {"n": "、".join(f.name or "" for f in files)})
            elif "remove" in request.POST:
                services.remove_material_file(actor=user, application=app,
                                              material_id=_int(request.POST.get("remove")))
                messages.success(request, _("File removed."))
            elif "submit" in request.POST:
                cases = services.submit_application(actor=user, application=app)
                numbers = "、".join(c.number or "" for c in cases)
                messages.success(request, _("Submitted. Case number(s): %(n)s") % {"n": numbers})
                if user.role == Role.WINDOW_CLERK:  # on to acceptance at the window
                    return redirect("cases:case", cases[0].number)
                return redirect(reverse("cases:mine") + "?submitted=" + numbers)
            elif "window_decision" in request.POST:
                marks = {line.name: {"state": request.POST.get(f"mark:{line.name}", ""),
                                     "note": request.POST.get(f"note:{line.name}", "")}
                         for line in services.checklist(app)}
                cases = services.take_in(actor=user, application=app, marks=marks,
                                         decision=request.POST.get("window_decision", ""),
                                         reasons=request.POST.get("reasons", ""), note=request.POST.get("note", ""))
                messages.success(request, _("%(n)s: %(state)s. Print the notice for the applicant below.") % {
                    "n": "、".join(c.number or "" for c in cases), "state": cases[0].get_state_display()})
                return redirect("cases:case", cases[0].number)
            elif "supplement" in request.POST:
                explanations = {k.removeprefix("why:"): v for k, v in request.POST.items() if k.startswith("why:")}
                services.supplement_application(actor=user, application=app, explanations=explanations)
                messages.success(request, _("Supplements sent."))
                return redirect("cases:mine")
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("cases:application", app.pk)
    cases = list(app.cases.select_related("version", "item", "department"))
    lines = selectors.application_lines(app, services.checklist(app))
    return render(request, "cases/application.html", {
        "app": app, "cases": cases, "lines": lines, "missing": services.missing_materials(app),
        "awaiting": any(c.state == State.AWAITING_SUPPLEMENT for c in cases),
        "draft": any(c.state == State.DRAFT for c in cases),
        "at_window": app.channel == Channel.WINDOW and user.role == Role.WINDOW_CLERK,
    })


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("No such file on this application."), code="not_found") from None


@require(Capability.VIEW_OWN_PROFILE)
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST" and "claim" in request.POST:
        n = services.claim_applications(actor=user)
        messages.success(request, _("%(n)s application(s) made for you are now in your list.") % {"n": n})
        return redirect("cases:mine")
    drafts = Application.objects.filter(submitted_at__isnull=True).filter(submitted_by=user)
    return render(request, "cases/mine.html", {
        "cases": selectors.cases_of(user)[:200], "drafts": drafts,
        "submitted": request.GET.get("submitted", "")[:200],
    })


def _case(request: HttpRequest, number: str) -> Case:
    case = selectors.visible_cases(request.user).filter(number=number).first()
    if case is None:
        raise Http404(_("No case %(n)s that you may see.") % {"n": number})
    return case


def action_data(action: actions.Action, post: QueryDict) -> dict[str, Any]:
    """The data of an action from its small form, as its record's fields describe it."""
    data: dict[str, Any] = {}
    for f in action.fields:
        if f.kind == "materials":
            data["items"] = [{"material": n, "reason": post.get(f"reason:{n}", "")} for n in post.getlist("material")]
        else:
            data[f.name] = post.get(f.name, "")
    if action.name == "claim" and post.get("take_over"):
        data["take_over"] = True
    return data


@require(Capability.VIEW_OWN_PROFILE)
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case: for staff a workbench (applicant, form, checklist with files, clock, the actions
    they may take, notices, trail); for the applicant where it stands and what comes next."""
    case = _case(request, number)
    user = _user(request)
    revealed: dict[str, Any] = {}
    form_errors: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        try:
            if name == "reveal":
                revealed = services.reveal_applicant(actor=user, case=case,
                                                     purpose=request.POST.get("purpose", "") or _("case handling"))
            elif name == "visit":
                services.record_visit(case=case, reason=request.POST.get("reason", ""), actor=user,
                                      note=request.POST.get("note", ""),
                                      by_proxy_agent=request.POST.get("by_proxy_agent") == "1")
                messages.success(request, _("Trip recorded."))
                return redirect("cases:case", number)
            else:
                action = actions.get(name)
                if action is None:
                    raise ValidationError(_("Unknown action."))
                data = action_data(action, request.POST)
                if action.confirm and request.POST.get("confirmed") != "1":
                    return render(request, "cases/confirm.html", {
                        "case": case, "action": action, "answers": _answers(action, data, case),
                        "posted": [(k, v) for k in request.POST for v in request.POST.getlist(k)
                                   if k not in {"csrfmiddlewaretoken", "confirmed"}]})
                services.transition(case=case, action=name, actor=user, data=data)
                messages.success(request, _("Done: %(a)s.") % {"a": action.event})
                return redirect("cases:case", number)
        except ValidationError as exc:
            form_errors = {"action": name, "errors": _field_errors(exc), "values": request.POST}
            _errors(request, exc)
            status = 409 if getattr(exc, "code", "") in {"wrong_state", "claimed"} else 400
        case = _case(request, number)
    view = selectors.case_view(case, user)
    if view["staff"] and request.method == "GET" and request.GET.get("previews") == "1":
        view["preview_token"] = services.show_previews(actor=user, case=case)
    view.update(revealed=revealed, form_errors=form_errors, visit_reasons=Visit.Reason.choices,
                delivery_methods=_delivery_choices(case), collectors=selectors.collectors(case))
    if view["staff"]:
        # The workbench shows the next action open and the others folded, the ones that end the
        # case for the applicant marked as such; a case waiting for the applicant has no next action.
        waiting = case.state == State.AWAITING_SUPPLEMENT
        view.update(
            waiting_for_applicant=waiting,
            next_actions=[a for a in view["actions"] if a.primary and not waiting],
            other_actions=[a for a in view["actions"] if not a.primary or waiting],
            destructive=DESTRUCTIVE,
            not_ready=[line for line in view["materials"] if line["status"] in {"missing", "faulty"}],
        )
    template = "cases/workbench.html" if view["staff"] else "cases/case.html"
    return render(request, template, view, status=status)


DESTRUCTIVE = frozenset({"refuse", "deny", "withdraw"})


def _answers(action: actions.Action, data: dict[str, Any], case: Case) -> list[dict[str, Any]]:
    """What the confirmation page repeats back before a weighty action: each field of the action's
    form with what was entered, in words (a check-your-answers list)."""
    methods = dict(_delivery_choices(case))
    out: list[dict[str, Any]] = []
    for f in action.fields:
        if f.kind == "materials":
            out.append({"label": f.label, "materials": True,
                        "named": [(i["material"], i["reason"]) for i in data.get("items", [])]})
        elif f.kind == "delivery":
            out.append({"label": f.label, "value": methods.get(data.get(f.name, ""), "")})
        else:
            out.append({"label": f.label, "value": data.get(f.name, "")})
    return out


def _delivery_choices(case: Case) -> list[tuple[str, str]]:
    from onetrip.cases.services.effects import DELIVERY_METHODS

    # At the window a result is handed out (hand_out); deliver is for the post.
    return [(k, str(v)) for k, v in DELIVERY_METHODS.items() if k == "post" and case.version.postable]


@require(Capability.VIEW_OWN_PROFILE)
def notice(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The one-time notice as a printable document."""
    case = _case(request, number)
    n = case.notices.filter(pk=pk).prefetch_related("items__requirement").first()
    if n is None:
        raise Http404(_("No such notice."))
    return render(request, "cases/notice.html", {"case": case, "notice": n})


@require_safe
@require(Capability.VIEW_OWN_PROFILE)
def document(request: HttpRequest, number: str, kind: str, pk: int | None = None) -> HttpResponse:
    """A printed notice of the case as PDF (受理通知书 / 不予受理通知书 / 一次性告知书), for staff and
    for the applicant; 404 for anyone who may not see the case or when it has no such notice."""
    case = _case(request, number)
    if kind not in selectors.DOCUMENT_KINDS:
        raise Http404(_("No such document."))
    try:
        printed = services.print_document(actor=_user(request), case=case, kind=kind, notice_id=pk,
                                          progress_url=request.build_absolute_uri(reverse("cases:progress")))
    except ValidationError:
        raise Http404(_("No such document.")) from None
    response = HttpResponse(printed.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, printed.filename) or "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@require(Capability.WORK_INBOX)
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    view = request.GET.get("view", "todo")
    if view not in selectors.INBOX_VIEWS:
        view = "todo"
    rows = [(c, mask_name(c.application.applicant_name)) for c in selectors.inbox(user, view)[:200]]
    return render(request, "cases/inbox.html", {
        "view": view, "views": [(v, selectors.INBOX_LABELS[v]) for v in selectors.INBOX_VIEWS], "rows": rows})


@require(Capability.HAND_OUT_RESULTS)
def results(request: HttpRequest) -> HttpResponse:
    """综合窗口出件: the result window's queue of decided results to hand out, found by case number
    or the applicant's ID number, each handed over with the collector's ID checked (a trip; the
    case closes). Personal data is masked."""
    user = _user(request)
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:32]
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "")
        case = selectors.to_hand_out(user).filter(number=number).first()
        if case is None:
            messages.error(request, _("Case %(n)s is not waiting at the result window.") % {"n": number})
            return redirect("cases:results")
        data = {k: request.POST.get(k, "") for k in ("collector", "collector_name", "collector_id_number")}
        try:
            services.transition(case=case, action="hand_out", actor=user, data=data)
        except ValidationError as exc:
            errors = _field_errors(exc)
            status = 409 if getattr(exc, "code", "") == "wrong_state" else 400
            query = number
        else:
            messages.success(request, _("Result of %(n)s handed out; the case is closed.") % {"n": number})
            return redirect("cases:results")
    rows = list(selectors.to_hand_out(user, query)[:200])
    chosen = rows[0] if len(rows) == 1 and query else None
    return render(request, "cases/results.html", {
        "rows": [(c, mask_name(c.application.applicant_name), mask_resident_id(c.application.applicant_id_number),
                  mask_mobile(c.application.applicant_mobile)) for c in rows],
        "q": query, "chosen": chosen, "collectors": selectors.collectors(chosen) if chosen else [],
        "errors": errors, "values": request.POST if errors else {},
    }, status=status)


def progress(request: HttpRequest) -> HttpResponse:
    """Public progress lookup (no login): case number + mobile or ID number, sent by POST so that
    neither lands in the address bar, the history or the server log."""
    context: dict[str, Any] = {}
    status = 200
    # The QR code on a printed notice opens this page with the case number filled in (never the secret).
    number = (request.POST.get("number", "") if request.method == "POST" else request.GET.get("number", "")).strip()[:32]
    if request.method == "POST":
        secret = request.POST.get("secret", "").strip()
        if not number or not secret:
            context["error"] = _("Enter the case number and the mobile or ID number used to apply.")
            status = 400
        else:
            try:
                answer = services.lookup_progress(client=client_address(request), number=number, secret=secret)
            except services.Throttled:
                context["error"] = _("Too many lookups from this address; try again in an hour.")
                status = 429
            else:
                if answer is None:
                    context["error"] = _("No case with this number and mobile or ID number.")
                    status = 404
                else:
                    context["p"] = answer
    context.update(number=number)
    return render(request, "cases/progress.html", context, status=status)


@require(Capability.VIEW_OWN_PROFILE)
def material(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """Open an uploaded material file (inline, with the type checked at upload)."""
    case = _case(request, number)
    try:
        m = services.open_material(actor=_user(request), case=case, material_id=pk,
                                   preview_token=request.GET.get("preview", ""))
    except ValidationError:
        raise Http404(_("No such material on this case.")) from None
    response = FileResponse(m.file.open("rb"), content_type=m.content_type)
    response["Content-Disposition"] = content_disposition_header(False, m.original_name or m.name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


