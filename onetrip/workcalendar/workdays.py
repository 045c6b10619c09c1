"""The working-day calendar (工作日): weekends and public holidays off, make-up days (调休) on.

Which rule decides a year, strongest first:

1. ``admin``: an admin loaded the year's arrangement (``CalendarYear`` + ``Holiday`` rows);
   listed holidays are off, listed make-up days are on, every other day follows Mon–Fri.
2. ``chinesecalendar``: the package knows the year (v1.11.0: 2004–2026).
3. ``weekdays``: nobody knows the year; Monday–Friday, and the source says so.

Every function answers for any ``date`` (0001-01-01 .. 9999-12-31) and never raises for one.
A result that would fall after 9999-12-31 is clamped to 9999-12-31.

Speed: per process, a window of years (2000 .. the latest known year + 30) is built lazily:
for each day the number of working days up to it (an ``array``), and the list of the working
days themselves; ``add_workdays`` is two index operations. Outside the window every year is plain Mon–Fri, which is counted arithmetically.
The cache re-reads a cheap version stamp of the holiday tables at most every
``RECHECK_SECONDS`` and rebuilds when it changed; ``invalidate()`` drops it at once.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any

from django.utils import timezone

SOURCE_ADMIN = "admin"  # the admin-maintained holiday table covers that year
SOURCE_PACKAGE = "chinesecalendar"  # the chinesecalendar package knows that year
SOURCE_WEEKDAYS = "weekdays"  # nobody loaded that year: Monday–Friday fallback

_STRENGTH = {SOURCE_WEEKDAYS: 0, SOURCE_PACKAGE: 1, SOURCE_ADMIN: 2}

RECHECK_SECONDS = 60.0
WINDOW_FIRST_YEAR = 2000
WINDOW_YEARS_AHEAD = 30

_MAX_ORDINAL = date.max.toordinal()


def _weekdays_upto(ordinal: int) -> int:
    """Mon–Fri days d with 1 <= d <= ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday(n: int) -> int:
    """The ordinal of the n-th Mon–Fri day counted from 0001-01-01 (n >= 1)."""
    weeks, rest = divmod(n - 1, 5)
    return 7 * weeks + rest + 1


def _is_weekday(ordinal: int) -> bool:
    return (ordinal + 6) % 7 < 5


@dataclass(slots=True)
class _Calendar:
    first: int  # ordinal of the window's first day (1 January)
    last: int  # ordinal of the window's last day (31 December)
    working: bytes  # working[o - first] == 1 when day o of the window is a working day
    sources: dict[int, str]  # years ruled by admin or package; other years are weekdays
    stamp: Any
    check_at: float
    span: int = field(init=False)  # days in the window
    before: int = field(init=False)  # working days before the window (Mon–Fri)
    count: int = field(init=False)  # working days in the window
    upto: array = field(init=False)  # type: ignore[type-arg]  # upto[o - first]: working days in the window <= o
    dates: list[date] = field(init=False)  # dates[k]: the k-th working day of the window (dates[0] unused)

    def __post_init__(self) -> None:
        self.span = self.last - self.first + 1
        self.before = _weekdays_upto(self.first - 1)
        self.upto = array("i", accumulate(self.working))
        self.dates = [date.min, *(date.fromordinal(self.first + i) for i, w in enumerate(self.working) if w)]
        self.count = len(self.dates) - 1

    def rank(self, ordinal: int) -> int:
        """Working days d with d <= ordinal, counted from 0001-01-01."""
        if ordinal < self.first:
            return _weekdays_upto(ordinal)
        if ordinal <= self.last:
            return self.before + self.upto[ordinal - self.first]
        return self.before + self.count + _weekdays_upto(ordinal) - _weekdays_upto(self.last)

    def unrank(self, n: int) -> int:
        """The ordinal of the n-th working day (n >= 1), clamped to 9999-12-31."""
        if n <= self.before:
            return _nth_weekday(n)
        if n <= self.before + self.count:
            return self.dates[n - self.before].toordinal()
        ordinal = _nth_weekday(n - self.before - self.count + _weekdays_upto(self.last))
        return min(ordinal, _MAX_ORDINAL)

    def is_workday(self, ordinal: int) -> bool:
        if self.first <= ordinal <= self.last:
            return self.working[ordinal - self.first] == 1
        return _is_weekday(ordinal)

    def source(self, year: int) -> str:
        return self.sources.get(year, SOURCE_WEEKDAYS)

    def weakest(self, first_year: int, last_year: int) -> str:
        if last_year - first_year + 1 > len(self.sources):
            return SOURCE_WEEKDAYS  # some year in the span is known to nobody
        return min((self.source(y) for y in range(first_year, last_year + 1)), key=_STRENGTH.__getitem__)


