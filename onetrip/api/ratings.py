"""好差评 over the API (mounted under ``/api/v1``): rating a case by its invitation link's token
(no log-in: the token is the key) or from the applicant's account, rating at a window's rating
pad (header ``X-Pad-Key``: the key of a pad enrolled at /ratings/pad/enrol/), the department's
rectifications (list, one, return visit, close), void requests and the supervisor's decision,
and the published figures (anonymised)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.cases.selectors import visible_cases
from onetrip.core import trail
from onetrip.core.identity import mask_mobile
from onetrip.ratings import rules, selectors, services
from onetrip.ratings.models import Level, Rating, Rectification, VoidRequest

router = Router(tags=["ratings"])

LevelValue = int
ChannelName = Literal["online", "onsite"]
RectStateName = Literal["open", "visited", "closed", "voided"]
VoidStateName = Literal["pending", "granted", "refused"]


class RatingIn(Schema):
    level: int = Field(..., ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (整体满意度).")
    aspects: dict[str, int] = Field(default_factory=dict, description=(
        "Optional sub-ratings, each 1..5. Online: efficiency, guide, convenience, platform; at the "
        "window: efficiency, competence, attitude."))
    comment: str = Field("", max_length=rules.COMMENT_MAX)


class PadRatingIn(RatingIn):
    subject: str = text(max_length=40, description="What the pad shows to rate: ``ticket:<id>`` or ``visit:<id>``.")


class RatingOut(Schema):
    id: int
    channel: ChannelName
    level: int
    level_label: str
    is_default: bool = Field(..., description="Not rated in time: the default rating (满意), shown as such.")
    rated_at: dt.datetime


class InvitationOut(Schema):
    item: str
    department: str
    rate_by: dt.datetime
    open: bool = Field(..., description="Whether the link still rates (before rate_by, not rated yet).")
    rating: RatingOut | None
    levels: dict[int, str]
    aspects: dict[str, str]


class PadSubjectOut(Schema):
    window: int
    clerk: str
    subject: str | None = Field(..., description="``ticket:<id>`` or ``visit:<id>`` to rate, or None.")
    label: str
    item: str
    aspects: dict[str, str]


class RectificationOut(Schema):
    id: int
    state: RectStateName
    state_label: str
    department: str
    deadline: dt.date | None
    light: Literal["", "normal", "warning", "overdue"]
    rating: RatingOut
    comment: str
    aspects: dict[str, int]
    case: str | None = Field(..., description="The case number, when the rating is about a case.")
    item: str
    window: int | None
    contact_name: str = Field(..., description="For the return visit: in full for the department's staff (logged).")
    contact_mobile: str
    return_visit_answer: Literal["", "satisfied", "fairly_satisfied", "dissatisfied"]
    return_visit_note: str
    visited_at: dt.datetime | None
    measures: str
    closed_at: dt.datetime | None
    closed_on_time: bool | None


class ReturnVisitIn(Schema):
    answer: Literal["satisfied", "fairly_satisfied", "dissatisfied"]
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    measures: str = text(max_length=1000, description="What was put right; published without personal data.")


class VoidRequestIn(Schema):
    reasons: str = text(min_length=10, max_length=1000)


class VoidDecisionIn(Schema):
    decision: Literal["grant", "refuse"]
    note: str = Field("", max_length=500, description="Required to refuse.")


class VoidRequestOut(Schema):
    id: int
    rating: RatingOut
    department: str
    reasons: str
    requested_at: dt.datetime
    state: VoidStateName
    state_label: str
    decision_note: str


class RectificationsIn(Schema):
    state: Literal["active", "open", "visited", "closed", "voided"] = "active"


class VoidRequestsIn(Schema):
    state: VoidStateName = "pending"


class FiguresOut(Schema):
    department: str
    counts: dict[int, int] = Field(..., description="Ratings per level (5..1), voided ones left out.")
    defaults: int
    total: int
    satisfaction: float | None = Field(..., description="(非常满意 + 满意 + 基本满意) / all.")
    rectified: int


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _rating_out(r: Rating) -> dict[str, Any]:
    return {"id": r.pk, "channel": r.channel, "level": r.level, "level_label": str(Level(r.level).label),
            "is_default": r.is_default, "rated_at": r.rated_at}


def _levels() -> dict[int, str]:
    return dict(selectors.level_choices())


# --- rating ----------------------------------------------------------------------------------


def _invitation(token: str) -> Any:
    found = selectors.invitation_by_token(token)
    if found is None:
        raise HttpError(404, "This rating link is not valid.")
    return found


@router.get("/ratings/invitations/{token}", response=answers({200: InvitationOut}, 404), auth=None,
            summary="What an invitation link rates (一事一评)")
def invitation(request: HttpRequest, token: str) -> Any:
    """The case behind an SMS invitation: its item and department (no personal data), until when
    it may be rated, and the rating if given (a default rating says so)."""
    inv = _invitation(token)
    rating = selectors.online_rating_of(inv.case)
    return {"item": inv.case.version.name, "department": inv.case.department.name, "rate_by": inv.expires_at,
            "open": rating is None and rules.invitation_open(inv.expires_at, timezone.now()),
            "rating": _rating_out(rating) if rating else None, "levels": _levels(),
            "aspects": dict(selectors.aspect_choices("online"))}


@router.post("/ratings/invitations/{token}", response=answers({201: RatingOut}, 400, 404, 409), auth=None,
             summary="Rate a case by its invitation link")
def rate_by_invitation(request: HttpRequest, token: str, payload: RatingIn) -> Any:
    """Once per case, before ``rate_by`` (409 ``duplicate`` rated already, 409 ``expired`` the
    period is over: the default rating applies). A poor rating opens a rectification."""
    _invitation(token)
    rating = services.rate_by_invitation(token=token, level=payload.level, aspects=payload.aspects,
                                         comment=payload.comment)
    return Status(201, _rating_out(rating))


@router.post("/cases/{number}/rating", response=answers({201: RatingOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="The applicant rates their case")
def rate_case(request: HttpRequest, number: str, payload: RatingIn) -> Any:
    """一事一评 from the applicant's account, after the result (409 ``wrong_state`` before it)."""
    case = visible_cases(_user(request)).filter(number=number).first()
    if case is None:
        raise HttpError(404, f"No case {number} that you may see.")
    rating = services.rate_case(actor=_user(request), case=case, level=payload.level, aspects=payload.aspects,
                                comment=payload.comment)
    return Status(201, _rating_out(rating))


