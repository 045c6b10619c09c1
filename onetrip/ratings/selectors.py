"""Reads of 好差评: what a rating pad shows, the invitation behind a link, the department's
rectification workbench, the supervisor's void requests, the anonymised public figures, and
``satisfaction_rate`` for the metrics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department
from onetrip.cases.models import Case, State, Visit
from onetrip.cases.rules import is_applicant
from onetrip.hall.models import Ticket, TicketState, WindowSession
from onetrip.ratings import rules
from onetrip.ratings.models import (
    Channel,
    Invitation,
    Level,
    Rating,
    RatingPad,
    Rectification,
    RectificationState,
    VoidRequest,
    VoidState,
)
from onetrip.workcalendar import clock

PAD_COOKIE = "onetrip_rating_pad"
RATEABLE_STATES = (State.CLOSED, State.DELIVERED)


def satisfaction_rate(qs: QuerySet[Rating]) -> float | None:
    """满意率 (satisfaction rate) of the ratings in ``qs``, by the national formula::

        satisfaction = (非常满意 + 满意 + 基本满意) / (all ratings)

    i.e. the good ratings (好评: levels 5, 4 and 3) over every rating, the poor ones (差评:
    不满意, 非常不满意) included. The five levels and the split into 好评 and 差评 are those of
    国办发〔2019〕51号 (政务服务"好差评"制度) and GB/T 39734-2020; the provincial 好差评
    specifications list the same five levels (非常满意 ☆☆☆☆☆ … 非常不满意 ☆). Voided ratings
    (a supervisor found them malicious) are left out; default ratings (not rated in time, counted
    as 满意) are counted, as national practice does. None when there is no rating."""
    rows = qs.filter(voided_at__isnull=True).values("level").annotate(n=Count("id")).order_by()
    return rules.satisfaction({r["level"]: r["n"] for r in rows})


# --- the rating pad --------------------------------------------------------------------------


def pad_of(key: str | None) -> RatingPad | None:
    """The enrolled pad whose key this is (the tablet's cookie, or the API's X-Pad-Key)."""
    if not key:
        return None
    return RatingPad.objects.select_related("window__area").filter(key_hash=RatingPad.hash_key(key),
                                                                   active=True).first()


@dataclass(frozen=True)
class PadSubject:
    """What the citizen at the counter rates: the ticket the window just served, or a visit the
    window's clerk just recorded on a case."""

    kind: str  # ticket | visit
    pk: int
    label: str
    item: str
    clerk: Any
    case: Case | None
    ticket: Ticket | None = None
    visit: Visit | None = None


def window_clerk(pad: RatingPad) -> Any:
    session = WindowSession.objects.select_related("clerk").filter(window=pad.window, ended_at__isnull=True).first()
    return session.clerk if session else None


def _mask_number(number: str | None) -> str:
    return f"…{number[-4:]}" if number else ""


def pad_subject(pad: RatingPad, now: dt.datetime | None = None) -> PadSubject | None:
    """The last service at the pad's window in the last ``rules.PAD_RECENT_MINUTES`` minutes that
    has no rating yet: a ticket finished at this window, else a visit its clerk recorded."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=rules.PAD_RECENT_MINUTES)
    ticket = (Ticket.objects.select_related("case__version", "clerk")
              .filter(window=pad.window, state=TicketState.DONE, finished_at__gte=since, ratings__isnull=True)
              .order_by("-finished_at", "-id").first())
    if ticket is not None:
        item = ticket.case.version.name if ticket.case else ""
        return PadSubject("ticket", ticket.pk, _("Ticket %(n)s") % {"n": ticket.number}, item, ticket.clerk,
                          ticket.case, ticket=ticket)
    clerk = window_clerk(pad)
    if clerk is None:
        return None
    visit = (Visit.objects.select_related("case__version")
             .filter(recorded_by=clerk, at__gte=since, ratings__isnull=True).order_by("-at", "-id").first())
    if visit is None:
        return None
    return PadSubject("visit", visit.pk, _("Case %(n)s") % {"n": _mask_number(visit.case.number)},
                      visit.case.version.name, clerk, visit.case, visit=visit)


# --- online ----------------------------------------------------------------------------------


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (Invitation.objects.select_related("case__version", "case__department")
            .filter(token_hash=Invitation.hash_token(token)).first())


def online_rating_of(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case, channel=Channel.ONLINE).first()


def panel(case: Case, user: Any, audience: str) -> dict[str, Any] | None:
    """The rating panel of the applicant's case page: after the result, rate it once."""
    if audience != "applicant" or not is_applicant(case, user):
        return None
    invitation = Invitation.objects.filter(case=case).first()
    if case.state not in RATEABLE_STATES and invitation is None:
        return None
    rating = online_rating_of(case)
    now = timezone.now()
    may_rate = rating is None and (invitation is None or rules.invitation_open(invitation.expires_at, now))
    return {"case": case, "rating": rating, "may_rate": may_rate, "levels": level_choices(),
            "aspects": aspect_choices(Channel.ONLINE), "expires_at": invitation.expires_at if invitation else None,
            "comment_max": rules.COMMENT_MAX}


def level_choices() -> list[tuple[int, str]]:
    return [(int(v), str(label)) for v, label in Level.choices]


def aspect_choices(channel: str) -> list[tuple[str, str]]:
    return [(k, str(label)) for k, label in rules.ASPECTS[channel]]


