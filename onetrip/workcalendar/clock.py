"""The working-day clock (办理时限): one set of rules for every promise made in working days.

A clock starts on a day (acceptance, or receipt when acceptance is deemed), runs for a limit
of working days, pauses while the time does not count (a supplement, a special procedure
excluded from the limit) and resumes afterwards. Cases use it; hotline tickets, supervision
orders and rectifications will too.

The rules, with the calendar of ``workdays`` (weekends and public holidays off, make-up days on):

- **The start day does not count.** Accepted on Friday with 3 working days: Mon, Tue, Wed; the
  deadline is Wednesday.
- **A pause counts the working days after the day it began, up to and including the day it
  ends.** Paused on Monday, resumed on Thursday: Tue, Wed, Thu were paused (3 days), and the
  deadline moves 3 working days later. While a pause runs, the deadline moves every working day.
- **The light**: past the deadline is overdue; a deadline within ``warning_workdays`` working
  days of today is a warning; otherwise normal. A clock not running has no light.
- **Used and left**: working days used are those after the start, up to today (or the day the
  clock stopped), less the paused ones; days left run from today to the deadline, negative once
  it has passed.

The pure functions below are the rules; ``WorkdayClock`` is an abstract model that stores a
clock on a row (the deadline stored, so that "what is overdue" is an index lookup) and calls
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from onetrip.workcalendar import workdays


class Light(models.TextChoices):
    """The status light (红黄绿灯). The values are the ones cases store already."""

    NONE = "", _("Clock not running")
    NORMAL = "normal", _("Normal")
    WARNING = "warning", _("Near the deadline")
    OVERDUE = "overdue", _("Overdue")


# --- the rules, as pure functions ------------------------------------------------------------


def deadline(start: dt.date, limit_workdays: int, paused_workdays: int = 0) -> dt.date:
    """The last day of a limit of ``limit_workdays`` working days counted after ``start``,
    pushed back by ``paused_workdays``. A limit of 0 ends on the start day itself."""
    if limit_workdays < 0 or paused_workdays < 0:
        raise ValueError(f"limits and pauses are 0 or more, not {limit_workdays} and {paused_workdays}")
    return workdays.add_workdays(start, limit_workdays + paused_workdays)


def paused_total(paused_workdays: int, paused_since: dt.date | None, today: dt.date) -> int:
    """Working days paused so far: the finished pauses plus the one still running on ``today``."""
    if paused_since is None:
        return paused_workdays
    return paused_workdays + workdays.workdays_between(paused_since, today)


def pause(paused_since: dt.date | None, today: dt.date) -> dt.date:
    """When the running pause began: ``today``, unless one is running already (a second pause
    inside the first changes nothing)."""
    return today if paused_since is None else paused_since


def resume(paused_workdays: int, paused_since: dt.date | None, today: dt.date) -> int:
    """The paused working days once the pause that began on ``paused_since`` ends on ``today``
    (unchanged when no pause is running). The caller then clears ``paused_since``."""
    return paused_total(paused_workdays, paused_since, today)


def workdays_used(start: dt.date, today: dt.date, *, paused_workdays: int = 0,
                  paused_since: dt.date | None = None) -> int:
    """Working days used from ``start`` to ``today`` (the day the clock stopped, for a
    finished matter), the paused ones not counted; never negative."""
    return max(0, workdays.workdays_between(start, today) - paused_total(paused_workdays, paused_since, today))


def workdays_left(deadline: dt.date, today: dt.date) -> int:
    """Working days from ``today`` to ``deadline``: 0 on the deadline itself, negative after it
    (the working days it is overdue by)."""
    if today <= deadline:
        return workdays.workdays_between(today, deadline)
    return -workdays.workdays_between(deadline, today)


def warning_from(today: dt.date, warning_workdays: int) -> dt.date:
    """A deadline on or before this day is near: ``warning_workdays`` working days after today."""
    return workdays.add_workdays(today, warning_workdays)


def light(deadline: dt.date, today: dt.date, warning_workdays: int) -> Light:
    """Overdue after the deadline; a warning when the deadline is at most ``warning_workdays``
    working days away (today included); normal otherwise."""
    if today > deadline:
        return Light.OVERDUE
    if deadline <= warning_from(today, warning_workdays):
        return Light.WARNING
    return Light.NORMAL


@dataclass(frozen=True, slots=True)
class Reading:
    """What a page shows about one clock on one day."""

    deadline: dt.date | None
    workdays_used: int | None
    workdays_left: int | None  # None once the clock has stopped
    light: Light
    paused: bool
    calendar_source: str  # which rule decided today's year: admin, chinesecalendar or weekdays


# --- the clock on a row ------------------------------------------------------------------------


class WorkdayClock(models.Model):
    """A working-day clock stored on a row. Subclasses say when it runs (``clock_running``) and
    add the indexes their lists need, e.g. ``Index(fields=["state", "deadline"])``.

    Call ``clock_start``, ``clock_pause``, ``clock_resume`` and ``clock_recompute`` inside the
    service that changes the row, then save it; the methods never save or write the trail.
    """

    started_on = models.DateField(_("clock started on"), null=True, blank=True)
    limit_workdays = models.PositiveIntegerField(_("time limit (working days)"), default=0)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    paused_workdays = models.PositiveIntegerField(_("working days paused"), default=0)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    light = models.CharField(_("status light"), max_length=16, choices=Light.choices, blank=True,
                             default=Light.NONE)

    CLOCK_FIELDS = ("started_on", "limit_workdays", "paused_since", "paused_workdays", "deadline", "light")

    class Meta:
        abstract = True

    def clock_running(self) -> bool:
        """Whether the clock runs now (e.g. the case is still being handled). Override it; a
        stopped clock keeps its deadline but has no light."""
        return True

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def clock_start(self, *, on: dt.date, limit_workdays: int, warning_workdays: int,
                    today: dt.date | None = None) -> None:
        """Start (or restart) the clock on ``on`` with a fresh limit and no pauses; the light as
        of ``today`` (default ``on``; later when the start lies in the past, as for a case
        deemed accepted from its receipt)."""
        self.started_on = on
        self.limit_workdays = limit_workdays
        self.paused_since = None
        self.paused_workdays = 0
        self.clock_recompute(today=today or on, warning_workdays=warning_workdays)

    def clock_pause(self, *, on: dt.date) -> None:
        """Stop counting after ``on``. Does nothing before the clock started, or while paused."""
        if self.started_on is not None:
            self.paused_since = pause(self.paused_since, on)

    def clock_resume(self, *, on: dt.date, warning_workdays: int) -> None:
        """Count again from the day after ``on``; the deadline moves by the working days paused."""
        self.paused_workdays = resume(self.paused_workdays, self.paused_since, on)
        self.paused_since = None
        self.clock_recompute(today=on, warning_workdays=warning_workdays)

    def clock_deadline(self, *, today: dt.date, limit_workdays: int | None = None) -> dt.date | None:
        """The deadline for this clock's limit (or for another limit on the same clock, e.g. the
        legal limit beside the promised one), counting a running pause up to ``today``."""
        if self.started_on is None:
            return None
        limit = self.limit_workdays if limit_workdays is None else limit_workdays
        return deadline(self.started_on, limit, paused_total(self.paused_workdays, self.paused_since, today))

    def clock_recompute(self, *, today: dt.date, warning_workdays: int) -> None:
        """The stored deadline and light as of ``today``."""
        self.deadline = self.clock_deadline(today=today)
        if self.deadline is None or not self.clock_running():
            self.light = Light.NONE
        else:
            self.light = light(self.deadline, today, warning_workdays)

    def clock_reading(self, *, today: dt.date, stopped_on: dt.date | None = None) -> Reading:
        """Deadline, working days used and left, the light, for a page. ``stopped_on`` is the day
        the matter was decided: days used stop counting there, and no days are left."""
        used = left = None
        if self.started_on is not None:
            end = stopped_on or today
            used = workdays_used(self.started_on, end, paused_workdays=self.paused_workdays,
                                 paused_since=self.paused_since)
            if self.deadline is not None and stopped_on is None and self.clock_running():
                left = workdays_left(self.deadline, today)
        return Reading(deadline=self.deadline, workdays_used=used, workdays_left=left, light=Light(self.light),
                       paused=self.is_paused, calendar_source=workdays.year_source(today.year))
