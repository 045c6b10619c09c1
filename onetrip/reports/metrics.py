"""The reform's metrics, each defined once here: the counters one finished case contributes
(:func:`facts`, over the rows of :func:`fact_rows`), and each metric as a formula over the sums of those counters for a period,
a department, an item (:data:`METRICS`). The daily rollup (``reports.services.roll_up``) stores
the sums per day, department and item, so that a dashboard over a million cases adds up a few
thousand rows; the drill-down (``finished_cases``) lists the cases behind a figure.

A case counts on the day it was finished (办结: ``state = closed``, its ``closed_at`` in Beijing
time): handed out, delivered by post and closed, denied and closed, or not accepted and closed.
Withdrawn cases are not counted. Open cases are watched live on the supervision desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onetrip.cases.models import Case, Channel, RuleViolation, State
from onetrip.workcalendar import clock as clock_rules

DEPARTMENT_COUNTERS = ("ratings", "good_ratings", "default_ratings", "rectifications_closed",
                       "rectifications_on_time", "yellow_cards", "red_cards", "complaints")
COUNTERS = ("finished", "online", "one_trip", "zero_trip", "decided", "on_time", "workdays_used", "promised_days",
            "legal_days", "deemed", "notices", "repeated_notices", "materials", "waived", "licence_reuse")


def finished_cases(since: dt.date, until: dt.date) -> QuerySet[Case]:
    """The cases finished from ``since`` to ``until`` (Beijing days, both included)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Case.objects.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)


FACT_FIELDS = ("id", "department_id", "item_id", "version_id", "visit_count", "decided_at", "promised_deadline",
               "accepted_on", "paused_workdays", "paused_since", "deemed_accepted", "application__channel")


def fact_rows(cases: QuerySet[Case]) -> QuerySet[Any]:
    """The finished cases as rows with what :func:`facts` needs: their own fields and the counts of
    their notices, repeated-notice violations and registry-supplied materials, in one query (no
    query per case: the rollup of a busy day is one statement)."""
    from onetrip.registries.models import WaivedMaterial

    waived = WaivedMaterial.objects.filter(case=OuterRef("pk"), found=True)
    return cases.values(*FACT_FIELDS).annotate(
        n_notices=Count("notices", distinct=True),
        n_repeated=Count("violations", filter=Q(violations__rule=RuleViolation.Rule.REPEATED_NOTICE), distinct=True),
        n_waived=Coalesce(Subquery(waived.values("case").annotate(n=Count("id")).values("n")), 0),
        n_licence=Coalesce(Subquery(waived.filter(registry="licence").values("case").annotate(n=Count("id"))
                                    .values("n")), 0),
    )


def version_limits(version_ids: set[int]) -> dict[int, tuple[int, int, int]]:
    """Per item version: (promised days, legal days, required materials on its checklist)."""
    from onetrip.catalog.models import ItemVersion

    rows = ItemVersion.objects.filter(pk__in=version_ids).annotate(
        required=Count("materials", filter=Q(materials__required=True))).values_list(
        "pk", "promised_limit_days", "legal_limit_days", "required")
    return {pk: (promised, legal, required) for pk, promised, legal, required in rows}


def facts(row: Mapping[str, Any], limits: Mapping[int, tuple[int, int, int]]) -> dict[str, int]:
    """What one finished case adds to each counter (``row`` from :func:`fact_rows`).

    - ``finished`` 1; ``online`` 1 if applied online; ``one_trip`` 1 if its recorded trips
      (``visit_count``) are at most one; ``zero_trip`` 1 if none;
    - ``decided`` 1 if approved or denied; then ``on_time`` 1 if decided on or before its promised
      deadline, ``workdays_used`` the working days from acceptance to decision less the paused
      ones, ``promised_days`` and ``legal_days`` its item version's time limits;
    - ``deemed`` 1 if its acceptance was deemed (视为受理);
    - ``notices`` the one-time notices issued; ``repeated_notices`` the violations for a second
      notice naming what the first did not;
    - ``materials`` its checklist's required materials, ``waived`` those a registry supplied
      (免提交), ``licence_reuse`` those supplied from the e-licence registry."""
    promised, legal, required = limits.get(row["version_id"], (0, 0, 0))
    out = dict.fromkeys(COUNTERS, 0)
    out["finished"] = 1
    out["online"] = int(row["application__channel"] == Channel.ONLINE)
    out["one_trip"] = int(row["visit_count"] <= 1)
    out["zero_trip"] = int(row["visit_count"] == 0)
    if row["decided_at"] is not None:
        decided_on = timezone.localtime(row["decided_at"]).date()
        out["decided"] = 1
        out["on_time"] = int(row["promised_deadline"] is not None and decided_on <= row["promised_deadline"])
        if row["accepted_on"] is not None:
            out["workdays_used"] = clock_rules.workdays_used(row["accepted_on"], decided_on,
                                                             paused_workdays=row["paused_workdays"],
                                                             paused_since=row["paused_since"])
        out["promised_days"], out["legal_days"] = promised, legal
    out["deemed"] = int(row["deemed_accepted"])
    out["notices"] = row["n_notices"]
    out["repeated_notices"] = row["n_repeated"]
    out["materials"] = required
    out["waived"] = row["n_waived"]
    out["licence_reuse"] = row["n_licence"]
    return out


