"""The service hall (政务服务中心): areas, windows, clerks at windows, tickets (取号、叫号) and
appointments (预约办事). Writes go through ``services.py``; reads through ``selectors.py``."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Hall(models.Model):
    """One service hall with its opening hours (on working days of ``onetrip.workcalendar``) and
    its appointment rules."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    opens_at = models.TimeField(_("opens at"), default=dt.time(9, 0))
    lunch_from = models.TimeField(_("lunch break from"), default=dt.time(12, 0))
    lunch_until = models.TimeField(_("lunch break until"), default=dt.time(13, 30))
    closes_at = models.TimeField(_("closes at"), default=dt.time(17, 30))
    open_all_hours = models.BooleanField(
        _("hand out tickets outside opening hours"), default=False,
        help_text=_("For trials and demonstrations only: the kiosk then gives tickets at any time."))
    slot_minutes = models.PositiveSmallIntegerField(_("appointment slot (minutes)"), default=30)
    booking_days_ahead = models.PositiveSmallIntegerField(_("bookable working days ahead"), default=7)
    booking_closes_at = models.TimeField(
        _("booking closes at"), default=dt.time(17, 0),
        help_text=_("Slots of a day can be booked until this time on the day before."))
    no_show_limit = models.PositiveSmallIntegerField(_("no-shows before booking is suspended"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("counted over the last (days)"), default=30)
    suspension_days = models.PositiveSmallIntegerField(_("booking suspended for (days)"), default=30)

    class Meta:
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.opens_at < self.lunch_from <= self.lunch_until < self.closes_at):
            raise ValidationError(_("Opening hours must run: opens, lunch break from, lunch break until, closes."))
        if not 5 <= self.slot_minutes <= 240:
            raise ValidationError({"slot_minutes": _("A slot lasts between 5 and 240 minutes.")})


class Area(models.Model):
    """An area of the hall (投资建设, 企业开办, 综合管理, 专属服务…) with its items and its queue."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="areas", verbose_name=_("service hall"))
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    prefix = models.CharField(_("ticket prefix"), max_length=2,
                              help_text=_("One or two capital letters before the ticket number, e.g. A for A001."))
    priority_allowed = models.BooleanField(_("elderly and disabled people called first"), default=True)
    minutes_per_ticket = models.PositiveSmallIntegerField(_("average minutes per ticket"), default=8)
    slot_capacity = models.PositiveSmallIntegerField(_("appointments per slot"), default=4)
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="hall_areas",
                                   verbose_name=_("service items"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("hall area")
        verbose_name_plural = _("hall areas")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="hall_area_code_unique"),
            models.UniqueConstraint(fields=["hall", "prefix"], name="hall_area_prefix_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.prefix.isascii() and self.prefix.isalpha() and self.prefix.isupper()):
            raise ValidationError({"prefix": _("The prefix is one or two capital letters.")})


class Window(models.Model):
    """A comprehensive window (综合窗口) of an area; clerks log in to it."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="windows", verbose_name=_("area"))
    number = models.PositiveSmallIntegerField(_("window number"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["area", "number"], name="hall_window_number_unique")]

    def __str__(self) -> str:
        return str(_("Window %(number)s") % {"number": self.number})


class WindowSession(models.Model):
    """A clerk sitting at a window, from logging in to it until leaving it."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="sessions")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="window_sessions")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["window"], condition=Q(ended_at__isnull=True),
                                    name="hall_one_clerk_per_window"),
            models.UniqueConstraint(fields=["clerk"], condition=Q(ended_at__isnull=True),
                                    name="hall_one_window_per_clerk"),
        ]


class Kiosk(models.Model):
    """A ticket kiosk (取号机) in the hall: a device a hall manager enrolled. Its browser keeps the
    key (only the key's SHA-256 is stored here); tickets taken without a log-in come only from an
    enrolled kiosk, each counted against the kiosk's own limit (``HALL_KIOSK_TICKETS_PER_MINUTE``)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="kiosks", verbose_name=_("service hall"))
    name = models.CharField(_("name"), max_length=50, help_text=_("Where it stands, e.g. “entrance, left”."))
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("in use"), default=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled at"))

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class TicketCounter(models.Model):
    """The last number given in one area on one day. Its row is locked by each ticket's
    transaction, so numbers are unique and gapless per area and day."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="hall_counter_area_day_unique")]


class TicketState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("Did not come when called")
    TRANSFERRED = "transferred", _("Sent to another area")


class TicketChannel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk in the hall")
    PHONE = "phone", _("Phone")
    CLERK = "clerk", _("Given by a clerk")
    APPOINTMENT = "appointment", _("Appointment check-in")
    TRANSFER = "transfer", _("Transferred from another area")


class Ticket(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("day"))
    seq = models.PositiveIntegerField(null=True)  # set last in the ticket's transaction (services._number)
    number = models.CharField(_("ticket number"), max_length=12)
    token = models.CharField(max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    priority = models.BooleanField(_("priority (elderly or disabled)"), default=False)
    due_at = models.DateTimeField(_("appointment time"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=TicketState.choices, default=TicketState.WAITING)
    taken_at = models.DateTimeField(_("taken at"))
    queued_at = models.DateTimeField(help_text="place in the queue: taken_at, or the first ticket's for a transfer")
    called_at = models.DateTimeField(null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="hall_tickets")
    kiosk = models.ForeignKey(Kiosk, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    transferred_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="transferred_to")
    # The hook for window intake: the case a served ticket led to (set by whoever builds intake).
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="hall_tickets")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["area", "day", "seq"], name="hall_ticket_number_unique"),
            # rules.one_open_ticket: a person holds at most one open ticket per area and day.
            models.UniqueConstraint(fields=["holder", "area", "day"], name="hall_one_open_ticket_per_person",
                                    condition=Q(holder__isnull=False, state__in=["waiting", "called", "serving"])),
        ]
        indexes = [models.Index(fields=["area", "day", "state"], name="hall_ticket_queue"),
                   # The daily rollup of each window's tickets (reports.metrics.window_facts).
                   models.Index(fields=["day", "window"], name="hall_ticket_day_window")]

    def __str__(self) -> str:
        return self.number


class TicketCall(models.Model):
    """Each call or recall of a ticket to a window: what the calling screen shows and announces."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="calls")
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class Slot(models.Model):
    """One bookable time of one area on one day, made when first booked; ``booked`` only grows
    by a conditional update that keeps it at most ``capacity``."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "day", "start"], name="hall_slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="hall_slot_not_overbooked"),
        ]


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come")


class Appointment(models.Model):
    code = models.CharField(_("booking code"), max_length=12, unique=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField()
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("service item"))
    state = models.CharField(_("state"), max_length=16, choices=AppointmentState.choices,
                             default=AppointmentState.BOOKED)
    created_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(fields=["citizen", "day"], condition=Q(state="booked"),
                                    name="hall_one_booking_per_day"),
        ]
        indexes = [models.Index(fields=["state", "day"], name="hall_appointment_due")]
