"""The intermediary-service marketplace (中介服务超市) over the API (mounted under ``/api/v1``): the
service types, the public listing of agencies with their credit, registering and reviewing
agencies, purchases with their public record (the draw's seed hash, seed, candidates and order),
sign-ups, sealed bids, merit scores, objections, the purchase's actions (publish, select,
contract, pause, resume, return, confirm, cancel) and the owner's rating. Every write goes through
``agencies.services``; a refusal is 403 (not yours), 409 (the purchase is not there yet or any
more: the deadline, the state) or 400 with the fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from onetrip.accounts.models import User
from onetrip.agencies import rules, selectors, services
from onetrip.agencies.models import Agency, Purchase, ServiceType
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.cases.models import Case

router = Router(tags=["agencies"])


class MarketServiceTypeOut(Schema):
    code: str
    name: str
    description: str
    items: list[str] = Field(..., description="Codes of the approval items that need this service.")


class MarketQualificationOut(Schema):
    service_type: str
    name: str
    level: str
    certificate_no: str
    issued_by: str
    valid_from: dt.date
    valid_to: dt.date
    sha256: str


class MarketOfferOut(Schema):
    service_type: str
    fee_standard: str


class MarketAgencyOut(Schema):
    id: int
    name: str
    uscc: str
    state: str
    state_label: str
    state_until: dt.date | None
    credit_score: int
    credit_level: str = Field(..., description="A, B, C or D (D is barred from selection).")
    eligible: bool | None = Field(None, description="For the service type asked for: may it be selected today.")
    qualifications: list[MarketQualificationOut]
    offers: list[MarketOfferOut]


class MarketAgencyDetailOut(MarketAgencyOut):
    address: str
    introduction: str
    staff_count: int
    published_at: dt.datetime | None
    ratings_count: int = Field(..., description="How many ratings owners gave it.")
    rating_mean: Decimal | None = Field(..., description="Mean of every aspect of every rating (1..5); "
                                                         "null before the first rating.")
    on_time_share: Decimal = Field(..., description="Share of finished services delivered on time (0..1) used "
                                                     "by the credit (0.75 before the first one).")
    violations: int = Field(..., description="Violations decided against it in the last three years.")


class MarketListingIn(Schema):
    service_type: str = Field("", max_length=32, description="Only agencies offering this service type (its code).")


class MarketAgencyIn(Schema):
    name: str = text(max_length=200)
    uscc: str = text(max_length=18, description="Unified social credit code, with its check character.")
    contact_name: str = text(max_length=50)
    contact_phone: str = text(max_length=20)
    address: str = Field("", max_length=200)
    introduction: str = Field("", max_length=4000)
    staff_count: int = Field(0, ge=0, le=100000, strict=True)


class MarketReviewIn(Schema):
    decision: Literal["publish", "send_back"]
    reasons: str = Field("", max_length=1000)


class MarketCriterion(Schema):
    name: str = text(max_length=100)
    weight: int = Field(..., ge=1, le=100, strict=True)


class MarketPurchaseIn(Schema):
    owner_name: str = text(max_length=200)
    project: str = text(max_length=200)
    service_type: str = text(max_length=32, description="The service type's code.")
    required_qualification: str = Field("", max_length=50, description="A qualification level, e.g. 甲级.")
    price_ceiling: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    service_workdays: int = Field(..., ge=1, le=365, strict=True)
    method: Literal["direct", "random", "price", "merit"]
    signup_deadline: dt.datetime
    contact_name: str = text(max_length=50)
    contact_phone: str = text(max_length=20)
    criteria: list[MarketCriterion] = Field(default_factory=list, max_length=20,
                                            description="Merit only: names and weights adding up to 100.")
    case: str = Field("", max_length=32, description="The number of your approval case this service is for.")
    publish: bool = Field(False, strict=True, description="Publish at once (the seed's hash is committed).")


class MarketDrawOut(Schema):
    seed_hash: str = Field(..., description="SHA-256 of the seed, published with the announcement.")
    seed: str = Field(..., description="Revealed after the sign-up deadline (empty before).")
    candidates: list[str] = Field(..., description="The USCCs the draw ran over, sorted.")
    ranking: list[str] = Field(..., description="The draw's order: sha256(seed + ':' + uscc) ascending.")
    winner: str
    algorithm: str


class MarketBidOut(Schema):
    agency: str
    price: Decimal | None
    valid: bool | None


class MarketPurchaseOut(Schema):
    number: str
    owner_name: str
    project: str
    service_type: str
    required_qualification: str
    price_ceiling: Decimal
    service_workdays: int
    method: str
    method_label: str
    signup_deadline: dt.datetime
    contact_name: str
    state: str
    state_label: str
    criteria: list[dict[str, Any]]
    signups: int
    draw: MarketDrawOut
    bids: list[MarketBidOut] = Field(..., description="Shown once opened, after the deadline.")
    winner_name: str
    price: Decimal | None
    result_note: str
    objection_until: dt.date | None
    contract_no: str
    deadline: dt.date | None = Field(..., description="The service's deadline (working days, from the contract).")
    light: str
    report_sha256: str
    on_time: bool | None
    actions: list[str] = Field(..., description="The actions the caller may take now.")


class MarketSignUpIn(Schema):
    agency: int = Field(..., ge=1, strict=True, description="The id of your agency.")


class MarketSignUpOut(Schema):
    purchase: str
    agency: str
    at: dt.datetime


class MarketBidIn(Schema):
    agency: int = Field(..., ge=1, strict=True)
    price: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)


class MarketBidAcceptedOut(Schema):
    purchase: str
    agency: str
    at: dt.datetime
    sealed: bool = Field(..., description="Always true: nobody reads the price before the deadline.")


class MarketScoresIn(Schema):
    agency: int = Field(..., ge=1, strict=True)
    scores: dict[str, float] = Field(..., description="A score from 0 to 100 for each published criterion.")


class MarketObjectionIn(Schema):
    text: str = text(max_length=2000)


class MarketObjectionOut(Schema):
    id: int
    text: str
    at: dt.datetime


class MarketActionIn(Schema):
    action: Literal["publish", "select", "contract", "pause", "resume", "return", "confirm", "cancel"]
    agency: int | None = Field(None, ge=1, strict=True, description="select (direct): the agency chosen")
    contract_no: str = Field("", max_length=64, description="contract: the contract's number")
    reason: str = Field("", max_length=1000, description="pause, return, cancel: the reasons")


class MarketAttachIn(Schema):
    application: int = Field(..., ge=1, strict=True, description="Your application's id (a draft, or awaiting "
                                                                 "supplements), as in /applications/{id}/materials.")
    material: str = text(max_length=300, description="The checklist material the report stands for.")


class MarketAttachedOut(Schema):
    application: int
    material: str
    sha256: str = Field(..., description="The report's SHA-256: the same stored file, not uploaded again.")


class MarketRatingIn(Schema):
    quality: int = Field(..., ge=1, le=5, strict=True)
    timeliness: int = Field(..., ge=1, le=5, strict=True)
    attitude: int = Field(..., ge=1, le=5, strict=True)
    price: int = Field(..., ge=1, le=5, strict=True)
    comment: str = Field("", max_length=1000)


class MarketRatingOut(Schema):
    purchase: str
    credit_score: int
    credit_level: str


def _agency_out(a: Agency, credit: rules.Credit, eligible: bool | None = None) -> dict[str, Any]:
    return {"id": a.pk, "name": a.name, "uscc": a.uscc, "state": a.state, "state_label": a.get_state_display(),
            "state_until": a.state_until, "credit_score": credit.score, "credit_level": credit.level,
            "eligible": eligible,
            "qualifications": [{"service_type": q.service_type.code, "name": q.name, "level": q.level,
                                "certificate_no": q.certificate_no, "issued_by": q.issued_by,
                                "valid_from": q.valid_from, "valid_to": q.valid_to, "sha256": q.sha256}
                               for q in a.qualifications.all()],
            "offers": [{"service_type": o.service_type.code, "fee_standard": o.fee_standard} for o in a.offers.all()]}


def _actions(p: Purchase, user: Any) -> list[str]:
    owner = rules.owns(user, p)
    found = []
    if owner and p.state == "draft":
        found += ["publish", "cancel"]
    if p.state == "published":
        if owner:
            found.append("cancel")
        if owner or (p.method != "direct" and getattr(user, "is_authenticated", False)):
            found.append("select")
    if owner and p.state == "selected":
        found += ["contract", "cancel"]
    if owner and p.state == "contracted":
        found.append("resume" if p.is_paused else "pause")
    if owner and p.state == "delivered":
        found += ["return", "confirm"]
    return found


def _purchase_out(p: Purchase, user: Any) -> dict[str, Any]:
    opened = [b for b in p.bids.select_related("agency").order_by("agency__uscc") if b.opened_at is not None]
    return {
        "number": p.number, "owner_name": p.owner_name, "project": p.project, "service_type": p.service_type.code,
        "required_qualification": p.required_qualification, "price_ceiling": p.price_ceiling,
        "service_workdays": p.service_workdays, "method": p.method, "method_label": p.get_method_display(),
        "signup_deadline": p.signup_deadline, "contact_name": p.contact_name, "state": p.state,
        "state_label": p.get_state_display(), "criteria": list(p.criteria), "signups": p.signups.count(),
        "draw": selectors.draw_record(p),
        "bids": [{"agency": b.agency.uscc, "price": b.price, "valid": b.valid} for b in opened],
        "winner_name": p.winner.name if p.winner else "", "price": p.price, "result_note": p.result_note,
        "objection_until": p.objection_until, "contract_no": p.contract_no, "deadline": p.deadline, "light": p.light,
        "report_sha256": p.report_sha256, "on_time": p.on_time, "actions": _actions(p, user)}


def _purchase(request: HttpRequest, number: str) -> Purchase:
    p = Purchase.objects.select_related("service_type", "winner").filter(number=number).first()
    if p is None or not selectors.may_view(getattr(request, "auth", None) or request.user, p):
        raise HttpError(404, "No such purchase that you may see.")
    return p


def _own_agency(user: User, agency_id: int) -> Agency:
    a = Agency.objects.filter(pk=agency_id, owners=user).first()
    if a is None:
        raise HttpError(403, "This is not one of your agencies.")
    return a


@router.get("/agencies/service-types", response=answers({200: list[MarketServiceTypeOut]}), auth=None,
            summary="Intermediary service types (中介服务事项)")
def service_types(request: HttpRequest) -> Any:
    return [{"code": st.code, "name": st.name, "description": st.description,
             "items": sorted(i.code for i in st.items.all())}
            for st in ServiceType.objects.filter(active=True).prefetch_related("items")]


@router.get("/agencies", response=answers({200: list[MarketAgencyOut]}, 400), auth=None,
            summary="The marketplace's agencies, ranked by credit")
def listing(request: HttpRequest, q: Query[MarketListingIn]) -> Any:
    st = ServiceType.objects.filter(code=q.service_type).first() if q.service_type else None
    if q.service_type and st is None:
        return []
    return [_agency_out(r.agency, r.credit, r.eligible if st else None) for r in selectors.listing(st)]


@router.post("/agencies", response=answers({201: MarketAgencyOut}, 400, 401, 403), auth=token_or_session,
             summary="Register an agency (入驻登记, a draft)")
def register(request: HttpRequest, payload: MarketAgencyIn) -> Any:
    """The registering account becomes the agency's first account. Qualifications (with their scanned
    copies), offers, the commitment and the submission are on the marketplace's pages."""
    a = services.register_agency(actor=request.auth, **payload.dict())  # type: ignore[attr-defined]
    return Status(201, _agency_out(a, rules.credit(a)))


