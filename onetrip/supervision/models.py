from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """A fixed-window counter shared by every web process (lookups per client per hour)."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
