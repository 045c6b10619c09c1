"""好差评 (satisfaction ratings, GB/T 39734-style): five levels, a rating per visit on the window's
rating pad (一次一评) or per case online by an SMS invitation (一事一评), the default rating of a
case not rated in time, the rectification (整改) of every poor rating with its return visit (回访),
and the supervisor's decision on a department's request to void a malicious rating."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onetrip.workcalendar.clock import WorkdayClock


class Level(models.IntegerChoices):
    """The five levels of the national 好差评 system, stored as 5..1."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class Channel(models.TextChoices):
    ONSITE = "onsite", _("At the window (rating pad)")
    ONLINE = "online", _("Online, after the result")


class RatingPad(models.Model):
    """评价器: the window's tablet. A window clerk enrols its browser for their window; the browser
    keeps a key in an HttpOnly cookie, the database only the key's SHA-256."""

    window = models.ForeignKey("hall.Window", on_delete=models.CASCADE, related_name="rating_pads",
                               verbose_name=_("window"))
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("in use"), default=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled at"))

    class Meta:
        verbose_name = _("rating pad")
        verbose_name_plural = _("rating pads")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class Rating(models.Model):
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("overall satisfaction"), choices=Level.choices)
    # The sub-ratings (整体满意度 is ``level``): aspect key -> 1..5; keys per channel in rules.ASPECTS.
    aspects = models.JSONField(default=dict, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    is_default = models.BooleanField(_("default rating (not rated in time)"), default=False)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="ratings")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    ticket = models.ForeignKey("hall.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    visit = models.ForeignKey("cases.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    window = models.ForeignKey("hall.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ratings_received")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="ratings_given")
    rated_at = models.DateTimeField(_("rated at"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            # 一事一评: one online rating per case; 一次一评: one rating per served ticket or visit.
            models.UniqueConstraint(fields=["case"], condition=Q(channel="online"), name="ratings_one_per_case"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False),
                                    name="ratings_one_per_ticket"),
            models.UniqueConstraint(fields=["visit"], condition=Q(visit__isnull=False), name="ratings_one_per_visit"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="ratings_level_1_to_5"),
            models.CheckConstraint(condition=Q(channel="online", case__isnull=False) | Q(channel="onsite") & (
                Q(ticket__isnull=False) | Q(visit__isnull=False)), name="ratings_has_a_subject"),
        ]
        indexes = [models.Index(fields=["department", "rated_at"], name="ratings_dept_rated_at"),
                   # The ratings of a day, every department (reports: the daily rollup).
                   models.Index(fields=["rated_at"], name="ratings_rated_at")]

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_poor(self) -> bool:
        return self.level <= Level.DISSATISFIED


class Invitation(models.Model):
    """一事一评: the SMS invitation to rate a case after its result. The link's token is shown
    once (in the SMS); only its SHA-256 is kept. Not rated by ``expires_at``: the default rating."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="rating_invitation")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("rate by"))
    defaulted_at = models.DateTimeField(null=True, blank=True)  # the default job's claim

    class Meta:
        indexes = [models.Index(fields=["defaulted_at", "expires_at"], name="ratings_invitation_due")]

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class RectificationState(models.TextChoices):
    OPEN = "open", _("Being put right")
    VISITED = "visited", _("Return visit made")
    CLOSED = "closed", _("Closed")
    VOIDED = "voided", _("Rating voided")


class ReturnVisitAnswer(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Rectification(WorkdayClock):
    """差评整改: opened by every 不满意 or 非常不满意 for the department, with a deadline in working
    days (``RATINGS_RECTIFICATION_WORKDAYS``); a return visit (回访) with the citizen's answer, then
    closure with the measures taken (published without personal data)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="rectifications")
    state = models.CharField(_("state"), max_length=16, choices=RectificationState.choices,
                             default=RectificationState.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    return_visit_answer = models.CharField(_("citizen's answer at the return visit"), max_length=20, blank=True,
                                           choices=ReturnVisitAnswer.choices)
    return_visit_note = models.CharField(_("return visit note"), max_length=500, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    measures = models.TextField(_("what was put right"), max_length=1000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_on_time = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["department", "state", "deadline"], name="ratings_rect_dept_state"),
                   models.Index(fields=["state", "deadline"], name="ratings_rect_state_deadline"),
                   # The rectifications closed on a day (reports: the daily rollup).
                   models.Index(fields=["closed_at"], name="ratings_rect_closed_at")]

    def clock_running(self) -> bool:
        return self.state in (RectificationState.OPEN, RectificationState.VISITED)


class VoidState(models.TextChoices):
    PENDING = "pending", _("Waiting for the supervisor")
    GRANTED = "granted", _("Rating voided")
    REFUSED = "refused", _("Refused: the rating stands")


class VoidRequest(models.Model):
    """A department asks the supervisor to void a malicious rating (恶意差评), with reasons."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="void_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("reasons"), max_length=1000)
    requested_at = models.DateTimeField()
    state = models.CharField(_("state"), max_length=16, choices=VoidState.choices, default=VoidState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("supervisor's reasons"), max_length=500, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["rating"], condition=Q(state="pending"),
                                               name="ratings_one_pending_void_request")]
