"""The jobs of 好差评: the default rating of cases not rated in time, and the rectifications'
lights."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from onetrip.core.jobs import for_each, for_each_claimed, job
from onetrip.ratings import services
from onetrip.ratings.models import Invitation, Rectification, RectificationState


@job("ratings.default_ratings", every=3600)
def default_ratings() -> int:
    """默认好评: each invitation whose period ran out without a rating is claimed (``defaulted_at``)
    and its case gets the default rating."""
    now = timezone.now()
    due = Invitation.objects.filter(defaulted_at__isnull=True, expires_at__lte=now)
    return for_each_claimed(due, {"defaulted_at": now}, services.apply_default)


@job("ratings.rectification_lights", every=3600)
def rectification_lights() -> int:
    """The stored light of each running rectification, as of today (for lists and metrics)."""
    today = timezone.localdate()
    warning = int(getattr(settings, "WARNING_WORKDAYS", 2))
    running = Rectification.objects.filter(state__in=[RectificationState.OPEN, RectificationState.VISITED]).filter(
        Q(light="") | ~Q(light="overdue"))

    def refresh(r: Rectification) -> None:
        before = r.light
        r.clock_recompute(today=today, warning_workdays=warning)
        if r.light != before:
            Rectification.objects.filter(pk=r.pk, light=before).update(light=r.light)

    return for_each(running.iterator(), refresh, label=lambda r: f"rectification {r.pk}")