def _pad(key: str) -> Any:
    device = selectors.pad_of(key)
    if device is None:
        raise HttpError(403, "This is not an enrolled rating pad (X-Pad-Key).")
    return device


PAD_KEY = Header(..., alias="X-Pad-Key", min_length=20, max_length=100,
                 description="The key of a rating pad enrolled at /ratings/pad/enrol/.")


@router.get("/ratings/pad", response=answers({200: PadSubjectOut}, 400, 403), auth=None,
            summary="What the window's rating pad shows (一次一评)")
def pad_subject(request: HttpRequest, x_pad_key: str = PAD_KEY) -> Any:
    device = _pad(x_pad_key)
    subject = selectors.pad_subject(device)
    clerk = selectors.window_clerk(device)
    return {"window": device.window.number, "clerk": clerk.real_name if clerk else "",
            "subject": f"{subject.kind}:{subject.pk}" if subject else None,
            "label": subject.label if subject else "", "item": subject.item if subject else "",
            "aspects": dict(selectors.aspect_choices("onsite"))}


@router.post("/ratings/pad", response=answers({201: RatingOut}, 400, 403, 409), auth=None,
             summary="Rate at the window's rating pad")
def rate_at_pad(request: HttpRequest, payload: PadRatingIn, x_pad_key: str = PAD_KEY) -> Any:
    """The service the pad shows, once (409 ``duplicate``: rated already or no longer shown)."""
    device = _pad(x_pad_key)
    kind, _sep, pk = payload.subject.partition(":")
    rating = services.rate_at_pad(pad=device, kind=kind, pk=int(pk) if pk.isdigit() else 0, level=payload.level,
                                  aspects=payload.aspects, comment=payload.comment)
    return Status(201, _rating_out(rating))


@router.get("/ratings/summary", response=answers({200: list[FiguresOut]}), auth=None,
            summary="The published ratings per department (anonymised)")
def summary(request: HttpRequest) -> Any:
    return [{"department": f.name, "counts": f.counts, "defaults": f.defaults, "total": f.total,
             "satisfaction": f.rate, "rectified": f.rectified} for f in selectors.public_figures()]


# --- rectifications ----------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not (can(user, Capability.WORK_INBOX) or can(user, Capability.SUPERVISE)):
        raise HttpError(403, "Only staff see rectifications.")
    return user


def _rectification(request: HttpRequest, rectification_id: int) -> Rectification:
    r = selectors.rectification_for(_staff(request), rectification_id)
    if r is None:
        raise HttpError(404, "No such rectification that you may see.")
    return r


