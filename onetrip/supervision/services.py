"""Writes of e-supervision: cards issued by the job (each once, by its key), appeals and their
decisions, supervision orders with the department's reply, and trail checks run from the desk.
Each change is on the trail."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Department, User
from onetrip.cases.models import Case, RuleViolation, State
from onetrip.cases.rules import Refused, check_length
from onetrip.core import trail
from onetrip.hall.models import Window
from onetrip.hall.selectors import window_at
from onetrip.supervision import notifications, rules, sources, subjects
from onetrip.supervision.models import (
    Card,
    CardColour,
    CardReason,
    CardStatus,
    Order,
    OrderStatus,
    TrailCheck,
)

OPEN_CASE_STATES = (State.IN_REVIEW, State.SUSPENDED, State.AWAITING_SUPPLEMENT)


def _card(*, key: str, colour: str, reason: str, department_id: int, day: dt.date, detail: str = "",
          case: Case | None = None, officer_id: int | None = None, violation: RuleViolation | None = None,
          order: Order | None = None, window: Window | None = None) -> Card | None:
    """Issue one card unless a card with this key exists (then None). Its own savepoint: a second
    worker issuing the same card at the same moment loses on the unique key and nothing is written."""
    try:
        with transaction.atomic():
            card = Card.objects.create(
                key=key, colour=colour, reason=reason, detail=detail[:500], department_id=department_id,
                officer_id=officer_id, case=case, violation=violation, order=order, window=window,
                issued_at=timezone.now(),
                issued_on=day)
            trail.record(actor=None, action="supervision.card", obj=card, summary={
                "colour": colour, "reason": reason, "department": department_id,
                "case": case.number if case is not None else "", "detail": detail[:200],
                "window": window.pk if window is not None else None})
            notifications.tell_department(event=notifications.CARD, target=card, department_id=department_id, params={
                "department": card.department.name, "colour": card.get_colour_display(),
                "reason": card.get_reason_display()})
    except IntegrityError:
        return None
    return card


def issue_cards(*, day: dt.date, limit: int = 1000) -> dict[str, int]:
    """The card job (``supervision.cards``): a yellow card for each recorded rule violation, a red
    card for each case overdue beyond the threshold, a yellow card for each supervision order not
    answered in time, the cards the registered sources say are due (``sources``: the hotline's
    overdue tickets), and a red card for each department whose yellow cards in the period reach
    the threshold. Safe to run anywhere, any number of times: each card has its key."""
    done = {"yellow": 0, "red": 0}

    carded = Card.objects.filter(violation__isnull=False).values("violation_id")
    for v in RuleViolation.objects.exclude(pk__in=carded).select_related("case").order_by("id")[:limit]:
        if rules.yellow_card_for_violation(v) and _card(
                key=f"violation:{v.pk}", colour=CardColour.YELLOW, reason=CardReason.VIOLATION,
                department_id=v.department_id, day=day, detail=v.sentence(), case=v.case,
                officer_id=v.actor_id or v.case.assignee_id, violation=v, window=window_at(v.actor_id, v.at)):
            done["yellow"] += 1

    late = Case.objects.filter(state__in=OPEN_CASE_STATES, promised_deadline__lt=day).exclude(
        pk__in=Card.objects.filter(reason=CardReason.LONG_OVERDUE).values("case_id")).order_by("promised_deadline")
    for case in late[:limit]:
        if rules.red_card_overdue(case.promised_deadline, day) and _card(
                key=f"long_overdue:{case.pk}", colour=CardColour.RED, reason=CardReason.LONG_OVERDUE,
                department_id=case.department_id, day=day, case=case, officer_id=case.assignee_id,
                detail=_("Promised by %(d)s, still open on %(t)s") % {"d": case.promised_deadline, "t": day}):
            done["red"] += 1

    for order in Order.objects.filter(status=OrderStatus.OPEN, due_on__lt=day).select_related("case")[:limit]:
        if rules.order_overdue(order, day) and _card(
                key=f"order:{order.pk}", colour=CardColour.YELLOW, reason=CardReason.ORDER_OVERDUE,
                department_id=order.department_id, day=day, case=order.case, order=order,
                detail=(_("Supervision order “%(s)s” on %(a)s was due by %(d)s") % {
                    "s": order.subject, "a": order.about_label, "d": order.due_on} if order.about_label else
                    _("Supervision order “%(s)s” was due by %(d)s") % {"s": order.subject, "d": order.due_on})):
            done["yellow"] += 1

    for source in list(sources.SOURCES.values()):  # the hotline's overdue tickets, and the like
        for due in source(day, limit):
            if _card(key=due.key, colour=due.colour, reason=due.reason, department_id=due.department_id, day=day,
                     detail=due.detail, officer_id=due.officer_id):
                done[due.colour] = done.get(due.colour, 0) + 1

    start, end = rules.repeat_window(day)
    counted = Card.objects.filter(colour=CardColour.YELLOW, issued_on__range=(start, end)).exclude(
        status=CardStatus.WITHDRAWN)
    for department_id in counted.values_list("department_id", flat=True).distinct():
        n = counted.filter(department_id=department_id).count()
        # One red card per department per period: the key names the period's first day.
        if rules.red_card_repeated(n) and not Card.objects.filter(
                reason=CardReason.REPEATED, department_id=department_id, issued_on__range=(start, end)).exists() \
                and _card(key=f"repeated:{department_id}:{day}", colour=CardColour.RED, reason=CardReason.REPEATED,
                          department_id=department_id, day=day,
                          detail=_("%(n)s yellow cards from %(s)s to %(e)s") % {"n": n, "s": start, "e": end}):
            done["red"] += 1
    return done


def appeal_card(*, actor: User, card: Card, reasons: str, evidence: str = "") -> Card:
    """申诉: the carded department's head appeals once, with reasons (and evidence, in words or
    references to documents); the supervisor decides."""
    reasons, evidence = (reasons or "").strip(), (evidence or "").strip()
    if not rules.may_appeal(actor, card.department_id):
        raise Refused(_("Only the head of the carded department appeals its cards."), code="forbidden")
    if not reasons:
        raise ValidationError({"reasons": [_("Give the reasons of the appeal.")]})
    check_length("reasons", reasons, 2000)
    check_length("evidence", evidence, 2000)
    with transaction.atomic():
        if not Card.objects.filter(pk=card.pk, status=CardStatus.ISSUED).update(
                status=CardStatus.APPEALED, appeal_reasons=reasons, appeal_evidence=evidence, appealed_by=actor,
                appealed_at=timezone.now()):
            raise Refused(_("This card was already appealed."), code="wrong_state")
        card.refresh_from_db()
        trail.record(actor=actor, action="supervision.card_appealed", obj=card,
                     summary={"reasons": reasons[:200], "evidence": evidence[:200]})
    return card


def decide_appeal(*, actor: User, card: Card, uphold: bool, note: str) -> Card:
    """The supervisor upholds the card or withdraws it (a withdrawn card no longer counts), with
    a note that the department sees."""
    note = (note or "").strip()
    if not rules.may_supervise(actor):
        raise Refused(_("Only a supervisor decides appeals."), code="forbidden")
    if not note:
        raise ValidationError({"note": [_("Say why, for the department.")]})
    check_length("note", note, 2000)
    status = CardStatus.UPHELD if uphold else CardStatus.WITHDRAWN
    with transaction.atomic():
        if not Card.objects.filter(pk=card.pk, status=CardStatus.APPEALED).update(
                status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note):
            raise Refused(_("Only an appealed card is decided."), code="wrong_state")
        card.refresh_from_db()
        trail.record(actor=actor, action="supervision.card_decided", obj=card,
                     summary={"status": status, "note": note[:200]})
    return card


def issue_order(*, actor: User, department: Department | None = None, case: Case | None = None, subject: str,
                instructions: str, workdays: int | None = None, about: subjects.Subject | None = None) -> Order:
    """督办: a supervisor orders a department (the case's, for a case; the one handling it, for a
    registered subject such as a hotline ticket, ``about``) to act by a deadline in working days
    (default SUPERVISION_ORDER_WORKDAYS)."""
    from django.conf import settings

    if not rules.may_supervise(actor):
        raise Refused(_("Only a supervisor issues supervision orders."), code="forbidden")
    subject, instructions = (subject or "").strip(), (instructions or "").strip()
    errors: dict[str, list[str]] = {}
    if case is not None and about is not None:
        errors["about"] = [_("An order is about one case or one other matter, not both.")]
    if case is not None:
        department = case.department
    elif about is not None:
        department = Department.objects.filter(pk=about.department_id).first() if about.department_id else None
        if department is None:
            errors["about"] = [_("%(s)s is not with a department yet: dispatch it first.") % {"s": about.label}]
    if department is None and "about" not in errors:
        errors["department"] = [_("Choose the department, or the case, the order is for.")]
    if not subject:
        errors["subject"] = [_("Give the order a subject.")]
    if not instructions:
        errors["instructions"] = [_("Say what the department must do.")]
    days = settings.SUPERVISION_ORDER_WORKDAYS if workdays is None else workdays
    if not isinstance(days, int) or not 1 <= days <= 60:
        errors["workdays"] = [_("The time limit is 1 to 60 working days.")]
    if errors or department is None:
        raise ValidationError(errors)
    check_length("subject", subject, 200)
    check_length("instructions", instructions, 4000)
    today = timezone.localdate()
    with transaction.atomic():
        order = Order.objects.create(department=department, case=case, subject=subject, instructions=instructions,
                                     about=about.key if about else "", about_label=about.label if about else "",
                                     issued_by=actor, issued_at=timezone.now(), issued_on=today, workdays=days,
                                     due_on=rules.order_due(today, days))
        trail.record(actor=actor, action="supervision.order", obj=order, summary={
            "department": order.department_id, "case": case.number if case else "", "about": order.about,
            "subject": subject, "due_on": str(order.due_on)})
        notifications.tell_department(event=notifications.ORDER, target=order, department_id=order.department_id,
                                      params={"department": department.name, "subject": subject,
                                              "due": str(order.due_on)})
    return order


def reply_order(*, actor: User, order: Order, reply: str) -> Order:
    """The department replies (what it did); the supervisor then closes or sends back."""
    reply = (reply or "").strip()
    if not rules.may_answer_for(actor, order.department_id):
        raise Refused(_("Only the ordered department replies."), code="forbidden")
    if not reply:
        raise ValidationError({"reply": [_("Say what the department did.")]})
    check_length("reply", reply, 4000)
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.OPEN).update(
                status=OrderStatus.REPLIED, reply=reply, replied_by=actor, replied_at=timezone.now(),
                replied_on=timezone.localdate()):
            raise Refused(_("This order is not waiting for a reply."), code="wrong_state")
        order.refresh_from_db()
        trail.record(actor=actor, action="supervision.order_replied", obj=order, summary={"reply": reply[:200]})
    return order


def close_order(*, actor: User, order: Order, accept: bool, note: str = "", workdays: int | None = None) -> Order:
    """The supervisor closes a replied order, or sends it back (open again, with a new time limit
    in working days from today)."""
    from django.conf import settings

    note = (note or "").strip()
    if not rules.may_supervise(actor):
        raise Refused(_("Only a supervisor closes supervision orders."), code="forbidden")
    if not accept and not note:
        raise ValidationError({"note": [_("Say what is still missing.")]})
    check_length("note", note, 2000)
    days = settings.SUPERVISION_ORDER_WORKDAYS if workdays is None else workdays
    with transaction.atomic():
        if accept:
            changes: dict[str, Any] = {"status": OrderStatus.CLOSED, "closed_by": actor,
                                       "closed_at": timezone.now(), "closing_note": note}
        else:
            today = timezone.localdate()
            changes = {"status": OrderStatus.OPEN, "closing_note": note, "due_on": rules.order_due(today, days)}
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.REPLIED).update(**changes):
            raise Refused(_("Only a replied order is closed or sent back."), code="wrong_state")
        order.refresh_from_db()
        trail.record(actor=actor, action="supervision.order_closed" if accept else "supervision.order_returned",
                     obj=order, summary={"note": note[:200], "due_on": str(order.due_on)})
    return order


def run_trail_check(*, actor: User | None) -> TrailCheck:
    """Verify the whole trail (``core.trail.verify``) and keep the verdict for the desk."""
    if actor is not None and not rules.may_supervise(actor) and not getattr(actor, "is_superuser", False):
        raise Refused(_("Only a supervisor runs the trail check from the desk."), code="forbidden")
    started = time.monotonic()
    verdict = trail.verify()
    seconds = time.monotonic() - started
    summary = _("Intact") if verdict.ok else verdict.reason
    with transaction.atomic():
        check = TrailCheck.objects.create(run_by=actor, at=timezone.now(), ok=verdict.ok, checked=verdict.checked,
                                          summary=summary[:500], seconds=seconds)
        trail.record(actor=actor, action="supervision.trail_check", obj=check,
                     summary={"ok": verdict.ok, "checked": verdict.checked, "reason": verdict.reason[:200]})
    return check
