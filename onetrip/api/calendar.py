"""The working-day calendar over the API (mounted under ``/api/v1``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from onetrip.api.schemas import answers
from onetrip.workcalendar import workdays

router = Router()

MAX_DAYS = 3650
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_field() -> Any:
    return Field(..., pattern=_DATE.pattern, json_schema_extra={"format": "date"},
                 description="A real date written YYYY-MM-DD.")


class AddWorkdaysIn(Schema):
    date: str = _date_field()
    days: int = Field(..., ge=0, le=MAX_DAYS)


class IsWorkdayIn(Schema):
    date: str = _date_field()


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
    response=answers({200: AddWorkdaysOut}, 400),
    tags=["calendar"],
    summary="Add working days",
    description=f"The `days`-th working day (0–{MAX_DAYS}) after `date` (YYYY-MM-DD; the date itself is not "
    f"counted, 0 returns it). `source` is the weakest rule used for any year from the date to the result: "
    f"{_SOURCES}. 400 also when the result would fall after 9999-12-31.",
)
def add_workdays(request: HttpRequest, params: Query[AddWorkdaysIn]) -> Any:
    start, days = _parse_date(params.date), params.days
    end, source = workdays.add_workdays_with_source(start, days)
    if end == dt.date.max and workdays.workdays_between(start, end) < days:
        raise HttpError(400, "The result would fall after 9999-12-31.")
    return {"date": end.isoformat(), "source": source}


@router.get(
    "/calendar/is-workday",
    response=answers({200: IsWorkdayOut}, 400),
    tags=["calendar"],
    summary="Is it a working day?",
    description=f"Whether `date` (YYYY-MM-DD) is a working day, and which rule said so: {_SOURCES}.",
)
def is_workday(request: HttpRequest, params: Query[IsWorkdayIn]) -> Any:
    workday, source = workdays.is_workday_with_source(_parse_date(params.date))
    return {"workday": workday, "source": source}
