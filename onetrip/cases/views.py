from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can, require
from onetrip.cases import access, selectors, services, transitions
from onetrip.cases.models import Application, Case, Visit
from onetrip.catalog import selectors as catalog
from onetrip.core.identity import mask_name, mask_resident_id
from onetrip.core.ratelimit import client_address


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require(Capability.APPLY)
def start(request: HttpRequest, code: str, bundle: bool = False) -> HttpResponse:
    """The application form of an item or a bundle: who applies, then the materials."""
    target = catalog.bundle_guide(code) if bundle else catalog.guide(code)
    if target is None:
        raise Http404(_("No published item with code “%(code)s”.") % {"code": code})
    user = _user(request)
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in
                ("applicant_name", "applicant_id_number", "applicant_mobile", "address", "request")}
        form["language"] = request.LANGUAGE_CODE
        try:
            application, _created = services.create_application(
                actor=user, item_code="" if bundle else code, bundle_code=code if bundle else "", form=form,
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("cases:application", application.pk)
    return render(request, "cases/start.html", {
        "target": target, "bundle": bundle, "code": code, "idempotency_key": uuid.uuid4().hex, "form": request.POST,
    })


def _own_application(request: HttpRequest, pk: int) -> Application:
    application = Application.objects.filter(pk=pk, applicant=_user(request)).first()
    if application is None:
        raise Http404(_("No such application."))
    return application


@require(Capability.VIEW_OWN_PROFILE)
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the checklist materials and submit (also where supplements are uploaded)."""
    app = _own_application(request, pk)
    if request.method == "POST":
        try:
            if "upload" in request.POST:
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError(_("Choose a file to upload."))
                services.upload_material(actor=_user(request), application=app, name=request.POST.get("name", ""),
                                         stream=upload, original_name=upload.name or "")
                messages.success(request, _("Uploaded."))
            elif "submit" in request.POST:
                cases = services.submit_application(actor=_user(request), application=app)
                messages.success(request, _("Submitted. Case number(s): %(n)s") % {
                    "n": "、".join(c.number or "" for c in cases)})
                return redirect("cases:mine")
            elif "supplement" in request.POST:
                for case in app.cases.filter(state="awaiting_supplement"):
                    services.transition(case=case, action="supplement", actor=_user(request))
                messages.success(request, _("Supplements sent."))
                return redirect("cases:mine")
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("cases:application", app.pk)
    cases = list(app.cases.select_related("version", "item", "department"))
    have = {m.name: m for m in app.materials.filter(current=True)}
    notices = {i.requirement.name: i.reason for c in cases for n in c.notices.filter(supplemented_at__isnull=True)
               for i in n.items.select_related("requirement")}
    lines = [{"req": r, "uploaded": have.get(r.name), "notice": notices.get(r.name)} for r in services.checklist(app)]
    return render(request, "cases/application.html", {
        "app": app, "cases": cases, "lines": lines, "missing": services.missing_materials(app),
        "awaiting": any(c.state == "awaiting_supplement" for c in cases),
        "draft": any(c.state == "draft" for c in cases),
    })


@require(Capability.VIEW_OWN_PROFILE)
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(request, "cases/mine.html", {"cases": selectors.cases_of(user)[:200],
                                                "drafts": Application.objects.filter(applicant=user,
                                                                                     submitted_at__isnull=True)})


def _case(request: HttpRequest, number: str) -> Case:
    case = Case.objects.select_related("version", "item", "department", "application").filter(number=number).first()
    if case is None or not access.can_view(request.user, case):
        raise Http404(_("No case %(n)s that you may see.") % {"n": number})
    return case


@require(Capability.VIEW_OWN_PROFILE)
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    user = _user(request)
    staff = access.is_staff_viewer(user, case)
    revealed: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reveal" and staff and can(user, Capability.VIEW_PERSONAL_DATA):
                revealed = services.reveal_applicant(actor=user, case=case,
                                                     purpose=request.POST.get("purpose", "") or "case handling")
            elif action == "visit":
                services.record_visit(case=case, reason=request.POST.get("reason", ""), actor=user,
                                      note=request.POST.get("note", ""))
                messages.success(request, _("Visit recorded."))
                return redirect("cases:case", number)
            elif action == "issue_notice":
                names = request.POST.getlist("material")
                items = [{"material": n, "reason": request.POST.get(f"reason:{n}", "")} for n in names]
                extra = request.POST.get("other_material", "").strip()
                if extra:
                    items.append({"material": extra, "reason": request.POST.get("other_reason", "")})
                services.issue_notice(case=case, actor=user, items=items, note=request.POST.get("note", ""))
                messages.success(request, _("One-time notice issued."))
                return redirect("cases:case", number)
            elif action:
                data = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "action"}}
                services.transition(case=case, action=action, actor=user, data=data)
                messages.success(request, _("Done."))
                return redirect("cases:case", number)
        except ValidationError as exc:
            _errors(request, exc)
            if not revealed:
                return redirect("cases:case", number)
    case.refresh_from_db()
    notice = case.notices.filter(supplemented_at__isnull=True).prefetch_related("items__requirement").first()
    return render(request, "cases/case.html", {
        "case": case, "staff": staff, "revealed": revealed,
        "masked": {"name": mask_name(case.application.applicant_name),
                   "id_number": mask_resident_id(case.application.applicant_id_number)},
        "clock": services.clock_summary(case),
        "timeline": selectors.timeline(case, for_staff=staff),
        "actions": [(a, transitions.LABELS.get(a, a)) for a in services.actions_for(case, user)],
        "step": selectors.current_step(case), "next_step": selectors.next_step(case),
        "notice": notice, "materials": case.application.materials.filter(current=True),
        "checklist": case.version.materials.all(), "procedures": case.version.special_procedures.all(),
        "visits": case.visits.all(), "visit_reasons": Visit.Reason.choices,
        "violations": case.violations.all() if staff else [],
        "comments": case.comments.select_related("author") if staff else [],
    })


@require(Capability.VIEW_OWN_PROFILE)
def notice(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The one-time notice as a printable document."""
    case = _case(request, number)
    n = case.notices.filter(pk=pk).prefetch_related("items__requirement").first()
    if n is None:
        raise Http404(_("No such notice."))
    return render(request, "cases/notice.html", {"case": case, "notice": n})


@require(Capability.WORK_INBOX)
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    view = request.GET.get("view", "new")
    if view not in selectors.INBOX_VIEWS:
        view = "new"
    return render(request, "cases/inbox.html", {
        "view": view, "views": selectors.INBOX_VIEWS, "cases": selectors.inbox(user, view)[:200]})


def progress(request: HttpRequest) -> HttpResponse:
    """Public progress lookup (no login): case number + mobile or ID number."""
    context: dict[str, Any] = {}
    status = 200
    number = request.GET.get("number", "").strip()
    secret = request.GET.get("secret", "").strip()
    if number or secret:
        try:
            case = services.lookup_progress(client=client_address(request), number=number, secret=secret)
        except services.Throttled:
            context["error"] = _("Too many lookups from this address; try again in an hour.")
            status = 429
        else:
            if case is None:
                context["error"] = _("Not found.")
                status = 404
            else:
                context["p"] = selectors.progress(case)
    context.update(number=number)
    return render(request, "cases/progress.html", context, status=status)



@require(Capability.VIEW_OWN_PROFILE)
def material(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """Open an uploaded material (inline, with the type checked at upload)."""
    case = _case(request, number)
    try:
        m = services.open_material(actor=_user(request), case=case, material_id=pk)
    except ValidationError:
        raise Http404(_("No such material on this case.")) from None
    response = FileResponse(m.file.open("rb"), content_type=m.content_type)
    response["Content-Disposition"] = content_disposition_header(False, m.original_name or m.name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
