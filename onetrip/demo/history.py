"""A few months of made-up history for the demo district, so that the dashboards, the public
performance page and the monthly reports show something real: finished cases spread over the
last four months (trips, channels, decisions on time or late, ratings, drawn from a seeded random
generator, so every demo district is the same), their daily rollups and last months' reports.

The history cases are rows only (no trail, no materials): their applicant is 演示历史办件, their
numbers are in the 900000s so that they never meet the numbers of real cases."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from onetrip.accounts.models import User
from onetrip.cases.models import Application, Case, Channel, RuleViolation, State
from onetrip.catalog.models import ServiceItem
from onetrip.hall.models import Ticket, Window
from onetrip.ratings.models import Rating
from onetrip.workcalendar import workdays

HISTORY_NAME = "演示历史办件"
DAYS = 120
PER_WORKDAY = (3, 9)


def load_history(*, today: dt.date | None = None, seed: int = 430703) -> int:
    """Make the history once (a second call finds it and makes nothing). Returns the cases made."""
    if Application.objects.filter(applicant_name=HISTORY_NAME).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(seed)
    items = list(ServiceItem.objects.filter(current__isnull=False, parent__isnull=True)
                 .select_related("current__department").order_by("code"))
    clerk = User.objects.filter(username="chuangkou").first()
    if not items or clerk is None:
        return 0
    tz = timezone.get_current_timezone()
    windows = list(Window.objects.select_related("area").order_by("area_id", "number"))
    made = 0
    with transaction.atomic():
        for back in range(DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if not workdays.is_workday(day):
                continue
            for n in range(rng.randint(*PER_WORKDAY)):
                item = rng.choice(items)
                version = item.current
                assert version is not None
                promised = version.promised_limit_days
                used = max(0, round(rng.gauss(promised * 0.6, max(promised * 0.4, 1))))
                accepted = day - dt.timedelta(days=round(used * 1.4) + 1)
                deadline = workdays.add_workdays(accepted, promised)
                decided = min(workdays.add_workdays(accepted, used), day)
                trips = rng.choices([0, 1, 2], weights=[45, 47, 8])[0]
                online = rng.random() < 0.72
                deny = rng.random() < 0.05
                app = Application.objects.create(
                    submitted_by=clerk, item=item, channel=Channel.ONLINE if online else Channel.WINDOW,
                    applicant_name=HISTORY_NAME, applicant_id_number="", applicant_mobile="",
                    submitted_at=dt.datetime.combine(accepted, dt.time(9, 30), tzinfo=tz))
                closed_at = dt.datetime.combine(day, dt.time(10 + n % 7, 5 * n % 60), tzinfo=tz)
                case = Case.objects.create(
                    number=f"430703-{day:%Y%m%d}-{900001 + n}", application=app, item=item, version=version,
                    department=version.department, state=State.CLOSED, received_at=app.submitted_at,
                    received_on=accepted, accepted_on=accepted, promised_deadline=deadline,
                    legal_deadline=workdays.add_workdays(accepted, version.legal_limit_days),
                    deemed_accepted=rng.random() < 0.02,
                    decided_at=dt.datetime.combine(decided, dt.time(15, 0), tzinfo=tz),
                    decision_reasons="不符合法定条件（演示）" if deny else "", delivery_method="post" if trips == 0 else "pickup",
                    closed_at=closed_at, visit_count=trips)
                made += 1
                if decided > deadline:
                    _carded(case, rule=RuleViolation.Rule.OVERDUE, on=workdays.add_workdays(deadline, 1),
                            detail={"promised_deadline": str(deadline)})
                elif trips > version.max_visits:
                    _carded(case, rule=RuleViolation.Rule.VISITS_EXCEEDED, on=day,
                            detail={"visits": trips, "promised": version.max_visits})
                if not online and windows:
                    _served_at_a_window(rng, case, clerk, rng.choice(windows), accepted, n)
                if rng.random() < 0.6:  # 一事一评: most rate; the others count by default after the period
                    default = rng.random() < 0.25 and back > 16  # a default comes 15 days after the close
                    level = 4 if default else rng.choices([5, 4, 3, 2, 1], weights=[62, 24, 8, 4, 2])[0]
                    Rating.objects.create(channel="online", level=level, is_default=default,
                                          department=version.department, case=case,
                                          rated_at=closed_at + dt.timedelta(days=15 if default else rng.randint(0, 3)))
    from onetrip.reports import services as reports
    from onetrip.reports.models import RollupMark

    RollupMark.objects.filter(name=reports.MARK).delete()  # roll the history's days too
    reports.roll_up(today=today, first=today - dt.timedelta(days=DAYS))
    for months_back in (3, 2, 1):
        month = today.replace(day=1)
        for _ in range(months_back):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        reports.generate_monthly(month=month)
    return made


def _served_at_a_window(rng: random.Random, case: Case, clerk: User, window: Window, day: dt.date, n: int) -> None:
    """A window case was taken in at a hall window: its ticket (numbers from 900 up, never met by
    the day's real tickets) and, most times, the rating tapped on the window's pad (一次一评)."""
    tz = timezone.get_current_timezone()
    queued = dt.datetime.combine(day, dt.time(9 + n % 7, 3 * n % 60), tzinfo=tz)
    called = queued + dt.timedelta(minutes=max(1, round(rng.gauss(9, 6))))
    finished = called + dt.timedelta(minutes=rng.randint(4, 15))
    seq = 900 + Ticket.objects.filter(area=window.area, day=day).count()
    ticket = Ticket.objects.create(
        area=window.area, day=day, seq=seq, number=f"{window.area.prefix}{seq:03d}", token=f"history-{case.pk}",
        channel="kiosk", state="done", taken_at=queued, queued_at=queued, called_at=called, call_count=1,
        started_at=called, finished_at=finished, window=window,
        clerk=clerk, case=case)
    if rng.random() < 0.7:
        level = rng.choices([5, 4, 3, 2, 1], weights=[66, 22, 8, 3, 1])[0]
        Rating.objects.create(channel="onsite", level=level, department=case.department, ticket=ticket, case=case,
                              window=window, clerk=clerk, rated_at=finished)


def _carded(case: Case, *, rule: str, on: dt.date, detail: dict[str, object]) -> None:
    """A violation of the history and the yellow card the card job gave for it that day."""
    from onetrip.supervision.models import Card, CardColour, CardReason

    when = dt.datetime.combine(on, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    violation = RuleViolation.objects.create(case=case, rule=rule, department_id=case.department_id, detail=detail)
    RuleViolation.objects.filter(pk=violation.pk).update(at=when)
    Card.objects.create(key=f"violation:{violation.pk}", colour=CardColour.YELLOW, reason=CardReason.VIOLATION,
                        detail=violation.sentence()[:500], department_id=case.department_id, case=case,
                        violation=violation, issued_at=when, issued_on=on)
