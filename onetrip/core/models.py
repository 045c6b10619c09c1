from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrailChain(models.Model):
    """The head of one chain of the trail: one per object (``"cases.case:42"``), so that appending
    an entry locks only its own object's chain, never a row shared by the whole district. The chain
    ``""`` holds the entries written before chains were split (one global chain)."""

    key = models.CharField(max_length=140, primary_key=True)
    last_hash = models.CharField(max_length=64, default="")
    count = models.PositiveBigIntegerField(default=0)


class TrailEntry(models.Model):
    """全程留痕: an append-only, hash-chained record of every change and every staff view of
    personal data. The application never updates or deletes a row (the seal job only fills in
    ``sealed_in``); ``verify_trail`` checks it against the signed checkpoints."""

    chain = models.CharField(max_length=140, default="", blank=True)
    seq = models.PositiveBigIntegerField()  # position in its chain, from 1
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
    sealed_in = models.PositiveBigIntegerField(null=True, blank=True)  # TrailCheckpoint.number

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="trail_entry_chain_seq")]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="trail_entry_object"),
            models.Index(fields=["sealed_in", "id"], name="trail_entry_sealed"),
        ]
        verbose_name = _("trail entry")
        verbose_name_plural = _("trail entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class TrailCheckpoint(models.Model):
    """A seal over every entry appended since the previous one: the Merkle root of the entries'
    hashes (in id order), chained to the previous checkpoint and signed with a key kept outside
    the database (``core/trail.py``). Published at ``/trail/checkpoints/``."""

    number = models.PositiveBigIntegerField(unique=True)
    sealed_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField()
    first_entry = models.PositiveBigIntegerField()
    last_entry = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["number"]
        verbose_name = _("trail checkpoint")
        verbose_name_plural = _("trail checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.number}"


class RateCounter(models.Model):
    """A fixed-window counter shared by every web process (``core.ratelimit.hit``): lookups
    per client per hour, codes sent per mobile. Disposable: losing it only resets the counts."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)


class JobRun(models.Model):
    """The last run of one background job (``core/jobs.py``), for the operator: when it ran,
    what it did, and the error if it failed. ``next_run_at`` is also how several workers agree
    that a job is due: the one whose conditional update moves it runs the job."""

    class Status(models.TextChoices):
        NEVER = "", _("not run yet")
        OK = "ok", _("finished")
        PARTIAL = "partial", _("finished, but some items failed")
        FAILED = "failed", _("failed")

    name = models.CharField(_("job"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run due at"))
    started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    status = models.CharField(_("last result"), max_length=16, choices=Status.choices, blank=True,
                              default=Status.NEVER)
    count = models.PositiveIntegerField(_("items done in the last run"), default=0)
    result = models.JSONField(_("last run's figures"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("runs with errors"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """The outbox: an SMS or e-mail about any object (a case, a hotline ticket, a booking, a
    licence), rendered from its event's template in the recipient's language, queued in the
    transaction that caused it, sent after commit and retried by the worker (claimed, so no two
    workers send one message)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    target_type = models.CharField(max_length=64, blank=True)  # e.g. "cases.case", as on the trail
    target_id = models.CharField(max_length=64, blank=True)
    event = models.CharField(max_length=64)
    language = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "claimed_until"], name="outbox_pending"),
            models.Index(fields=["target_type", "target_id"], name="outbox_target"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
