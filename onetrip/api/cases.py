"""Case endpoints: apply (with Idempotency-Key), upload, submit, follow, staff inbox and actions,
and the public progress lookup."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import model_validator

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import Error, answers, text
from onetrip.cases import actions, selectors, services
from onetrip.cases.models import Application, Case, ProxyConsent, Visit
from onetrip.cases.rules import WINDOW_DECISIONS, WINDOW_MARKS, may_work_on_application
from onetrip.core.identity import mask_mobile
from onetrip.core.ratelimit import client_address

router = Router(tags=["cases"])


# What onetrip.cases.uploads accepts (checked by content), so what a download can be.
UPLOAD_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/ofd")

CaseError = Error  # refusals carry their ``code``: wrong_state, claimed, not_your_department, …

_EITHER = "Name either one item or one life-event bundle."


class ApplicationIn(Schema):
    model_config = {"json_schema_extra": {"oneOf": [{"required": ["item"]}, {"required": ["bundle"]}],
                                          "description": _EITHER}}

    # Absent is None; an explicit null is refused like any non-string, as the schema says.
    item: str = Field(None, min_length=1, description="An item's code (or give bundle).")  # type: ignore[assignment]
    bundle: str = Field(None, min_length=1, description="A life-event bundle's code (or give item).")  # type: ignore[assignment]
    form: dict[str, str] = {}
    channel: Literal["online", "window"] = Field(
        "online", description="window: a window clerk takes the application for the person at the counter "
                              "(form: applicant_name, applicant_id_number, applicant_mobile).")

    @model_validator(mode="after")
    def _one_of(self) -> ApplicationIn:
        if (self.item is None) == (self.bundle is None):
            raise ValueError(_EITHER)
        return self


class ChecklistLine(Schema):
    name: str
    required: bool
    condition: str
    from_registry: bool
    uploaded: bool


class CaseSummary(Schema):
    number: str | None
    item: str
    item_code: str
    version: int
    department: str
    state: str
    state_label: str
    received_on: dt.date | None
    promised_deadline: dt.date | None
    legal_deadline: dt.date | None
    light: str
    visit_count: int
    max_visits: int


class ApplicationOut(Schema):
    id: int
    state: str
    cases: list[CaseSummary]
    checklist: list[ChecklistLine]
    missing: list[str]


class UploadedMaterialOut(Schema):
    name: str
    sha256: str
    size: int
    content_type: str


class TimelineOut(Schema):
    at: dt.datetime
    action: str
    who: str
    label: str
    who_label: str
    details: list[str]


class NoticeLine(Schema):
    material: str
    reason: str


class MaterialFileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class MaterialLineOut(Schema):
    name: str
    status: str
    status_label: str
    files: list[MaterialFileOut]


class CaseDetail(CaseSummary):
    applicant: str
    applicant_mobile: str
    step: str
    next_step: str
    accepted_on: dt.date | None
    deemed_accepted: bool
    workdays_used: int | None
    workdays_left: int | None
    calendar_source: str
    decision_reasons: str
    refusal_reasons: str
    address: str
    request: str
    materials: list[MaterialLineOut]
    notice: list[NoticeLine]
    allowed_actions: list[str]
    timeline: list[TimelineOut]


class ActionIn(Schema):
    action: str = Field(..., min_length=1, json_schema_extra={"enum": list[Any](actions.names())},
                        description="; ".join(f"{a.name}: {a.doc or a.event}" for a in actions.REGISTRY.values()))
    data: dict[str, Any] = {}


class VisitIn(Schema):
    reason: Literal[*Visit.Reason.values] = Field(  # type: ignore[valid-type]
        ..., description="The trip: submit or supplement at a window, pickup of the result, or other.")
    note: str = Field("", max_length=200)
    by_proxy_agent: bool = Field(False, strict=True, description="The proxy agent who applied made the trip (it is theirs, "
                                                    "not counted for the applicant).")


class ConsentPersonIn(Schema):
    name: str = text(max_length=100, description="The person's name as on their ID card.")
    id_number: str = text(max_length=30, description="The person's resident ID number.")
    mobile: str = text(max_length=20, description="The person's mobile number (the code goes there).")


class ConsentCodeIn(Schema):
    code: str = Field(..., min_length=6, max_length=6, pattern=r"^[0-9]{6}$", description="The 6-digit code.")


class ConsentOut(Schema):
    id: int = Field(..., description="Give it as form.consent_id when applying for the person.")
    method: Literal[*ProxyConsent.Method.values]  # type: ignore[valid-type]
    confirmed: bool
    person_mobile: str = Field(..., description="Masked.")


class ProgressOut(Schema):
    number: str
    item: str
    department: str
    state: str
    state_label: str
    applicant: str
    applicant_mobile: str
    received_on: dt.date | None
    promised_deadline: dt.date | None
    next_step: str
    timeline: list[TimelineOut]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def summary(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item": case.version.name,
        "item_code": case.item.code,
        "version": case.version.number,
        "department": case.department.name,
        "state": case.state,
        "state_label": case.get_state_display(),
        "received_on": case.received_on,
        "promised_deadline": case.promised_deadline,
        "legal_deadline": case.legal_deadline,
        "light": case.light,
        "visit_count": case.visit_count,
        "max_visits": case.version.max_visits,
    }


def detail(case: Case, user: User) -> dict[str, Any]:
    """The API's form of ``selectors.case_view``, the same view the case page shows."""
    view = selectors.case_view(case, user)
    clock, notice = view["clock"], view["notice"]
    return summary(case) | {
        "applicant": view["applicant"]["name"],
        "applicant_mobile": view["applicant"]["mobile"],
        "step": view["step"],
        "next_step": view["next_step"],
        "accepted_on": case.accepted_on,
        "deemed_accepted": case.deemed_accepted,
        "workdays_used": clock["workdays_used"],
        "workdays_left": clock["workdays_left"],
        "calendar_source": clock["calendar_source"],
        "decision_reasons": case.decision_reasons,
        "refusal_reasons": case.refusal_reasons,
        "address": view["form"]["address"] if view["staff"] else "",
        "request": view["form"]["request"] if view["staff"] else "",
        "materials": [{"name": line["req"].name, "status": line["status"], "status_label": line["status_label"],
                       "files": [{"id": f.pk, "name": f.original_name, "size": f.size, "content_type": f.content_type}
                                 for f in line["files"]]} for line in view["materials"]],
        "notice": [{"material": i.requirement.name, "reason": i.reason} for i in notice.items.all()] if notice else [],
        "allowed_actions": [a.name for a in view["actions"]],
        "timeline": [vars(e) for e in view["timeline"]],
    }