_state: _Calendar | None = None
_lock = threading.Lock()


def _package_data() -> tuple[dict[int, bool], range]:
    """chinesecalendar's days that differ from Mon–Fri (ordinal -> working?) and its years."""
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - it is a dependency, but never crash for it
        return {}, range(0)
    known = [*constants.holidays, *constants.workdays]
    if not known:  # pragma: no cover
        return {}, range(0)
    overrides = {d.toordinal(): False for d in constants.holidays}
    overrides.update({d.toordinal(): True for d in constants.workdays})
    return overrides, range(min(known).year, max(known).year + 1)


def _db_stamp() -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from onetrip.workcalendar.models import CalendarYear, Holiday

    years = CalendarYear.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    days = Holiday.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (years["n"], years["at"], days["n"], days["at"])


def _build(stamp: tuple[Any, ...]) -> _Calendar:
    from onetrip.workcalendar.models import CalendarYear, Holiday

    package_overrides, package_years = _package_data()
    admin_years = set(CalendarYear.objects.values_list("year", flat=True))
    sources: dict[int, str] = dict.fromkeys(package_years, SOURCE_PACKAGE)
    sources.update(dict.fromkeys(admin_years, SOURCE_ADMIN))

    overrides = {o: w for o, w in package_overrides.items() if date.fromordinal(o).year not in admin_years}
    if admin_years:
        for day, kind in Holiday.objects.filter(year__in=admin_years).values_list("date", "kind"):
            overrides[day.toordinal()] = kind == "workday"

    first_year = min([WINDOW_FIRST_YEAR, *sources])
    last_year = min(max([timezone.localdate().year, *sources]) + WINDOW_YEARS_AHEAD, date.max.year)
    first, last = date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal()
    working = bytes(1 if overrides.get(o, _is_weekday(o)) else 0 for o in range(first, last + 1))
    return _Calendar(first, last, working, sources, stamp, time.monotonic() + RECHECK_SECONDS)


def _refresh() -> _Calendar:
    global _state
    with _lock:
        state = _state
        if state is not None and time.monotonic() < state.check_at:
            return state  # another thread refreshed it meanwhile
        stamp = _db_stamp()
        if state is not None and state.stamp == stamp:
            state.check_at = time.monotonic() + RECHECK_SECONDS
            return state
        _state = state = _build(stamp)
        return state


def _calendar() -> _Calendar:
    state = _state
    if state is None or time.monotonic() >= state.check_at:
        state = _refresh()
    return state


def invalidate() -> None:
    """Drop this process's cache; the next question rebuilds it from the database."""
    global _state
    with _lock:
        _state = None


def is_workday(day: date) -> bool:
    return _calendar().is_workday(day.toordinal())


def is_workday_with_source(day: date) -> tuple[bool, str]:
    state = _calendar()
    return state.is_workday(day.toordinal()), state.source(day.year)


def add_workdays(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    if days <= 0:
        if days == 0:
            return start
        raise ValueError(f"days must be 0 or more, not {days}")
    state = _state
    if state is None or time.monotonic() >= state.check_at:
        state = _refresh()
    ordinal = start.toordinal()
    offset = ordinal - state.first
    if 0 <= offset < state.span:
        k = state.upto[offset] + days
        if k <= state.count:
            return state.dates[k]
    return date.fromordinal(state.unrank(state.rank(ordinal) + days))


def add_workdays_with_source(start: date, days: int) -> tuple[date, str]:
    """Like ``add_workdays``, with the weakest source of any year from ``start`` to the result."""
    end = add_workdays(start, days)
    return end, _calendar().weakest(start.year, end.year)


def workdays_between(start: date, end: date) -> int:
    """Working days d with start < d <= end (0 if end <= start)."""
    if end <= start:
        return 0
    state = _calendar()
    return state.rank(end.toordinal()) - state.rank(start.toordinal())


def year_source(year: int) -> str:
    return _calendar().source(year)


def coverage(years: Iterable[int]) -> list[tuple[int, str]]:
    """(year, source) for each year, e.g. for the supervision screen."""
    state = _calendar()
    return [(year, state.source(year)) for year in years]