@router.post("/agencies/{agency_id}/review", response=answers({200: MarketAgencyOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Publish a submitted agency, or send it back (marketplace admin)")
def review(request: HttpRequest, agency_id: int, payload: MarketReviewIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not rules.is_admin(user):
        raise HttpError(403, "Only the marketplace admin reviews agencies.")
    a = Agency.objects.filter(pk=agency_id).first()
    if a is None:
        raise HttpError(404, "No such agency.")
    a = services.review_agency(actor=user, agency=a, publish=payload.decision == "publish", reasons=payload.reasons)
    return _agency_out(a, rules.credit(a))


@router.get("/agencies/purchases", response=answers({200: list[MarketPurchaseOut]}), auth=None,
            summary="Published purchases (采购公告), newest first")
def purchases(request: HttpRequest) -> Any:
    return [_purchase_out(p, request.user) for p in selectors.public_purchases()[:100]]


@router.post("/agencies/purchases", response=answers({201: MarketPurchaseOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Post a purchase (a project owner)")
def create(request: HttpRequest, payload: MarketPurchaseIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not rules.may_post(user):
        raise HttpError(403, "Only a project owner (a company, a citizen or a public unit) posts purchases.")
    st = ServiceType.objects.filter(code=payload.service_type).first()
    if st is None:
        raise HttpError(400, "No such service type.")
    case = None
    if payload.case:
        case = Case.objects.select_related("application").filter(number=payload.case,
                                                                 application__applicant=user).first()
        if case is None:
            raise HttpError(404, "No such case of yours.")
    p = services.create_purchase(
        actor=user, owner_name=payload.owner_name, project=payload.project, service_type=st,
        required_qualification=payload.required_qualification, price_ceiling=payload.price_ceiling,
        service_workdays=payload.service_workdays, method=payload.method, signup_deadline=payload.signup_deadline,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone,
        criteria=[c.dict() for c in payload.criteria], case=case)
    if payload.publish:
        p = services.publish_purchase(actor=user, purchase=p)
    return Status(201, _purchase_out(p, user))


@router.get("/agencies/purchases/{number}", response=answers({200: MarketPurchaseOut}, 404), auth=None,
            summary="One purchase, with its draw (seed hash, seed, candidates) and result")
def purchase(request: HttpRequest, number: str) -> Any:
    return _purchase_out(_purchase(request, number), request.user)


@router.post("/agencies/purchases/{number}/sign-ups", response=answers({201: MarketSignUpOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Sign your agency up (报名), before the deadline")
def sign_up(request: HttpRequest, number: str, payload: MarketSignUpIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    a = _own_agency(user, payload.agency)
    s = services.sign_up(actor=user, purchase=_purchase(request, number), agency=a)
    return Status(201, {"purchase": number, "agency": a.uscc, "at": s.at})


@router.post("/agencies/purchases/{number}/bids", response=answers({201: MarketBidAcceptedOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="A sealed price bid (竞价), before the deadline")
def bid(request: HttpRequest, number: str, payload: MarketBidIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    a = _own_agency(user, payload.agency)
    b = services.submit_bid(actor=user, purchase=_purchase(request, number), agency=a, price=payload.price)
    return Status(201, {"purchase": number, "agency": a.uscc, "at": b.at, "sealed": True})


@router.post("/agencies/purchases/{number}/scores", response=answers({200: MarketPurchaseOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Record an agency's merit scores (the owner, after the deadline)")
def scores(request: HttpRequest, number: str, payload: MarketScoresIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    p = _purchase(request, number)
    a = Agency.objects.filter(pk=payload.agency).first()
    if a is None:
        raise HttpError(404, "No such agency.")
    services.record_scores(actor=user, purchase=p, agency=a, scores=payload.scores)
    return _purchase_out(p, user)


@router.post("/agencies/purchases/{number}/objections",
             response=answers({201: MarketObjectionOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Object to a published result (质疑), within the objection period")
def objection(request: HttpRequest, number: str, payload: MarketObjectionIn) -> Any:
    o = services.raise_objection(actor=request.auth, purchase=_purchase(request, number),  # type: ignore[attr-defined]
                                 text=payload.text)
    return Status(201, {"id": o.pk, "text": o.text, "at": o.at})


@router.post("/agencies/purchases/{number}/actions", response=answers({200: MarketPurchaseOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Act on a purchase (publish, select, contract, pause, resume, return, "
                                            "confirm, cancel)")
def act(request: HttpRequest, number: str, payload: MarketActionIn) -> Any:
    """``select`` after the deadline makes the draw or opens the bids (anyone may run it: the result
    does not depend on who does); for direct selection the owner names ``agency``."""
    user = request.auth  # type: ignore[attr-defined]
    p = _purchase(request, number)
    a = payload.action
    if a == "publish":
        p = services.publish_purchase(actor=user, purchase=p)
    elif a == "cancel":
        p = services.cancel_purchase(actor=user, purchase=p, reasons=payload.reason)
    elif a == "select" and p.method == "direct":
        agency = Agency.objects.filter(pk=payload.agency or 0).first()
        if agency is None:
            raise HttpError(400, "Name the agency chosen.")
        p = services.select_direct(actor=user, purchase=p, agency=agency)
    elif a == "select":
        p = services.select(actor=user, purchase=p)
    elif a == "contract":
        p = services.sign_contract(actor=user, purchase=p, contract_no=payload.contract_no)
    elif a == "pause":
        p = services.pause_service(actor=user, purchase=p, reason=payload.reason)
    elif a == "resume":
        p = services.resume_service(actor=user, purchase=p)
    elif a == "return":
        p = services.return_report(actor=user, purchase=p, reasons=payload.reason)
    else:
        p = services.confirm_report(actor=user, purchase=p)
    return _purchase_out(p, user)


@router.post("/agencies/purchases/{number}/rating", response=answers({201: MarketRatingOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Rate the agency (the owner, once the service is completed)")
def rate(request: HttpRequest, number: str, payload: MarketRatingIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    p = _purchase(request, number)
    r = services.rate_agency(actor=user, purchase=p, **payload.dict())
    c = rules.credit(r.agency)
    return Status(201, {"purchase": number, "credit_score": c.score, "credit_level": c.level})


@router.post("/agencies/purchases/{number}/report", response=answers({200: MarketPurchaseOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Deliver the service's report (the selected agency)")
def deliver(request: HttpRequest, number: str, file: File[UploadedFile],
            title: str = Form(..., min_length=1, max_length=200, pattern=r"\S",
                              description="The report's title, kept as its name.")) -> Any:
    """成果交付: a PDF, JPEG, PNG or OFD, checked by content and stored with its SHA-256; the clock stops
    and the owner is told."""
    user = request.auth  # type: ignore[attr-defined]
    p = services.deliver_report(actor=user, purchase=_purchase(request, number), stream=file,
                                original_name=title.strip())
    return _purchase_out(p, user)


@router.post("/agencies/purchases/{number}/attach", response=answers({201: MarketAttachedOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Attach the confirmed report to your approval case (once-only)")
def attach(request: HttpRequest, number: str, payload: MarketAttachIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    p = _purchase(request, number)
    case = Case.objects.select_related("application").filter(application_id=payload.application,
                                                             application__applicant=user).order_by("id").first()
    if case is None:
        raise HttpError(404, "No such application of yours.")
    row = services.attach_to_case(actor=user, purchase=p, case=case, material=payload.material)
    return Status(201, {"application": payload.application, "material": row.name, "sha256": row.sha256})


# Registered last: ``/agencies/{uscc}`` must not catch ``/agencies/purchases`` (nor service-types).
@router.get("/agencies/{uscc}", response=answers({200: MarketAgencyDetailOut}, 404), auth=None,
            summary="One agency of the marketplace, with its qualifications, offers, rating and credit")
def agency(request: HttpRequest, uscc: str) -> Any:
    """What the listing shows of one agency (published, or back after or under a penalty, with its
    state), plus its introduction, its ratings and the figures of its credit (docs/agencies.md)."""
    row = selectors.published_agency(uscc.strip().upper()[:18])
    if row is None:
        raise HttpError(404, "No such agency in the marketplace.")
    a, credit = row.agency, row.credit
    ratings = len(a.ratings.all())
    return {**_agency_out(a, credit), "address": a.address, "introduction": a.introduction,
            "staff_count": a.staff_count, "published_at": a.published_at, "ratings_count": ratings,
            "rating_mean": credit.rating if ratings else None, "on_time_share": credit.on_time,
            "violations": credit.violations}
