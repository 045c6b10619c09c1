from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrailHead(models.Model):
    """A single row locked while an entry is appended, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="")
    count = models.PositiveBigIntegerField(default=0)


class TrailEntry(models.Model):
    """全程留痕: an append-only, hash-chained record of every change and every staff view of
    personal data. The application never updates or deletes a row; ``verify_trail`` checks it."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=32)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        verbose_name = _("trail entry")
        verbose_name_plural = _("trail entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class RateCounter(models.Model):
    """A fixed-window counter shared by every web process (``core.ratelimit.hit``): lookups
    per client per hour, codes sent per mobile. Disposable: losing it only resets the counts."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)


class CalendarYear(models.Model):
    """A year whose holiday arrangement an admin has loaded from the State Council's notice.
    While a row exists, the Holiday rows of that year decide the year, ahead of the
    chinesecalendar package (see ``core/workdays.py``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("loaded by"),
    )
    loaded_at = models.DateTimeField(_("loaded at"))
    source_note = models.TextField(
        _("source"), blank=True,
        help_text=_("The notice the table was taken from, e.g. 国务院办公厅关于2027年部分节假日安排的通知."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class Holiday(models.Model):
    """One day of a loaded year that differs from the Monday–Friday rule: a public holiday
    (day off) or a make-up working day (调休, a Saturday or Sunday worked)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday (day off)")
        WORKDAY = "workday", _("make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("The holiday it belongs to, e.g. 春节."))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"
