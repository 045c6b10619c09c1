"""Writes to the holiday table (节假日安排) that an admin loads each year from the State
Council's notice. The table wins over the chinesecalendar package for the years it covers;
see ``workcalendar/workdays.py``.

The file an admin prepares has one day per line, ``YYYY-MM-DD,holiday|workday,name``::

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01,holiday,元旦
    2027-02-06,workday,春节
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.core import trail
from onetrip.workcalendar import workdays
from onetrip.workcalendar.models import CalendarYear, Holiday

MIN_YEAR = 2000
MAX_YEAR = 2199
NAME_MAX_LENGTH = Holiday._meta.get_field("name").max_length or 64

Entry = tuple[dt.date, str, str]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KINDS = frozenset(Holiday.Kind.values)


def _entry_problem(day: Any, kind: Any, name: Any, year: int | None) -> str | None:
    """What is wrong with one day of an arrangement, or None."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return _("the date must be a date, not %(v)r") % {"v": day}
    if year is not None and day.year != year:
        return _("%(d)s is not in %(y)s") % {"d": day.isoformat(), "y": year}
    if kind not in _KINDS:
        return _("unknown kind “%(k)s”: use holiday or workday") % {"k": kind}
    if not isinstance(name, str) or not name.strip():
        return _("the name is missing (e.g. 春节)")
    if len(name.strip()) > NAME_MAX_LENGTH:
        return _("the name is longer than %(n)s characters") % {"n": NAME_MAX_LENGTH}
    if kind == Holiday.Kind.WORKDAY and day.weekday() < 5:
        return _("%(d)s is a weekday and a working day anyway; a make-up working day is a Saturday or Sunday") % {
            "d": day.isoformat()
        }
    return None


def check_year(year: Any) -> None:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("The year must be between %(a)s and %(b)s, not %(y)s.") % {"a": MIN_YEAR, "b": MAX_YEAR, "y": year},
            code="year",
        )


def parse_holiday_file(text: str, *, year: int | None = None) -> list[Entry]:
    """Read ``YYYY-MM-DD,holiday|workday,name`` lines; ``#`` comments and blank lines are
    skipped, and so is anything after a ``#``. Raises one ValidationError naming every bad line by its number. With ``year``,
    every date must be in that year."""
    entries: list[Entry] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().lstrip("\ufeff").strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            errors.append(_("Line %(n)s: expected “YYYY-MM-DD,holiday|workday,name”, got “%(l)s”.")
                          % {"n": number, "l": line})
            continue
        text_date, kind, name = parts
        try:
            if not _DATE.match(text_date):
                raise ValueError
            day = dt.date.fromisoformat(text_date)
        except ValueError:
            errors.append(_("Line %(n)s: “%(d)s” is not a date written YYYY-MM-DD.") % {"n": number, "d": text_date})
            continue
        problem = _entry_problem(day, kind, name, year)
        if problem is None and day in seen:
            problem = _("%(d)s is already on line %(m)s") % {"d": text_date, "m": seen[day]}
        if problem is not None:
            errors.append(_("Line %(n)s: %(p)s.") % {"n": number, "p": problem})
            continue
        seen[day] = number
        entries.append((day, kind, name))
    if errors:
        raise ValidationError(errors, code="file")
    if not entries:
        raise ValidationError(_("The file lists no days."), code="empty")
    return entries


def validate_entries(year: int, entries: Sequence[Entry]) -> list[Holiday]:
    """Check a whole year's arrangement; return unsaved Holiday rows or raise one
    ValidationError naming every bad entry (1-based, in the order given)."""
    check_year(year)
    if not entries:
        raise ValidationError(_("The arrangement for %(y)s lists no days.") % {"y": year}, code="empty")
    errors: list[str] = []
    rows: list[Holiday] = []
    seen: dict[dt.date, int] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            day, kind, name = entry
        except (TypeError, ValueError):
            errors.append(_("Line %(n)s: expected (date, kind, name), got %(e)r.") % {"n": number, "e": entry})
            continue
        problem = _entry_problem(day, kind, name, year)
        if problem is None and day in seen:
            problem = _("%(d)s is already on line %(m)s") % {"d": day.isoformat(), "m": seen[day]}
        if problem is not None:
            errors.append(_("Line %(n)s: %(p)s.") % {"n": number, "p": problem})
            continue
        seen[day] = number
        row = Holiday(date=day, kind=kind, name=name.strip(), year=year)
        try:
            row.full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.append(_("Line %(n)s: %(p)s") % {"n": number, "p": " ".join(exc.messages)})
            continue
        rows.append(row)
    if errors:
        raise ValidationError(errors, code="entries")
    return rows


