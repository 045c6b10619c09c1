"""The rules of e-supervision (电子监察), one named function each: when a yellow card (黄牌) or a
red card (红牌) is due, who may appeal and decide, and the clock of a supervision order (督办).
Thresholds are settings (their defaults in ``onetrip/settings.py`` and docs/supervision.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from onetrip.accounts.models import Role
from onetrip.workcalendar import workdays


def yellow_card_for_violation(violation: Any) -> bool:
    """黄牌: every rule violation the system records (an off-checklist request, a second notice
    naming materials the first did not, not accepting a complete application, a charge that is
    not the catalogue's fee, trips beyond the promise, a case past its promised deadline) earns
    the department a yellow card, once per violation."""
    return violation.pk is not None


def red_card_overdue(promised_deadline: dt.date | None, today: dt.date) -> bool:
    """红牌 for a serious delay: the case is still open more than SUPERVISION_RED_OVERDUE_WORKDAYS
    working days after its promised deadline."""
    if promised_deadline is None or promised_deadline >= today:
        return False
    return workdays.workdays_between(promised_deadline, today) > settings.SUPERVISION_RED_OVERDUE_WORKDAYS


def red_card_repeated(yellow_cards_in_period: int) -> bool:
    """红牌 for repetition: a department with SUPERVISION_RED_YELLOW_CARDS yellow cards (not
    withdrawn) issued within the last SUPERVISION_RED_PERIOD_DAYS days."""
    return yellow_cards_in_period >= settings.SUPERVISION_RED_YELLOW_CARDS


def repeat_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period counted for repeated yellow cards, both days included."""
    return today - dt.timedelta(days=settings.SUPERVISION_RED_PERIOD_DAYS - 1), today


def order_due(issued_on: dt.date, workdays_given: int) -> dt.date:
    """督办 time limit: the reply is due that many working days after the order (the reusable
    working-day clock)."""
    return workdays.add_workdays(issued_on, workdays_given)


def order_overdue(order: Any, today: dt.date) -> bool:
    """An order still open after its due day earns the department a yellow card."""
    return order.status == "open" and order.due_on < today


def may_answer_for(user: Any, department_id: int) -> bool:
    """A department answers for itself: its officers and head reply to orders; its head appeals cards."""
    return bool(user is not None and user.is_authenticated and user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD)
                and user.department_id == department_id)


def may_appeal(user: Any, department_id: int) -> bool:
    """申诉: the head of the carded department appeals, with reasons and evidence."""
    return bool(user is not None and user.is_authenticated and user.role == Role.DEPARTMENT_HEAD
                and user.department_id == department_id)


def may_supervise(user: Any) -> bool:
    """The supervisor (监察) orders, decides appeals and closes orders."""
    return bool(user is not None and user.is_authenticated and user.role == Role.SUPERVISOR)


def ticket_wait_light(minutes: float) -> str:
    """A hall ticket's light on the desk by how long its holder has waited since taking it:
    ``overdue`` past SUPERVISION_TICKET_WAIT_LIMIT_MINUTES (default 30), ``warning`` past
    SUPERVISION_TICKET_WAIT_WARNING_MINUTES (default 20), else ``normal``."""
    if minutes >= settings.SUPERVISION_TICKET_WAIT_LIMIT_MINUTES:
        return "overdue"
    if minutes >= settings.SUPERVISION_TICKET_WAIT_WARNING_MINUTES:
        return "warning"
    return "normal"