# --- the department's workbench ------------------------------------------------------------------


def rectifications_for(user: Any, state: str = "") -> QuerySet[Rectification]:
    """The rectifications ``user`` may see: their department's (officers, head), all of them for
    supervisors and system admins, none for anyone else; nearest deadline first."""
    qs = Rectification.objects.select_related("rating__case__version", "department", "rating__window")
    if rules.may_watch(user):
        pass
    elif getattr(user, "is_authenticated", False) and user.role in ("officer", "department_head") \
            and user.department_id:
        qs = qs.filter(department_id=user.department_id)
    else:
        return qs.none()
    if state == "active":
        qs = qs.filter(state__in=[RectificationState.OPEN, RectificationState.VISITED])
    elif state in RectificationState.values:
        qs = qs.filter(state=state)
    return qs.order_by("deadline", "id")


def rectification_for(user: Any, pk: int) -> Rectification | None:
    return rectifications_for(user).filter(pk=pk).first()


def light_today(r: Rectification, today: dt.date | None = None) -> str:
    """The rectification's light as of today (the stored one is refreshed by the job)."""
    if r.deadline is None or not r.clock_running():
        return clock.Light.NONE
    from django.conf import settings

    return clock.light(r.deadline, today or timezone.localdate(), int(getattr(settings, "WARNING_WORKDAYS", 2)))


def contact_of(rating: Rating) -> tuple[str, str]:
    """Whom the return visit calls: the applicant of the case, or the ticket's holder."""
    if rating.case_id is not None:
        app = rating.case.application  # type: ignore[union-attr]
        return app.applicant_name, app.applicant_mobile
    holder = rating.ticket.holder if rating.ticket is not None else None
    if holder is not None:
        return holder.real_name, holder.mobile
    return "", ""


def void_requests_for(user: Any, state: str = VoidState.PENDING) -> QuerySet[VoidRequest]:
    qs = VoidRequest.objects.select_related("rating__department", "rating__case__version", "requested_by")
    if not rules.may_watch(user):
        return qs.none()
    if state in VoidState.values:
        qs = qs.filter(state=state)
    return qs.order_by("requested_at", "id")


# --- published, anonymised -----------------------------------------------------------------------


@dataclass
class DepartmentFigures:
    name: str
    counts: dict[int, int]
    defaults: int
    total: int
    rate: float | None
    rectified: int

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f} %"


def public_figures(since: dt.datetime | None = None) -> list[DepartmentFigures]:
    """Counts per level per department (voided ratings left out), default ratings among them,
    the satisfaction rate and the closed rectifications. No person, case or comment."""
    qs = Rating.objects.filter(voided_at__isnull=True)
    if since is not None:
        qs = qs.filter(rated_at__gte=since)
    rows = qs.values("department_id", "level").annotate(n=Count("id"), d=Count("id", filter=Q(is_default=True)))
    by_dept: dict[int | None, dict[str, Any]] = {}
    for r in rows.order_by():
        entry = by_dept.setdefault(r["department_id"], {"counts": {}, "defaults": 0})
        entry["counts"][r["level"]] = r["n"]
        entry["defaults"] += r["d"]
    closed: dict[int | None, int] = dict(Rectification.objects.filter(state=RectificationState.CLOSED).values("department_id")
                  .annotate(n=Count("id")).order_by().values_list("department_id", "n"))
    names = {d.pk: d.name for d in Department.objects.filter(pk__in=[k for k in by_dept if k])}
    out = []
    for dept_id, entry in by_dept.items():
        counts = {int(level): entry["counts"].get(level, 0) for level in Level.values}
        out.append(DepartmentFigures(name=names.get(dept_id, "") if dept_id else _("Service hall windows"),
                                     counts=counts, defaults=entry["defaults"], total=sum(counts.values()),
                                     rate=rules.satisfaction(counts), rectified=closed.get(dept_id, 0)))
    out.sort(key=lambda f: (-f.total, f.name))
    return out


@dataclass(frozen=True)
class PublicRectification:
    department: str
    item: str
    level: str
    opened_on: dt.date
    closed_on: dt.date | None
    on_time: bool | None
    measures: str


def public_rectifications(limit: int = 50) -> list[PublicRectification]:
    """The closed rectifications, newest first, without personal data: the department, the item,
    the level, the dates and the measures (digits and e-mail addresses masked)."""
    qs = (Rectification.objects.filter(state=RectificationState.CLOSED)
          .select_related("department", "rating__case__version", "rating__case__application", "rating__clerk",
                          "rating__ticket__holder", "rating__rater").order_by("-closed_at", "-id")[:limit])
    return [PublicRectification(
        department=r.department.name if r.department else str(_("Service hall windows")),
        item=r.rating.case.version.name if r.rating.case_id else "",  # type: ignore[union-attr]
        level=str(Level(r.rating.level).label), opened_on=timezone.localdate(r.opened_at),
        closed_on=timezone.localdate(r.closed_at) if r.closed_at else None, on_time=r.closed_on_time,
        measures=rules.anonymise(r.measures, _names(r.rating))) for r in qs]


def _names(rating: Rating) -> list[str]:
    """The people a rating is about, whose names never reach the public page."""
    people = [contact_of(rating)[0]]
    people += [u.real_name for u in (rating.clerk, rating.rater) if u is not None]
    return people
