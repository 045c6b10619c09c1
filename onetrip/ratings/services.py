"""Writes of 好差评: invitations when a case closes, ratings (online by the invitation link or from
the case page, on site at the window's rating pad), the default rating of a case not rated in
time, rectifications (return visit, closure) and the supervisor's decision on a void request.
Each write is one transaction with a trail entry."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases.models import Case
from onetrip.cases.rules import Refused, check_length, is_applicant
from onetrip.core import outbox, trail
from onetrip.hall.models import WindowSession
from onetrip.ratings import rules, selectors
from onetrip.ratings.models import (
    Channel,
    Invitation,
    Rating,
    RatingPad,
    Rectification,
    RectificationState,
    ReturnVisitAnswer,
    VoidRequest,
    VoidState,
)

INVITATION_EVENT = "ratings.invitation"


def invitation_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/ratings/r/{token}/"


# --- invitations (一事一评) -----------------------------------------------------------------------


def invite(case: Case, actor: User | None, action: str, data: dict[str, Any], summary: dict[str, Any]) -> None:
    """Follower of the actions that close a case (``hand_out``, ``close``): an invitation to rate
    it, with an unguessable link, sent by SMS through the outbox after the commit. Once per case."""
    if Invitation.objects.filter(case=case).exists() or selectors.online_rating_of(case) is not None:
        return  # invited already, or rated from the case page once the result was delivered
    token = secrets.token_urlsafe(24)  # 192 random bits
    now = timezone.now()
    Invitation.objects.create(case=case, token_hash=Invitation.hash_token(token), created_at=now,
                              expires_at=now + dt.timedelta(days=rules.default_after_days()))
    mobile = case.application.applicant_mobile
    if mobile:
        outbox.queue(event=INVITATION_EVENT, target=case, sms_to=mobile,
                     params={"number": case.number, "item": case.version.name, "url": invitation_url(token),
                             "days": rules.default_after_days()})
    summary["rating_invited"] = True


# --- ratings ---------------------------------------------------------------------------------


def _clean(channel: str, level: Any, aspects: Mapping[str, Any] | None, comment: str) -> tuple[int, dict[str, int], str]:
    errors: dict[str, list[str]] = {}
    try:
        level = 0 if isinstance(level, bool) else int(level)
    except (TypeError, ValueError):
        level = 0
    if not rules.valid_level(level):
        errors["level"] = [_("Choose one of the five levels, from very satisfied to very dissatisfied.")]
    try:
        clean = rules.clean_aspects(channel, aspects)
    except ValueError as exc:
        errors["aspects"] = [_("“%(k)s” is not one of the questions of this rating, or its answer is not a level.")
                             % {"k": str(exc)[:40]}]
        clean = {}
    comment = (comment or "").strip()
    if len(comment) > rules.COMMENT_MAX:
        errors["comment"] = [_("At most %(limit)s characters (you entered %(n)s).") % {
            "limit": rules.COMMENT_MAX, "n": len(comment)}]
    if errors:
        raise ValidationError(errors)
    return level, clean, comment


def _save_rating(rating: Rating, actor: User | None) -> Rating:
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise Refused(_("This has been rated already: one rating per case and per visit."), code="duplicate") from None
    trail.record(actor=actor, action="ratings.rated", obj=rating,
                 summary={"channel": rating.channel, "level": rating.level, "default": rating.is_default,
                          "case": rating.case.number if rating.case_id else None,  # type: ignore[union-attr]
                          "ticket": rating.ticket_id, "visit": rating.visit_id})
    if rating.case_id is not None:
        trail.record(actor=actor, action="ratings.rated", obj=rating.case,
                     summary={"channel": rating.channel, "level": rating.level, "default": rating.is_default})
    if rules.is_poor(rating.level):
        open_rectification(rating, actor)
    return rating


def rate_by_invitation(*, token: str, level: Any, aspects: Mapping[str, Any] | None = None, comment: str = "",
                       actor: User | None = None) -> Rating:
    """一事一评 by the SMS link: anyone holding the link rates the case once, before the period
    is over."""
    with transaction.atomic():
        found = selectors.invitation_by_token(token)
        if found is None:
            raise Refused(_("This rating link is not valid."), code="not_found")
        return _rate_case(case=found.case, invitation=found, level=level, aspects=aspects, comment=comment,
                          actor=actor)


def rate_case(*, actor: User, case: Case, level: Any, aspects: Mapping[str, Any] | None = None,
              comment: str = "") -> Rating:
    """一事一评 from the applicant's own case page, after the result."""
    if not is_applicant(case, actor):
        raise Refused(_("Only the applicant rates a case."), code="forbidden")
    with transaction.atomic():
        if case.state not in selectors.RATEABLE_STATES:
            raise Refused(_("A case is rated once its result has been delivered."), code="wrong_state")
        return _rate_case(case=case, invitation=Invitation.objects.filter(case=case).first(), level=level,
                          aspects=aspects, comment=comment, actor=actor)