def _summary_of(rows: Sequence[Holiday]) -> dict[str, list[str]]:
    return {
        "holidays": [r.date.isoformat() for r in rows if r.kind == Holiday.Kind.HOLIDAY],
        "workdays": [r.date.isoformat() for r in rows if r.kind == Holiday.Kind.WORKDAY],
    }


def load_year(*, actor: Any, year: int, entries: list[Entry], source_note: str) -> CalendarYear:
    """Replace the whole arrangement of ``year`` (all or nothing) and mark the year loaded."""
    rows = validate_entries(year, entries)
    source_note = (source_note or "").strip()
    with transaction.atomic():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
        previous = list(Holiday.objects.filter(year=year).order_by("date"))
        if calendar_year is None:
            calendar_year = CalendarYear(year=year)
        calendar_year.loaded_by = actor if getattr(actor, "is_authenticated", False) else None
        calendar_year.loaded_at = timezone.now()
        calendar_year.source_note = source_note
        calendar_year.full_clean(exclude=["loaded_by"], validate_unique=False)
        Holiday.objects.filter(year=year).delete()
        Holiday.objects.bulk_create(rows)
        calendar_year.save()
        kinds = Counter(r.kind for r in rows)
        trail.record(
            actor=actor,
            action="calendar.load",
            object_type="calendar",
            object_id=str(year),
            summary={
                "year": year,
                "source_note": source_note,
                "holiday_count": kinds[Holiday.Kind.HOLIDAY],
                "workday_count": kinds[Holiday.Kind.WORKDAY],
                **_summary_of(rows),
                "replaced": _summary_of(previous) if previous else None,
            },
        )
        transaction.on_commit(workdays.invalidate)
    return calendar_year


def check_holiday_edit(*, day: Any, kind: Any, name: Any) -> None:
    """What the admin's form for one day checks: a valid entry in a year already loaded."""
    problem = _entry_problem(day, kind, name, None)
    if problem is not None:
        raise ValidationError(_("This day cannot be saved: %(p)s.") % {"p": problem}, code="entry")
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise ValidationError(
            _("No arrangement is loaded for %(y)s; load the whole year first (manage.py calendar_load).")
            % {"y": day.year},
            code="not_loaded",
        )


def save_holiday(*, actor: Any, holiday: Holiday) -> Holiday:
    """Add or correct one day of a loaded year (the admin's form)."""
    created = holiday.pk is None
    check_holiday_edit(day=holiday.date, kind=holiday.kind, name=holiday.name)
    with transaction.atomic():
        before = None if created else Holiday.objects.select_for_update().filter(pk=holiday.pk).first()
        if before is not None and before.year != holiday.date.year:
            raise ValidationError(_("A day cannot be moved to another year; delete it and add it there."))
        holiday.name = holiday.name.strip()
        holiday.year = holiday.date.year
        holiday.full_clean()
        holiday.save()
        CalendarYear.objects.get(year=holiday.year).save(update_fields=["updated_at"])
        trail.record(
            actor=actor,
            action="calendar.day.add" if created else "calendar.day.change",
            object_type="calendar",
            object_id=str(holiday.year),
            summary={
                "date": holiday.date.isoformat(), "kind": holiday.kind, "name": holiday.name,
                "before": None if before is None else
                {"date": before.date.isoformat(), "kind": before.kind, "name": before.name},
            },
        )
        transaction.on_commit(workdays.invalidate)
    return holiday


def delete_holiday(*, actor: Any, holiday: Holiday) -> None:
    """Remove one day of a loaded year (the admin's delete)."""
    with transaction.atomic():
        summary = {"date": holiday.date.isoformat(), "kind": holiday.kind, "name": holiday.name}
        year = holiday.year
        holiday.delete()
        CalendarYear.objects.filter(year=year).update(updated_at=timezone.now())
        trail.record(actor=actor, action="calendar.day.delete", object_type="calendar", object_id=str(year),
                     summary=summary)
        transaction.on_commit(workdays.invalidate)
