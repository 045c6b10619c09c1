"""Reads of e-supervision: the desk's filtered lists (cases with their light, cards, orders,
violations), a department's own cards and orders, and what the case page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from onetrip.accounts.models import Role
from onetrip.cases.models import CLOCK_STATES, Case, RuleViolation, State
from onetrip.supervision.models import Card, CardStatus, Order, OrderStatus, TrailCheck

WATCHED_STATES = (State.SUBMITTED, State.AWAITING_SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED)
LIGHTS = ("overdue", "warning", "normal")


@dataclass(frozen=True)
class DeskFilter:
    """The desk's filters, checked: unknown values are dropped, never an error page."""

    department: int | None = None
    item: str = ""
    window: int | None = None
    light: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, params: Any) -> DeskFilter:
        def number(key: str) -> int | None:
            v = (params.get(key) or "").strip()
            return int(v) if v.isdigit() and len(v) < 10 else None

        def day(key: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat((params.get(key) or "").strip())
            except ValueError:
                return None

        light = (params.get("light") or "").strip()
        return cls(department=number("department"), item=(params.get("item") or "").strip()[:64],
                   window=number("window"), light=light if light in LIGHTS else "", since=day("since"),
                   until=day("until"))


def _light_q(light: str, today: dt.date) -> Q:
    """The lights by the stored deadline (as of today, not waiting for the clock job): overdue past
    the promised deadline, near it within the warning days, otherwise on time."""
    from onetrip.cases.selectors import near_deadline_until

    overdue = Q(state__in=CLOCK_STATES, promised_deadline__lt=today)
    warning = Q(state__in=CLOCK_STATES, promised_deadline__gte=today,
                promised_deadline__lte=near_deadline_until(today))
    return {"overdue": overdue, "warning": warning, "normal": ~overdue & ~warning}[light]


def watched_cases(f: DeskFilter, today: dt.date | None = None) -> QuerySet[Case]:
    """Every open case with its light (an index lookup on state, department and deadline)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    qs = Case.objects.filter(state__in=WATCHED_STATES).select_related("version", "department", "assignee")
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.item:
        qs = qs.filter(item__code=f.item)
    if f.window:  # the cases taken in at that window of the hall (through its tickets)
        from onetrip.hall.models import Ticket

        qs = qs.filter(pk__in=Ticket.objects.filter(window_id=f.window, case__isnull=False).values("case_id"))
    if f.light:
        qs = qs.filter(_light_q(f.light, today))
    if f.since:
        qs = qs.filter(received_on__gte=f.since)
    if f.until:
        qs = qs.filter(received_on__lte=f.until)
    return qs.order_by("promised_deadline", "id")


def light_counts(f: DeskFilter, today: dt.date | None = None) -> dict[str, int]:
    from django.utils import timezone

    today = today or timezone.localdate()
    qs = watched_cases(DeskFilter(department=f.department, item=f.item, window=f.window, since=f.since,
                                  until=f.until), today).order_by()
    agg = qs.aggregate(overdue=Count("id", filter=_light_q("overdue", today)),
                       warning=Count("id", filter=_light_q("warning", today)), all=Count("id"))
    return {"overdue": agg["overdue"], "warning": agg["warning"],
            "normal": agg["all"] - agg["overdue"] - agg["warning"], "all": agg["all"]}


def cards(f: DeskFilter, *, status: str = "") -> QuerySet[Card]:
    qs = Card.objects.select_related("department", "case", "officer", "window__area")
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.since:
        qs = qs.filter(issued_on__gte=f.since)
    if f.until:
        qs = qs.filter(issued_on__lte=f.until)
    if status in CardStatus.values:
        qs = qs.filter(status=status)
    return qs


def orders(f: DeskFilter, *, status: str = "") -> QuerySet[Order]:
    qs = Order.objects.select_related("department", "case", "issued_by")
    if f.department:
        qs = qs.filter(department_id=f.department)
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    return qs


def violations(f: DeskFilter) -> QuerySet[RuleViolation]:
    qs = RuleViolation.objects.select_related("case", "department")
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.since:
        qs = qs.filter(at__date__gte=f.since)
    if f.until:
        qs = qs.filter(at__date__lte=f.until)
    return qs.order_by("-at")


def last_trail_check() -> TrailCheck | None:
    return TrailCheck.objects.select_related("run_by").first()


def department_view(user: Any) -> dict[str, Any] | None:
    """A department's own cards (to appeal) and orders (to reply to)."""
    if user.role not in (Role.OFFICER, Role.DEPARTMENT_HEAD) or not user.department_id:
        return None
    return {"cards": Card.objects.filter(department_id=user.department_id).select_related(
        "case", "officer", "window__area")[:200],
            "orders": Order.objects.filter(department_id=user.department_id).select_related("case")
            .order_by("status", "due_on")[:200]}


def case_panel(case: Case, user: Any, audience: str) -> dict[str, Any] | None:
    """The cards and orders of a case, on the staff workbench."""
    if case.pk is None:
        return None
    case_cards = list(Card.objects.filter(case=case).order_by("issued_at"))
    case_orders = list(Order.objects.filter(case=case).order_by("issued_at"))
    if not case_cards and not case_orders and not (user is not None and user.role == Role.SUPERVISOR):
        return None
    return {"cards": case_cards, "orders": case_orders,
            "may_order": user is not None and user.role == Role.SUPERVISOR}


def open_tickets(today: dt.date) -> list[dict[str, Any]]:
    """Today's hall tickets still waiting, called or being served, longest wait first, each with
    its minutes of waiting (to the call, or to now) and its light (``rules.ticket_wait_light``)."""
    from django.utils import timezone

    from onetrip.hall.models import Ticket, TicketState
    from onetrip.supervision import rules

    now = timezone.now()
    rows = []
    for t in (Ticket.objects.filter(day=today, state__in=[TicketState.WAITING, TicketState.CALLED,
                                                           TicketState.SERVING])
              .select_related("area", "window").order_by("queued_at")[:300]):
        waited = ((t.called_at or now) - t.taken_at).total_seconds() / 60
        rows.append({"ticket": t, "minutes": int(waited), "light": rules.ticket_wait_light(waited)})
    return rows


def subject_panel(key: str, label: str, user: Any, *, card_keys: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The orders (and cards) about a registered subject (a hotline ticket: ``subjects``), for its
    staff page: every order about it, with the reply form for the ordered department's staff while
    it is open; the cards whose keys start with one of ``card_keys``; the order form for a
    supervisor. None when there is nothing to show to this viewer."""
    from onetrip.supervision import rules, subjects

    kind, _ident = subjects.split(key)
    subject_orders = list(Order.objects.filter(about=key).select_related("department").order_by("issued_at", "id"))
    q = Q()
    for prefix in card_keys:
        q |= Q(key__startswith=prefix)
    subject_cards = list(Card.objects.filter(q).order_by("issued_at", "id")) if card_keys else []
    may_order = rules.may_supervise(user)
    if not subject_orders and not subject_cards and not may_order:
        return None
    return {"orders": [(o, o.status == OrderStatus.OPEN and rules.may_answer_for(user, o.department_id))
                       for o in subject_orders],
            "cards": subject_cards, "may_order": may_order, "about_kind": kind, "about": label}