def _rate_case(*, case: Case, invitation: Invitation | None, level: Any, aspects: Mapping[str, Any] | None,
               comment: str, actor: User | None) -> Rating:
    level, clean, comment = _clean(Channel.ONLINE, level, aspects, comment)
    # One rater at a time per case: the case's row is the lock (the unique constraint is the guard).
    locked = Case.objects.select_for_update(of=("self",)).select_related("version", "application").get(pk=case.pk)
    if invitation is not None and not rules.invitation_open(invitation.expires_at, timezone.now()):
        raise Refused(_("The time to rate this case is over: it counts as a default rating (satisfied)."),
                      code="expired")
    if selectors.online_rating_of(locked) is not None:
        raise Refused(_("This case has been rated already: one rating per case."), code="duplicate")
    rater = actor if actor is not None and is_applicant(locked, actor) else None
    return _save_rating(Rating(channel=Channel.ONLINE, level=level, aspects=clean, comment=comment,
                               department_id=locked.department_id, case=locked, rater=rater,
                               rated_at=timezone.now()), actor if rater else None)


def enrol_pad(*, actor: User) -> tuple[RatingPad, str]:
    """评价器登记: a window clerk, on the window's tablet, makes its browser the rating pad of the
    window they sit at. Returns the pad and its key (kept only by the tablet's cookie)."""
    if actor.role != Role.WINDOW_CLERK:
        raise Refused(_("Only a window clerk enrols the rating pad of their window."), code="forbidden")
    session = WindowSession.objects.select_related("window").filter(clerk=actor, ended_at__isnull=True).first()
    if session is None:
        raise Refused(_("Sit at a window first (on the calling desk), then enrol its rating pad."), code="no_window")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        pad = RatingPad.objects.create(window=session.window, key_hash=RatingPad.hash_key(key), enrolled_by=actor,
                                       enrolled_at=timezone.now())
        trail.record(actor=actor, action="ratings.pad_enrolled", obj=pad, summary={"window": session.window.number})
    return pad, key


def rate_at_pad(*, pad: RatingPad, kind: str, pk: int, level: Any, aspects: Mapping[str, Any] | None = None,
                comment: str = "") -> Rating:
    """一次一评 at the window's rating pad: the citizen rates the service just given at this window
    (the pad names it; anything else is refused). Once per ticket or visit."""
    with transaction.atomic():
        level, clean, comment = _clean(Channel.ONSITE, level, aspects, comment)
        RatingPad.objects.select_for_update().filter(pk=pad.pk).first()  # one submit at a time per pad
        subject = selectors.pad_subject(pad)
        if subject is None or subject.kind != kind or subject.pk != pk:
            raise Refused(_("This service can no longer be rated here (rated already, or too long ago)."),
                          code="duplicate")
        clerk = subject.clerk
        case = subject.case
        department_id = case.department_id if case else getattr(clerk, "department_id", None)
        return _save_rating(Rating(channel=Channel.ONSITE, level=level, aspects=clean, comment=comment,
                                   department_id=department_id, case=case, ticket=subject.ticket,
                                   visit=subject.visit, window=pad.window, clerk=clerk,
                                   rater=subject.ticket.holder if subject.ticket else None,
                                   rated_at=timezone.now()), None)


