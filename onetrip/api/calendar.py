"""The working-day calendar over the API (mounted under ``/api/v1``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from onetrip.api.schemas import Error
from onetrip.workcalendar import workdays

router = Router()

MAX_DAYS = 3650
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AddWorkdaysOut(Schema):
    date: str
    source: str


class IsWorkdayOut(Schema):
    workday: bool
    source: str


def _parse_date(value: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"date must be a real date written YYYY-MM-DD, not '{value}'.") from None


_SOURCES = ("'admin' (the holiday table an admin loaded), 'chinesecalendar' (the package) or "
            "'weekdays' (Monday–Friday: nobody loaded that year)")


@router.get(
    "/calendar/add-workdays",
    response={200: AddWorkdaysOut, 400: Error},
    tags=["calendar"],
    summary="Add working days",
    description=f"The `days`-th working day (0–{MAX_DAYS}) after `date` (YYYY-MM-DD; the date itself is not "
    f"counted, 0 returns it). `source` is the weakest rule used for any year from the date to the result: "
    f"{_SOURCES}.",
)
def add_workdays(request: HttpRequest, date: str, days: int) -> Any:
    start = _parse_date(date)
    if not 0 <= days <= MAX_DAYS:
        raise HttpError(400, f"days must be between 0 and {MAX_DAYS}, not {days}.")
    end, source = workdays.add_workdays_with_source(start, days)
    if end == dt.date.max and workdays.workdays_between(start, end) < days:
        raise HttpError(400, "The result would fall after 9999-12-31.")
    return {"date": end.isoformat(), "source": source}


@router.get(
    "/calendar/is-workday",
    response={200: IsWorkdayOut, 400: Error},
    tags=["calendar"],
    summary="Is it a working day?",
    description=f"Whether `date` (YYYY-MM-DD) is a working day, and which rule said so: {_SOURCES}.",
)
def is_workday(request: HttpRequest, date: str) -> Any:
    workday, source = workdays.is_workday_with_source(_parse_date(date))
    return {"workday": workday, "source": source}
