"""E-supervision (电子监察): yellow and red cards (黄牌 / 红牌) with their appeals, and supervision
orders (督办) with the department's reply. Rule violations themselves are recorded by cases
(``cases.RuleViolation``, table ``supervision_ruleviolation``) and read here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


class CardReason(models.TextChoices):
    VIOLATION = "violation", _("A rule of the reform was broken")
    LONG_OVERDUE = "long_overdue", _("Overdue by more than the red-card threshold")
    REPEATED = "repeated", _("Repeated yellow cards in the period")
    ORDER_OVERDUE = "order_overdue", _("A supervision order was not answered in time")
    TICKET_OVERDUE = "ticket_overdue", _("A hotline ticket was not answered in time")
    TICKET_ACK_LATE = "ticket_ack_late", _("A hotline ticket was not acknowledged in time")


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("In force, not appealed")
    APPEALED = "appealed", _("Appealed, awaiting the supervisor")
    UPHELD = "upheld", _("Upheld after appeal")
    WITHDRAWN = "withdrawn", _("Withdrawn after appeal")


class Card(models.Model):
    """One yellow or red card to a department (and the acting officer or window where known),
    for one case, one supervision order or, for repeated yellow cards, the department itself.
    ``key`` makes each card once: the job that issues them may run anywhere, any number of times."""

    key = models.CharField(max_length=100, unique=True)
    colour = models.CharField(_("card"), max_length=8, choices=CardColour.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=CardReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The hall window where the carded act happened (the acting clerk's window at the time).
    window = models.ForeignKey("hall.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("window"))
    violation = models.ForeignKey("cases.RuleViolation", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    order = models.ForeignKey("supervision.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    issued_on = models.DateField(db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.ISSUED)
    appeal_reasons = models.TextField(_("reasons of the appeal"), blank=True)
    appeal_evidence = models.TextField(_("evidence"), blank=True)
    appealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    appealed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("supervisor's decision"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["department", "colour", "issued_on"], name="card_dept_colour_day"),
                   models.Index(fields=["status", "issued_on"], name="card_status_day")]


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open: the department must act")
    REPLIED = "replied", _("Replied, awaiting the supervisor")
    CLOSED = "closed", _("Closed")


class Order(models.Model):
    """督办: a supervisor orders a department to act on a case, on another matter registered in
    ``subjects`` (a hotline ticket: ``about`` is its key, ``about_label`` its number), or on a matter
    described in words, by a deadline in working days; the department replies; the supervisor closes
    it or sends it back. An order not answered by its deadline earns the department a yellow card
    (``rules.order_overdue``)."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(_("about"), max_length=100, blank=True, default="", db_index=True)
    about_label = models.CharField(max_length=100, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200)
    instructions = models.TextField(_("what must be done"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    issued_on = models.DateField()
    workdays = models.PositiveSmallIntegerField(_("time limit (working days)"))
    due_on = models.DateField(_("reply due"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    reply = models.TextField(_("the department's reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        indexes = [models.Index(fields=["status", "due_on"], name="order_status_due")]

    @property
    def about_kind(self) -> str:
        """What kind of matter the order is about, in words ("" for a case or a plain matter)."""
        from onetrip.supervision import subjects

        return subjects.kind_label(self.about)

    @property
    def about_url(self) -> str:
        from onetrip.supervision import subjects

        return subjects.url(self.about, self.about_label)


class TrailCheck(models.Model):
    """A run of the trail's verification from the supervision desk, its verdict kept for display."""

    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    at = models.DateTimeField()
    ok = models.BooleanField()
    checked = models.PositiveBigIntegerField()
    summary = models.CharField(max_length=500)
    seconds = models.FloatField()

    class Meta:
        ordering = ["-at", "-id"]