def apply_default(invitation: Invitation) -> Rating | None:
    """默认好评: the invitation's period ran out unrated; the case gets the default rating,
    recorded as such (called by the job on a row it claimed)."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=invitation.case_id)
    if selectors.online_rating_of(case) is not None:
        return None
    return _save_rating(Rating(channel=Channel.ONLINE, level=rules.default_level(), is_default=True,
                               department_id=case.department_id, case=case, rated_at=timezone.now()), None)


# --- rectifications (整改) --------------------------------------------------------------------


def open_rectification(rating: Rating, actor: User | None) -> Rectification:
    """Every 不满意 or 非常不满意 opens a rectification for the department, due in working days."""
    today = timezone.localdate()
    r = Rectification(rating=rating, department_id=rating.department_id, opened_at=timezone.now())
    r.clock_start(on=today, limit_workdays=rules.rectification_workdays(),
                  warning_workdays=int(getattr(settings, "WARNING_WORKDAYS", 2)))
    r.save()
    trail.record(actor=actor, action="ratings.rectification_opened", obj=r,
                 summary={"rating": rating.pk, "level": rating.level, "deadline": r.deadline,
                          "department": rating.department_id})
    return r


def _locked(rectification: Rectification) -> Rectification:
    found = (Rectification.objects.select_for_update(of=("self",)).select_related("rating__case")
             .filter(pk=rectification.pk).first())
    if found is None:
        raise Refused(_("No such rectification."), code="not_found")
    return found


def record_return_visit(*, actor: User, rectification: Rectification, answer: str, note: str = "") -> Rectification:
    """回访: the department calls the citizen back and records their answer."""
    with transaction.atomic():
        r = _locked(rectification)
        if not rules.works_for(actor, r.department_id):
            raise Refused(_("Only the department's own staff work its rectifications."), code="not_your_department")
        if r.state not in (RectificationState.OPEN, RectificationState.VISITED):
            raise Refused(_("This rectification is %(s)s.") % {"s": r.get_state_display()}, code="wrong_state")
        if answer not in ReturnVisitAnswer.values:
            raise ValidationError({"answer": [_("Record the citizen's answer: satisfied, fairly satisfied or "
                                                "dissatisfied.")]})
        note = check_length("note", (note or "").strip(), 500)
        r.return_visit_answer, r.return_visit_note = answer, note
        r.visited_at, r.visited_by, r.state = timezone.now(), actor, RectificationState.VISITED
        r.save(update_fields=["return_visit_answer", "return_visit_note", "visited_at", "visited_by", "state"])
        trail.record(actor=actor, action="ratings.return_visit", obj=r, summary={"answer": answer, "note": note})
        return r


def close_rectification(*, actor: User, rectification: Rectification, measures: str) -> Rectification:
    """办结: after the return visit, the department closes the rectification with what it put
    right (published without personal data); on time if closed by the deadline."""
    with transaction.atomic():
        r = _locked(rectification)
        if not rules.works_for(actor, r.department_id):
            raise Refused(_("Only the department's own staff work its rectifications."), code="not_your_department")
        if r.state == RectificationState.OPEN:
            raise Refused(_("Record the return visit before closing."), code="wrong_state")
        if r.state != RectificationState.VISITED:
            raise Refused(_("This rectification is %(s)s.") % {"s": r.get_state_display()}, code="wrong_state")
        measures = (measures or "").strip()
        if not measures:
            raise ValidationError({"measures": [_("Say what was put right (published without personal data).")]})
        measures = check_length("measures", measures, 1000)
        today = timezone.localdate()
        r.measures, r.closed_at, r.closed_by, r.state = measures, timezone.now(), actor, RectificationState.CLOSED
        r.closed_on_time = r.deadline is None or today <= r.deadline
        r.light = ""
        r.save(update_fields=["measures", "closed_at", "closed_by", "state", "closed_on_time", "light"])
        trail.record(actor=actor, action="ratings.rectification_closed", obj=r,
                     summary={"on_time": r.closed_on_time, "answer": r.return_visit_answer})
        return r


# --- voiding a malicious rating ----------------------------------------------------------------


def request_void(*, actor: User, rating: Rating, reasons: str) -> VoidRequest:
    """A department asks the supervisor to void a malicious rating, with its reasons."""
    with transaction.atomic():
        locked = Rating.objects.select_for_update().filter(pk=rating.pk).first()
        if locked is None:
            raise Refused(_("No such rating."), code="not_found")
        if not rules.works_for(actor, locked.department_id):
            raise Refused(_("Only the rated department asks for a rating to be voided."), code="not_your_department")
        if locked.voided:
            raise Refused(_("This rating has been voided already."), code="wrong_state")
        if VoidRequest.objects.filter(rating=locked, state=VoidState.PENDING).exists():
            raise Refused(_("A request to void this rating waits for the supervisor already."), code="duplicate")
        reasons = (reasons or "").strip()
        if len(reasons) < 10:
            raise ValidationError({"reasons": [_("Give the reasons (at least 10 characters): why is the rating "
                                                 "malicious?")]})
        reasons = check_length("reasons", reasons, 1000)
        req = VoidRequest.objects.create(rating=locked, requested_by=actor, reasons=reasons,
                                         requested_at=timezone.now())
        trail.record(actor=actor, action="ratings.void_requested", obj=locked, summary={"request": req.pk,
                                                                                         "reasons": reasons})
        return req


def decide_void(*, actor: User, request: VoidRequest, grant: bool, note: str = "") -> VoidRequest:
    """The supervisor grants (the rating is voided, its rectification stops) or refuses a void
    request, with reasons; the decision is on the rating's trail."""
    if not rules.may_decide_void(actor):
        raise Refused(_("Only a supervisor decides whether a rating is voided."), code="forbidden")
    with transaction.atomic():
        req = VoidRequest.objects.select_for_update().select_related("rating").filter(pk=request.pk).first()
        if req is None:
            raise Refused(_("No such request."), code="not_found")
        if req.state != VoidState.PENDING:
            raise Refused(_("This request has been decided already."), code="wrong_state")
        note = check_length("note", (note or "").strip(), 500)
        if not grant and not note:
            raise ValidationError({"note": [_("Say why the rating stands.")]})
        now = timezone.now()
        req.state = VoidState.GRANTED if grant else VoidState.REFUSED
        req.decided_by, req.decided_at, req.decision_note = actor, now, note
        req.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if grant:
            Rating.objects.filter(pk=req.rating_id).update(voided_at=now)
            Rectification.objects.filter(rating_id=req.rating_id, state__in=[
                RectificationState.OPEN, RectificationState.VISITED]).update(state=RectificationState.VOIDED, light="")
        trail.record(actor=actor, action="ratings.void_decided", obj=req.rating,
                     summary={"request": req.pk, "granted": grant, "note": note})
        return req