def facts_of(cases: QuerySet[Case]) -> list[tuple[dict[str, Any], dict[str, int]]]:
    """Each case's row and facts (the drill-down and the tests; the rollup sums them)."""
    rows = list(fact_rows(cases))
    limits = version_limits({r["version_id"] for r in rows})
    return [(r, facts(r, limits)) for r in rows]


def department_facts(day: dt.date) -> dict[int, dict[str, int]]:
    """Per department, what ``day`` added to the department counters:

    - ``ratings``: the ratings given that day, voided ones left out (a supervisor found them
      malicious); ``good_ratings`` those at 非常满意, 满意 or 基本满意 (``ratings.rules.GOOD_LEVELS``);
      ``default_ratings`` those counted by default (not rated in time);
    - ``rectifications_closed`` the rectifications of poor ratings closed that day,
      ``rectifications_on_time`` those closed by their deadline;
    - ``yellow_cards`` and ``red_cards`` the cards issued that day;
    - ``complaints``: the complaints (投诉) received on the 12345 line that day that name the
      department (the one it was sent to), merged duplicates counted once."""
    from onetrip.ratings.models import Rating, Rectification
    from onetrip.ratings.rules import GOOD_LEVELS
    from onetrip.supervision.models import Card

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    out: dict[int, dict[str, int]] = {}

    def put(rows: Any, names: dict[str, str]) -> None:
        for r in rows:
            if r["department_id"] is None:
                continue
            counters = out.setdefault(r["department_id"], dict.fromkeys(DEPARTMENT_COUNTERS, 0))
            for name, key in names.items():
                counters[name] += r[key]

    put(Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, voided_at__isnull=True)
        .values("department_id").annotate(n=Count("id"), good=Count("id", filter=Q(level__in=GOOD_LEVELS)),
                                          default=Count("id", filter=Q(is_default=True))).order_by(),
        {"ratings": "n", "good_ratings": "good", "default_ratings": "default"})
    put(Rectification.objects.filter(closed_at__gte=start, closed_at__lt=end).values("department_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(closed_on_time=True))).order_by(),
        {"rectifications_closed": "n", "rectifications_on_time": "on_time"})
    from onetrip.hotline.models import Kind as TicketKind
    from onetrip.hotline.models import Ticket as HotlineTicket

    put(HotlineTicket.objects.filter(kind=TicketKind.COMPLAINT, created_at__gte=start, created_at__lt=end,
                                     main__isnull=True).values("department_id")
        .annotate(n=Count("id")).order_by(), {"complaints": "n"})
    put(Card.objects.filter(issued_on=day).values("department_id")
        .annotate(yellow=Count("id", filter=Q(colour="yellow")), red=Count("id", filter=Q(colour="red"))).order_by(),
        {"yellow_cards": "yellow", "red_cards": "red"})
    return out


def _ratio(num: str, den: str) -> Callable[[Mapping[str, int]], float | None]:
    return lambda s: (s[num] / s[den]) if s[den] else None


@dataclass(frozen=True)
class Metric:
    code: str
    label: Any
    formula: Any  # in words, shown next to the figure
    compute: Callable[[Mapping[str, int]], float | int | None]
    percent: bool = False
    reference: float | None = None  # a published reference value (e.g. Zhejiang 2017), drawn as a line


METRICS: tuple[Metric, ...] = (
    Metric("finished", _("Cases finished"), _("cases closed in the period"), lambda s: s["finished"]),
    Metric("one_trip_rate", _("At most one trip"), _("cases with at most one recorded trip ÷ cases finished"),
           _ratio("one_trip", "finished"), percent=True, reference=0.879),
    Metric("zero_trip_rate", _("No trip"), _("cases with no recorded trip ÷ cases finished"),
           _ratio("zero_trip", "finished"), percent=True),
    Metric("online_share", _("Applied online"), _("cases applied for online ÷ cases finished"),
           _ratio("online", "finished"), percent=True),
    Metric("on_time_rate", _("Decided on time"), _("decided by the promised deadline ÷ decided"),
           _ratio("on_time", "decided"), percent=True),
    Metric("avg_workdays", _("Working days used (average)"), _("working days from acceptance to decision ÷ decided"),
           _ratio("workdays_used", "decided")),
    Metric("avg_promised", _("Promised working days (average)"), _("promised time limits ÷ decided"),
           _ratio("promised_days", "decided")),
    Metric("avg_legal", _("Legal working days (average)"), _("legal time limits ÷ decided"),
           _ratio("legal_days", "decided")),
    Metric("deemed", _("Deemed acceptances"), _("cases whose acceptance was deemed"), lambda s: s["deemed"]),
    Metric("notices_per_case", _("One-time notices per case"), _("notices issued ÷ cases finished"),
           _ratio("notices", "finished")),
    Metric("repeated_notices", _("Repeated notices"), _("second notices naming what the first did not"),
           lambda s: s["repeated_notices"]),
    Metric("waived_rate", _("Materials not asked for (once-only)"),
           _("required materials supplied by a registry ÷ required materials"), _ratio("waived", "materials"),
           percent=True),
    Metric("licence_reuse", _("E-licences reused"), _("materials supplied from the e-licence registry"),
           lambda s: s["licence_reuse"]),
    Metric("ratings", _("Ratings"), _("ratings given in the period (voided ones left out)"), lambda s: s["ratings"]),
    Metric("satisfaction_rate", _("Satisfaction rate"),
           _("(very satisfied + satisfied + fairly satisfied) ÷ all ratings, default ratings counted"),
           _ratio("good_ratings", "ratings"), percent=True, reference=0.947),
    Metric("default_share", _("Ratings by default"), _("ratings counted by default ÷ all ratings"),
           _ratio("default_ratings", "ratings"), percent=True),
    Metric("rectification_on_time_rate", _("Rectifications closed on time"),
           _("rectifications closed by their deadline ÷ rectifications closed"),
           _ratio("rectifications_on_time", "rectifications_closed"), percent=True),
    Metric("complaints", _("Complaints received"), _("complaints received on the 12345 line, by the department they name"),
           lambda s: s["complaints"]),
    Metric("yellow_cards", _("Yellow cards"), _("yellow cards issued in the period"), lambda s: s["yellow_cards"]),
    Metric("red_cards", _("Red cards"), _("red cards issued in the period"), lambda s: s["red_cards"]),
)


WINDOW_COUNTERS = ("served", "wait_seconds", "taken_in", "taken_in_finished", "taken_in_one_trip", "ratings",
                   "good_ratings")


def window_facts(day: dt.date) -> dict[int, dict[str, int]]:
    """Per hall window (综合窗口), what ``day`` added to the window counters (the daily rollup
    stores them, like the case counters):

    - ``served``: tickets of the day finished at the window (state done); ``wait_seconds``:
      their waits summed, from taking the ticket (its place in the queue) to the first call;
    - ``taken_in``: of those, the tickets that led to a case (window intake);
    - ``taken_in_finished``: the cases finished (办结) that day that were taken in at the window,
      ``taken_in_one_trip``: those of them with at most one recorded trip — like every case
      counter, a case counts on the day it is finished;
    - ``ratings``: on-site ratings (一次一评) given at the window that day, voided ones left out;
      ``good_ratings``: those at 非常满意, 满意 or 基本满意."""
    from django.db.models import DurationField, ExpressionWrapper, F, Sum

    from onetrip.hall.models import Ticket, TicketState
    from onetrip.ratings.models import Channel as RatingChannel
    from onetrip.ratings.models import Rating
    from onetrip.ratings.rules import GOOD_LEVELS

    out: dict[int, dict[str, int]] = {}

    def put(window_id: int, **values: int) -> None:
        counters = out.setdefault(window_id, dict.fromkeys(WINDOW_COUNTERS, 0))
        counters.update(values)

    wait = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
    for r in (Ticket.objects.filter(day=day, state=TicketState.DONE, window__isnull=False)
              .values("window_id").annotate(served=Count("id"), wait=Sum(wait, filter=Q(called_at__isnull=False)),
                                            taken_in=Count("id", filter=Q(case__isnull=False))).order_by()):
        put(r["window_id"], served=r["served"], wait_seconds=int(r["wait"].total_seconds()) if r["wait"] else 0,
            taken_in=r["taken_in"])
    finished = finished_cases(day, day)
    for r in (Ticket.objects.filter(case__in=finished.values("pk"), window__isnull=False, state=TicketState.DONE)
              .values("window_id").annotate(n=Count("case_id", distinct=True),
                                            one=Count("case_id", filter=Q(case__visit_count__lte=1), distinct=True))
              .order_by()):
        put(r["window_id"], taken_in_finished=r["n"], taken_in_one_trip=r["one"])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    for r in (Rating.objects.filter(channel=RatingChannel.ONSITE, window__isnull=False, voided_at__isnull=True,
                                    rated_at__gte=start, rated_at__lt=start + dt.timedelta(days=1))
              .values("window_id").annotate(n=Count("id"), good=Count("id", filter=Q(level__in=GOOD_LEVELS)))
              .order_by()):
        put(r["window_id"], ratings=r["n"], good_ratings=r["good"])
    return out


WINDOW_METRICS: tuple[Metric, ...] = (
    Metric("served", _("Tickets served"), _("tickets finished at the window"), lambda s: s["served"]),
    Metric("avg_wait_minutes", _("Average wait (minutes)"),
           _("minutes from taking the ticket to the first call ÷ tickets served"),
           lambda s: round(s["wait_seconds"] / 60 / s["served"], 1) if s["served"] else None),
    Metric("taken_in", _("Cases taken in"), _("tickets served that led to a case"), lambda s: s["taken_in"]),
    Metric("one_trip_rate", _("At most one trip"),
           _("cases taken in at the window and finished in the period with at most one trip ÷ those finished"),
           _ratio("taken_in_one_trip", "taken_in_finished"), percent=True, reference=0.879),
    Metric("ratings", _("Ratings"), _("on-site ratings at the window (voided ones left out)"), lambda s: s["ratings"]),
    Metric("satisfaction_rate", _("Satisfaction rate"),
           _("(very satisfied + satisfied + fairly satisfied) ÷ on-site ratings at the window"),
           _ratio("good_ratings", "ratings"), percent=True, reference=0.947),
)


def compute_window(sums: Mapping[str, int]) -> dict[str, float | int | None]:
    """Every window metric from a window's counters (None where its denominator is zero)."""
    full = {c: int(sums.get(c) or 0) for c in WINDOW_COUNTERS}
    return {m.code: m.compute(full) for m in WINDOW_METRICS}


def compute(sums: Mapping[str, int]) -> dict[str, float | int | None]:
    """Every metric from the summed counters (None where its denominator is zero)."""
    full = {c: int(sums.get(c) or 0) for c in (*COUNTERS, *DEPARTMENT_COUNTERS)}
    return {m.code: m.compute(full) for m in METRICS}


def add_up(rows: Any) -> dict[str, int]:
    """The counters summed over facts or rollup rows (dicts or objects with the counter fields)."""
    total = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for c in COUNTERS:
            total[c] += int(row[c] if isinstance(row, Mapping) else getattr(row, c))
    return total


def add_department(rows: Any) -> dict[str, int]:
    """The department counters summed over facts or rollup rows."""
    total = dict.fromkeys(DEPARTMENT_COUNTERS, 0)
    for row in rows:
        for c in DEPARTMENT_COUNTERS:
            total[c] += int(row[c] if isinstance(row, Mapping) else getattr(row, c))
    return total
