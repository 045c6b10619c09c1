"""Ticket numbers (工单编号): ``12345-YYYYMMDD-NNNNNN``, unique, gapless and ordered per day.

The day's ``TicketSequence`` row is incremented with one upsert in the registering transaction:
the row stays locked until that transaction ends, so two operators registering at once take
turns and never get one number; a registration rolled back gives its number back. (Cases use a
PostgreSQL sequence to avoid that wait; a hotline registers a few calls a second at most.)"""

from __future__ import annotations

import datetime as dt

from django.db import connection

PREFIX = "12345"


def next_ticket_number(day: dt.date) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hotline_ticketsequence (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = hotline_ticketsequence.last + 1 RETURNING last",
            [day.isoformat()])
        last = int(cursor.fetchone()[0])
    return f"{PREFIX}-{day:%Y%m%d}-{last:06d}"
