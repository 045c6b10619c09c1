"""12345 热线工单 (hotline tickets): one ticket per request made by phone, on the web, through the
API or a chat channel, run as a closed loop (受理 → 派单 → 签收/退单 → 延期 → 答复 → 办结 → 回访,
reopened when the citizen is not satisfied), on the working-day clock; and the ticket's history,
one row per event, in the order it happened, with the sentence a page shows for it.

Writes go through ``services`` (the mover in ``services.transition``); nothing here decides."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onetrip.workcalendar.clock import WorkdayClock


class Kind(models.TextChoices):
    """The five kinds of request of the 12345 line."""

    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call (operator desk)")
    WEB = "web", _("Website")
    API = "api", _("API")
    CHAT = "chat", _("Chat channel")


class TicketState(models.TextChoices):
    REGISTERED = "registered", _("Registered, waiting to be dispatched")
    DISPATCHED = "dispatched", _("Dispatched, waiting for the department to acknowledge")
    RETURNED = "returned", _("Returned by the department, to be dispatched again")
    IN_PROGRESS = "in_progress", _("Being handled by the department")
    REPLIED = "replied", _("Replied to the citizen")
    FINISHED = "finished", _("Finished, waiting for the return visit")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another ticket")


OPEN_STATES = (TicketState.REGISTERED, TicketState.DISPATCHED, TicketState.RETURNED, TicketState.IN_PROGRESS)


class VisitAnswer(models.TextChoices):
    """回访: what the citizen says of the handling."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class ReturnReason(models.TextChoices):
    """退单: why a department sends a ticket back to the centre."""

    NOT_OUR_REMIT = "not_our_remit", _("Not within our remit")
    ANOTHER_LEVEL = "another_level", _("A matter for another level of government")
    UNCLEAR = "unclear", _("The request is unclear or lacks what is needed to handle it")
    OTHER = "other", _("Other reason")


class TicketSequence(models.Model):
    """The last ticket number handed out on a day (SQLite; PostgreSQL uses one sequence a day)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class Ticket(WorkdayClock):
    number = models.CharField(_("ticket number"), max_length=32, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=TicketState.choices,
                             default=TicketState.REGISTERED)
    # The caller. An anonymous reporter (匿名举报) leaves no name; a mobile only if they want SMS.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_mobile = models.CharField(_("caller's mobile"), max_length=20, blank=True, db_index=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="hotline_tickets", verbose_name=_("caller's account"))
    # Only the SHA-256 of an anonymous reporter's query code (shown to them once).
    query_code_hash = models.CharField(max_length=64, blank=True, default="")
    text = models.TextField(_("what the caller says"), max_length=4000)
    category = models.CharField(_("category"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hotline_tickets", verbose_name=_("case concerned"))
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hotline_tickets", verbose_name=_("service item concerned"))
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="hotline_tickets", verbose_name=_("department handling it"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    created_at = models.DateTimeField(_("received"))
    received_on = models.DateField(_("received on"))
    dispatched_at = models.DateTimeField(null=True, blank=True)
    acknowledge_by = models.DateTimeField(_("to be acknowledged by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    # 延期 asked for and not yet decided (0: none pending).
    extension_requested = models.PositiveSmallIntegerField(default=0)
    extension_reasons = models.CharField(max_length=1000, blank=True)
    answer = models.TextField(_("answer to the citizen"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    visit_answer = models.CharField(_("answer at the return visit"), max_length=24, blank=True,
                                    choices=VisitAnswer.choices)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    main = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                             verbose_name=_("merged into"))
    # The light job's claim for the day, and the day the ticket went past its deadline (this run).
    lights_on = models.DateField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hotline ticket")
        verbose_name_plural = _("hotline tickets")
        indexes = [models.Index(fields=["state", "deadline"], name="hotline_state_deadline"),
                   models.Index(fields=["department", "state", "deadline"], name="hotline_dept_state"),
                   models.Index(fields=["caller_mobile", "created_at"], name="hotline_caller_recent")]
        constraints = [
            models.UniqueConstraint(fields=["query_code_hash"], condition=~Q(query_code_hash=""),
                                    name="hotline_query_code_unique"),
            models.CheckConstraint(condition=Q(anonymous=True) | ~Q(caller_name="") | ~Q(caller_mobile=""),
                                   name="hotline_caller_known_unless_anonymous"),
        ]

    def __str__(self) -> str:
        return self.number

    def clock_running(self) -> bool:
        return self.state in OPEN_STATES

    @staticmethod
    def hash_code(code: str) -> str:
        return hashlib.sha256("".join(code.split()).upper().encode()).hexdigest()


class TicketEvent(models.Model):
    """One step of a ticket's history: who did what, when, and what they said (the reasons of a
    return, the reply, the answer at the return visit). ``public``: the caller sees it when they
    follow their ticket. The actor's name is never shown to the caller."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="hotline_event_ticket_at")]


class ChatSession(models.Model):
    """One person's conversation on a chat channel (``hotline.chat``): what they last asked, the
    article they were given, and whether the line waits for their mobile number to register a
    ticket. The person is known only by a hash of the channel's opaque id for them."""

    channel = models.CharField(max_length=32)
    sender_hash = models.CharField(max_length=64)
    question = models.CharField(max_length=500, blank=True)
    article_id = models.PositiveIntegerField(null=True, blank=True)  # knowledge.Article, kept loose
    awaiting_mobile = models.BooleanField(default=False)
    last_ticket = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "sender_hash"], name="chat_one_session")]
