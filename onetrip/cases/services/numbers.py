"""Case numbers (办件编号): unique, ordered per day, never reused.

On PostgreSQL each day has its own sequence, ``cases_number_YYYYMMDD``: ``nextval`` takes no
row lock and is not transactional, so concurrent submissions never wait for each other's
commit, and a case whose transaction rolls back leaves a gap instead of giving its number to
another case. The day's sequence is created on first use, in a short transaction of its own
on a separate connection (so that a rolled-back submission cannot take the sequence with it,
and two processes creating it at once cannot break each other's transaction); it starts after
the day's ``CaseSequence`` counter, which the previous code kept, so switching over in the
middle of a day does not hand out a number twice. Which sequences exist is remembered per
process (an optimisation only: the database decides).

SQLite serialises writers anyway: there the day's ``CaseSequence`` row is incremented in the
caller's transaction with one upsert.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, ProgrammingError, connection, connections

_created: set[str] = set()


def sequence_name(day: dt.date) -> str:
    return f"cases_number_{day:%Y%m%d}"


def _create_sequence(name: str, day: dt.date) -> None:
    """``CREATE SEQUENCE IF NOT EXISTS`` on a connection of its own, committed at once."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        for attempt in (1, 2):
            try:
                with own.cursor() as cursor:
                    cursor.execute("SELECT last FROM cases_casesequence WHERE day = %s", [day])
                    row = cursor.fetchone()
                    start = (row[0] if row else 0) + 1
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint START WITH {int(start)}")
                break
            except IntegrityError:
                # Two processes created it at the same moment (PostgreSQL's catalog then answers
                # a unique violation instead of "already exists"): it exists now.
                if attempt == 2:
                    raise
    finally:
        own.close()


def _postgresql_number(day: dt.date) -> int:
    name = sequence_name(day)
    if name not in _created:
        _create_sequence(name, day)
        _created.add(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [name])
            return int(cursor.fetchone()[0])
    except ProgrammingError:
        _created.discard(name)  # dropped behind our back (a rebuilt database): create it next time
        raise


def _counter_number(day: dt.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casesequence (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = cases_casesequence.last + 1 RETURNING last", [day.isoformat()])
        return int(cursor.fetchone()[0])


def next_case_number(day: dt.date) -> str:
    """District code + date + the day's sequence, e.g. 430703-20261127-000123; unique across
    processes and never handed out twice."""
    last = _postgresql_number(day) if connection.vendor == "postgresql" else _counter_number(day)
    return f"{settings.DISTRICT_CODE}-{day:%Y%m%d}-{last:06d}"