def application_out(application: Application) -> dict[str, Any]:
    # What the service has just read or written is not read again (services.known).
    known = services.known(application)
    cases = known.get("cases")
    if cases is None:
        cases = list(application.cases.select_related("version", "item", "department").order_by("id"))
    have = known.get("have")
    if have is None:
        have = set(application.materials.filter(current=True).values_list("name", flat=True))
    checklist = known.get("lines")
    if checklist is None:
        checklist = services.checklist(application, versions=[c.version_id for c in cases])
    return {
        "id": application.pk,
        "state": cases[0].state if cases else "draft",
        "cases": [summary(c) for c in cases],
        "checklist": [
            {"name": r.name, "required": r.required, "condition": r.condition, "from_registry": bool(r.registry),
             "uploaded": r.name in have}
            for r in checklist
        ],
        "missing": services.missing_materials(application, lines=checklist, have=have),
    }


def _own_application(request: HttpRequest, pk: int) -> Application:
    application = Application.objects.filter(pk=pk).first()
    if application is None or not may_work_on_application(application, _user(request)):
        raise HttpError(404, f"No application {pk} of yours.")
    return application


def _case(request: HttpRequest, number: str) -> Case:
    case = selectors.visible_cases(_user(request)).filter(number=number).first()
    if case is None:
        raise HttpError(404, f"No case {number} that you may see.")
    return case


