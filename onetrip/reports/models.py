"""Daily rollups of the reform's counters (``metrics.CaseFacts``), one row per day, department
and item: what the dashboards and reports read instead of scanning cases."""

from __future__ import annotations

from django.db import models


class DailyRollup(models.Model):
    """The counters of the cases finished (办结) on ``day`` for one department and item. The
    metrics (``reports.metrics``) are ratios of their sums over a period."""

    day = models.DateField()
    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="+")
    finished = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    one_trip = models.PositiveIntegerField(default=0)
    zero_trip = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    workdays_used = models.PositiveIntegerField(default=0)
    promised_days = models.PositiveIntegerField(default=0)
    legal_days = models.PositiveIntegerField(default=0)
    deemed = models.PositiveIntegerField(default=0)
    notices = models.PositiveIntegerField(default=0)
    repeated_notices = models.PositiveIntegerField(default=0)
    materials = models.PositiveIntegerField(default=0)
    waived = models.PositiveIntegerField(default=0)
    licence_reuse = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "department", "item"], name="rollup_once")]
        indexes = [models.Index(fields=["department", "day"], name="rollup_dept_day")]


class RollupMark(models.Model):
    """The last day whose rollup is final (days before today do not change once rolled)."""

    name = models.CharField(max_length=32, unique=True)
    day = models.DateField()
