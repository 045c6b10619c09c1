"""The working-day calendar's tables: the years an admin loaded from the State Council's
notice and their holidays and make-up working days. They were first built in ``core``; the
tables keep their names (``core_calendaryear``, ``core_holiday``) so no data moved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holiday arrangement an admin has loaded from the State Council's notice.
    While a row exists, the Holiday rows of that year decide the year, ahead of the
    chinesecalendar package (see ``workcalendar/workdays.py``)."""

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
        db_table = "core_calendaryear"
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
        db_table = "core_holiday"
        ordering = ["date"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"