@router.post("/applications", response=answers({200: ApplicationOut, 201: ApplicationOut}, 400, 401, 403, 404),
             auth=token_or_session, openapi_extra={"parameters": [{
                 "name": "Idempotency-Key", "in": "header", "required": False,
                 "description": "The same key again (same user) answers the first application with 200.",
                 "schema": {"type": "string", "maxLength": 100}}]})
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Start an application for one item or one bundle. Send an ``Idempotency-Key`` header: the
    same key again returns the same application (200) instead of creating a second one."""
    application, created = services.create_application(
        actor=_user(request), item_code=payload.item or "", bundle_code=payload.bundle or "", form=payload.form,
        idempotency_key=request.headers.get("Idempotency-Key", ""), channel=payload.channel,
    )
    return Status(201 if created else 200, application_out(application))


@router.post("/applications/{application_id}/materials",
             response=answers({201: UploadedMaterialOut}, 400, 401, 403, 404, 409), auth=token_or_session)
def upload_material(request: HttpRequest, application_id: int, file: File[UploadedFile],
                    name: str = Form(..., min_length=1, description="The checklist material's name.")) -> Any:
    """Upload one checklist material (PDF, JPEG, PNG or OFD, checked by content)."""
    application = _own_application(request, application_id)
    material = services.upload_material(actor=_user(request), application=application, name=name, stream=file,
                                        original_name=file.name or "")
    return Status(201, {"name": material.name, "sha256": material.sha256, "size": material.size,
                        "content_type": material.content_type})


@router.post("/applications/{application_id}/submit",
             response=answers({200: ApplicationOut}, 400, 401, 403, 404, 409), auth=token_or_session)
def submit_application(request: HttpRequest, application_id: int) -> Any:
    """Submit the application; each case gets its number. Submitting again changes nothing."""
    application = _own_application(request, application_id)
    services.submit_application(actor=_user(request), application=application)
    return application_out(application)


class WindowMarkIn(Schema):
    material: str = text(max_length=200, description="A checklist material's name.")
    state: Literal[*WINDOW_MARKS] = Field(..., description="present (its copy uploaded), missing, or faulty.")  # type: ignore[valid-type]
    note: str = Field("", max_length=500, description="What is missing or wrong: goes into the one-time notice.")


class WindowDecisionIn(Schema):
    decision: Literal[*WINDOW_DECISIONS] = Field(  # type: ignore[valid-type]
        ..., description="accept; notice (the one-time notice naming every material marked missing or faulty); "
                         "refuse (with reasons).")
    marks: list[WindowMarkIn] = Field(default_factory=list, max_length=100)
    reasons: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


@router.post("/applications/{application_id}/window-decision",
             response=answers({200: ApplicationOut}, 400, 401, 403, 404, 409), auth=token_or_session)
def window_decision(request: HttpRequest, application_id: int, payload: WindowDecisionIn) -> Any:
    """一窗受理: a window clerk marks each material against the checklist and, in one step, submits
    the window application and accepts it, issues the one-time notice, or does not accept it."""
    application = _own_application(request, application_id)
    services.take_in(actor=_user(request), application=application, decision=payload.decision,
                     marks={m.material: {"state": m.state, "note": m.note} for m in payload.marks},
                     reasons=payload.reasons, note=payload.note)
    return application_out(application)


@router.get("/cases", response=answers({200: list[CaseSummary]}, 401), auth=token_or_session)
def my_cases(request: HttpRequest) -> Any:
    return [summary(c) for c in selectors.cases_of(_user(request))[:200]]


@router.get("/cases/{number}", response=answers({200: CaseDetail}, 401, 404), auth=token_or_session)
def get_case(request: HttpRequest, number: str) -> Any:
    return detail(_case(request, number), _user(request))


@router.get("/cases/{number}/materials/{material_id}", response=answers({200: None}, 401, 403, 404),
            auth=token_or_session, openapi_extra={"responses": {200: {
                "description": "The file, with the content type it was checked to have.",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in UPLOAD_TYPES}}}})
def get_material(request: HttpRequest, number: str, material_id: int) -> Any:
    """Download an uploaded material. Staff downloads are put on the trail."""
    case = _case(request, number)
    material = services.open_material(actor=_user(request), case=case, material_id=material_id)
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _consent_out(consent: ProxyConsent) -> dict[str, Any]:
    return {"id": consent.pk, "method": consent.method, "confirmed": consent.confirmed_at is not None,
            "person_mobile": mask_mobile(consent.person_mobile)}


def _agent(request: HttpRequest) -> User:
    user = _user(request)
    if not can(user, Capability.APPLY_AS_PROXY):
        raise HttpError(403, "Only proxy agents record a person's consent.")
    return user


@router.post("/proxy-consents/sms-code", response=answers({202: ConsentOut}, 400, 401, 403, 429),
             auth=token_or_session)
def send_consent_code(request: HttpRequest, payload: ConsentPersonIn) -> Any:
    """帮代办: send the person a 6-digit code by SMS (valid 10 minutes); confirm it with the code
    they read out. Limited per mobile, per agent and per client."""
    consent = services.send_consent_code(actor=_agent(request), name=payload.name, id_number=payload.id_number,
                                         mobile=payload.mobile, client=client_address(request))
    return Status(202, _consent_out(consent))


@router.post("/proxy-consents/{consent_id}/confirm", response=answers({200: ConsentOut}, 400, 401, 403),
             auth=token_or_session)
def confirm_consent_code(request: HttpRequest, consent_id: int, payload: ConsentCodeIn) -> Any:
    """The code the person received: their consent is recorded (a wrong code counts a try)."""
    return _consent_out(services.confirm_consent_code(actor=_agent(request), consent_id=consent_id,
                                                      code=payload.code))


@router.post("/proxy-consents", response=answers({201: ConsentOut}, 400, 401, 403), auth=token_or_session)
def upload_consent_form(request: HttpRequest, file: File[UploadedFile],
                        name: str = Form(..., min_length=1, max_length=100, pattern=r"\S"),
                        id_number: str = Form(..., min_length=1, max_length=30, pattern=r"\S"),
                        mobile: str = Form(..., min_length=1, max_length=20, pattern=r"\S")) -> Any:
    """帮代办: the person's signed consent form (PDF, JPEG, PNG or OFD, checked by content)."""
    consent = services.record_consent_form(actor=_agent(request), name=name, id_number=id_number, mobile=mobile,
                                           stream=file, original_name=file.name or "")
    return Status(201, _consent_out(consent))