def _rectification_out(r: Rectification, user: User, *, contact: bool = False) -> dict[str, Any]:
    rating = r.rating
    name = mobile = ""
    if contact and rules.works_for(user, r.department_id):
        name, mobile = selectors.contact_of(rating)
        if mobile:
            with transaction.atomic():
                trail.record(actor=user, action="personal_data.view", obj=r, summary={"purpose": "return visit (回访)"})
    elif contact:
        mobile = mask_mobile(selectors.contact_of(rating)[1])
    case = rating.case
    return {"id": r.pk, "state": r.state, "state_label": r.get_state_display(),
            "department": r.department.name if r.department else "", "deadline": r.deadline,
            "light": selectors.light_today(r), "rating": _rating_out(rating), "comment": rating.comment,
            "aspects": rating.aspects, "case": case.number if case else None,
            "item": case.version.name if case else "", "window": rating.window.number if rating.window else None,
            "contact_name": name, "contact_mobile": mobile, "return_visit_answer": r.return_visit_answer,
            "return_visit_note": r.return_visit_note, "visited_at": r.visited_at, "measures": r.measures,
            "closed_at": r.closed_at, "closed_on_time": r.closed_on_time}


@router.get("/rectifications", response=answers({200: list[RectificationOut]}, 400, 401, 403),
            auth=token_or_session, summary="The department's rectifications (差评整改)")
def rectifications(request: HttpRequest, q: Query[RectificationsIn]) -> Any:
    """Nearest deadline first: the department's own for its officers and head, all for
    supervisors; contacts left out here (open one to see them)."""
    user = _staff(request)
    return [_rectification_out(r, user) for r in selectors.rectifications_for(user, q.state)[:200]]


@router.get("/rectifications/{rectification_id}", response=answers({200: RectificationOut}, 401, 403, 404),
            auth=token_or_session, summary="One rectification")
def rectification(request: HttpRequest, rectification_id: int) -> Any:
    """With whom to call back: in full for the department's staff (the read is on the trail),
    masked for supervisors."""
    r = _rectification(request, rectification_id)
    return _rectification_out(r, _user(request), contact=True)


@router.post("/rectifications/{rectification_id}/return-visit",
             response=answers({200: RectificationOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Record the return visit (回访)")
def return_visit(request: HttpRequest, rectification_id: int, payload: ReturnVisitIn) -> Any:
    r = services.record_return_visit(actor=_user(request), rectification=_rectification(request, rectification_id),
                                     answer=payload.answer, note=payload.note)
    return _rectification_out(r, _user(request))


@router.post("/rectifications/{rectification_id}/close",
             response=answers({200: RectificationOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="Close a rectification")
def close(request: HttpRequest, rectification_id: int, payload: CloseIn) -> Any:
    """After the return visit (409 ``wrong_state`` before it)."""
    r = services.close_rectification(actor=_user(request), rectification=_rectification(request, rectification_id),
                                     measures=payload.measures)
    return _rectification_out(r, _user(request))


# --- voiding ---------------------------------------------------------------------------------


def _void_out(q: VoidRequest) -> dict[str, Any]:
    return {"id": q.pk, "rating": _rating_out(q.rating),
            "department": q.rating.department.name if q.rating.department else "", "reasons": q.reasons,
            "requested_at": q.requested_at, "state": q.state, "state_label": q.get_state_display(),
            "decision_note": q.decision_note}


@router.post("/ratings/{rating_id}/void-requests", response=answers({201: VoidRequestOut}, 400, 401, 403, 404, 409),
             auth=token_or_session, summary="Ask the supervisor to void a malicious rating")
def request_void(request: HttpRequest, rating_id: int, payload: VoidRequestIn) -> Any:
    """By the rated department's officers or head, with reasons (409 ``duplicate`` while one waits)."""
    user = _staff(request)
    rating = Rating.objects.filter(pk=rating_id, rectification__in=selectors.rectifications_for(user)).first()
    if rating is None:
        raise HttpError(404, "No such rating that you may see.")
    return Status(201, _void_out(services.request_void(actor=user, rating=rating, reasons=payload.reasons)))


@router.get("/ratings/void-requests", response=answers({200: list[VoidRequestOut]}, 400, 401, 403),
            auth=token_or_session, summary="Requests to void a rating (supervisors)")
def void_requests(request: HttpRequest, q: Query[VoidRequestsIn]) -> Any:
    user = _user(request)
    if not can(user, Capability.SUPERVISE):
        raise HttpError(403, "Only supervisors see void requests.")
    return [_void_out(v) for v in selectors.void_requests_for(user, q.state)[:200]]


@router.post("/ratings/void-requests/{request_id}/decision",
             response=answers({200: VoidRequestOut}, 400, 401, 403, 404, 409), auth=token_or_session,
             summary="The supervisor's decision on a void request")
def decide_void(request: HttpRequest, request_id: int, payload: VoidDecisionIn) -> Any:
    """Only a supervisor (403 otherwise); a refusal needs reasons; on the rating's trail."""
    user = _user(request)
    if not can(user, Capability.SUPERVISE):
        raise HttpError(403, "Only a supervisor decides.")
    req = selectors.void_requests_for(user, "").filter(pk=request_id).first()
    if req is None:
        raise HttpError(404, "No such request.")
    return _void_out(services.decide_void(actor=user, request=req, grant=payload.decision == "grant",
                                          note=payload.note))
