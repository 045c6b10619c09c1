from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleViolation(models.Model):
    """A breach of the reform's rules caught by the system, for e-supervision (电子监察):
    asking for a material off the checklist, more trips than promised, a missed deadline."""

    class Rule(models.TextChoices):
        OFF_CHECKLIST = "off_checklist", _("Material requested off the checklist")
        VISITS_EXCEEDED = "visits_exceeded", _("More trips than promised")
        OVERDUE = "overdue", _("Promised time limit exceeded")

    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices, db_index=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="violations")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        constraints = [
            # A case is flagged once per rule that happens to it once (trips, overdue).
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=models.Q(rule__in=["visits_exceeded", "overdue"]),
                name="supervision_violation_once_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.case_id}"