class DocumentIn(Schema):
    notice_id: int = Field(0, ge=0, le=2**31 - 1,
                           description="For kind=notice: which one-time notice (0, the default: the latest).")


@router.get("/cases/{number}/documents/{kind}", response=answers({200: None}, 400, 401, 404), auth=token_or_session,
            openapi_extra={"responses": {200: {
                "description": "The notice as a PDF (A4, Chinese official layout; a decision is digitally sealed).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def get_document(request: HttpRequest, number: str, kind: Literal[*selectors.DOCUMENT_KINDS],  # type: ignore[valid-type]
                 params: Query[DocumentIn]) -> Any:
    """A printed notice of the case: ``acceptance`` (受理通知书), ``refusal`` (不予受理通知书),
    ``notice`` (一次性告知书) or ``decision`` (准予 / 不予行政许可决定书, sealed PAdES B-T with the
    department's e-seal). 404 when the case has no such notice. Each print is on the trail."""
    case = _case(request, number)
    try:
        printed = services.print_document(actor=_user(request), case=case, kind=kind, notice_id=params.notice_id or None,
                                          progress_url=request.build_absolute_uri(reverse("cases:progress")))
    except services.Refused:
        raise HttpError(404, f"Case {number} has no such document.") from None
    response = HttpResponse(printed.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, printed.filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


class InboxIn(Schema):
    view: Literal[*selectors.INBOX_VIEWS] = "todo"  # type: ignore[valid-type]


@router.get("/inbox", response=answers({200: list[CaseSummary]}, 400, 401, 403), auth=token_or_session)
def inbox(request: HttpRequest, params: Query[InboxIn]) -> Any:
    """A member of staff's cases: todo (waiting for me at my step), mine (claimed), near (deadline),
    overdue, open."""
    view = params.view
    user = _user(request)
    if not can(user, Capability.WORK_INBOX):  # as the inbox page: window clerks and departments
        raise HttpError(403, "The inbox is for staff.")
    return [summary(c) for c in selectors.inbox(user, view)[:200]]


@router.post("/cases/{number}/actions", response=answers({200: CaseDetail}, 400, 401, 403, 404, 409),
             auth=token_or_session)
def act(request: HttpRequest, number: str, payload: ActionIn) -> Any:
    """Move the case with one of the actions in ``action``'s enum (what each needs in ``data`` is in
    its description). A lost race or a stale request (the case moved on) answers 409."""
    case = _case(request, number)
    user = _user(request)
    case = services.transition(case=case, action=payload.action, actor=user, data=payload.data)
    return detail(case, user)


@router.post("/cases/{number}/visits", response=answers({201: CaseSummary}, 400, 401, 403, 404),
             auth=token_or_session)
def record_visit(request: HttpRequest, number: str, payload: VisitIn) -> Any:
    """Record a physical trip of the applicant (window staff)."""
    case = _case(request, number)
    services.record_visit(case=case, reason=payload.reason, actor=_user(request), note=payload.note,
                          by_proxy_agent=payload.by_proxy_agent)
    case.refresh_from_db()
    return Status(201, summary(case))


_PHONE_OR_ID = "The mobile number or the ID number used to apply: at least one of the two, not blank."


class ProgressIn(Schema):
    model_config = {"json_schema_extra": {"anyOf": [
        {"required": ["phone"], "properties": {"phone": {"pattern": r"\S"}}},
        {"required": ["id_number"], "properties": {"id_number": {"pattern": r"\S"}}}], "description": _PHONE_OR_ID}}

    number: str = text(max_length=32, description="The case number.")
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)

    @model_validator(mode="after")
    def _secret(self) -> ProgressIn:
        if not (self.phone.strip() or self.id_number.strip()):
            raise ValueError(_PHONE_OR_ID)
        return self


class ProgressQuery(Schema):
    number: str = text(max_length=32, description="The case number.")
    phone: str = Field("", max_length=20, description=_PHONE_OR_ID)
    id_number: str = Field("", max_length=18, description=_PHONE_OR_ID)


def _progress(request: HttpRequest, number: str, secret: str) -> Any:
    if not number or not secret:
        raise HttpError(400, "Give the case number and the mobile number or ID number used to apply.")
    try:
        answer = services.lookup_progress(client=client_address(request), number=number, secret=secret)
    except services.Throttled:
        raise HttpError(429, "Too many lookups from this address; try again in an hour.") from None
    if answer is None:
        raise HttpError(404, "Not found.")
    return answer


@router.post("/progress", response=answers({200: ProgressOut}, 400, 404, 429), auth=None)
def progress(request: HttpRequest, payload: ProgressIn) -> Any:
    """进度查询 without logging in: the case number with the applicant's mobile or ID number, in the
    body so that they stay out of URLs and logs. Rate-limited per client; a wrong pair says only
    "not found"."""
    return _progress(request, payload.number.strip(), payload.phone.strip() or payload.id_number.strip())


@router.get("/progress", response=answers({200: ProgressOut}, 400, 404, 429), auth=None, deprecated=True)
def progress_get(request: HttpRequest, params: Query[ProgressQuery]) -> Any:
    """Kept for existing clients; prefer POST, which keeps the mobile or ID number out of URLs.
    Give ``phone`` or ``id_number`` (at least one, not blank): without either the answer is 400."""
    return _progress(request, params.number.strip(), params.phone.strip() or params.id_number.strip())
