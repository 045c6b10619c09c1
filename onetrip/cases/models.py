"""Cases (办件): applications, their cases, materials, one-time notices, visits, rule violations.

A citizen or company submits one ``Application`` for an item or a life-event bundle; it
holds the one material set and becomes one ``Case`` per item. A case records the exact
``ItemVersion`` it was applied under and moves through ``transitions.TABLE``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onetrip.workcalendar import clock


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Awaiting supplements (one-time notice issued)")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    IN_REVIEW = "in_review", _("Accepted, under review")
    SUSPENDED = "suspended", _("Suspended for a special procedure")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    RESULT_READY = "result_ready", _("Result ready")
    DELIVERED = "delivered", _("Result delivered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (State.SUBMITTED, State.AWAITING_SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED)
CLOCK_STATES = (State.IN_REVIEW, State.SUSPENDED, State.AWAITING_SUPPLEMENT)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a window")


Light = clock.Light  # the status light of the reusable working-day clock


class Application(models.Model):
    """The person applying is identified by name, ID number and mobile. ``applicant`` is their
    account when they have one (a walk-in at the window or an elder served by a proxy agent may
    have none; an account with the same ID number can claim the application later).
    ``submitted_by`` is whoever filled it in: the applicant, a proxy agent or a window clerk."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proxy_consent = models.TextField(_("consent of the person applied for"), blank=True)
    company = models.ForeignKey("accounts.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bundle = models.ForeignKey("catalog.Bundle", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    idempotency_key = models.CharField(max_length=100, blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_id_number = models.CharField(_("ID number"), max_length=18)
    applicant_mobile = models.CharField(_("mobile number"), max_length=11)
    form_data = models.JSONField(_("form"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="cases_application_idempotent",
            ),
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, bundle__isnull=True) | models.Q(item__isnull=True, bundle__isnull=False),
                name="cases_application_item_or_bundle",
            ),
        ]


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=32, unique=True, null=True, blank=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="cases")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey("catalog.ItemVersion", on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.DRAFT)
    step_index = models.PositiveSmallIntegerField(default=0)
    # The role the current review step names, stored so that "waiting for me" is an index lookup.
    step_role = models.CharField(max_length=32, blank=True, default="")
    step_started_on = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_cases")

    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("deemed accepted"), default=False)
    paused_since = models.DateField(null=True, blank=True)
    paused_workdays = models.PositiveIntegerField(default=0)
    pause_counts = models.BooleanField(default=False, help_text="True while a pause whose time counts runs")
    promised_deadline = models.DateField(_("promised deadline"), null=True, blank=True)
    legal_deadline = models.DateField(_("legal deadline"), null=True, blank=True)
    light = models.CharField(_("status light"), max_length=16, choices=Light.choices, blank=True, default="")
    warned_on = models.DateField(null=True, blank=True)

    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    refusal_reasons = models.TextField(blank=True)
    delivery_method = models.CharField(max_length=16, blank=True)
    delivery_reference = models.CharField(max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    visit_count = models.PositiveSmallIntegerField(_("visits"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "promised_deadline", "id"], name="case_state_deadline"),
            models.Index(fields=["department", "state", "promised_deadline", "id"], name="case_dept_state_deadline"),
            models.Index(fields=["state", "acceptance_due"], name="case_state_acceptance_due"),
            models.Index(fields=["assignee", "state"], name="case_assignee_state"),
            models.Index(fields=["department", "state", "step_role", "promised_deadline", "id"],
                         name="case_dept_step_deadline"),
            # The finished cases of a day or period (reports: the daily rollup, the drill-down in
            # closing order, a department's own); only closed cases, so the indexes stay as small as they are.
            models.Index(fields=["closed_at", "id"], condition=models.Q(state="closed"), name="case_closed_at"),
            models.Index(fields=["department", "closed_at", "id"], condition=models.Q(state="closed"),
                         name="case_dept_closed_at"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseMaterial(models.Model):
    """One uploaded file of a material of an application (a material may have several files:
    the pages of a document photographed on a phone). Keyed by the checklist material's name so
    that one upload serves every item of a bundle that asks for it. A removed file stays, no
    longer current."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField(_("material"), max_length=300)
    file = models.FileField(upload_to="materials/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["application", "name", "uploaded_at", "id"]
        indexes = [models.Index(fields=["application", "current", "name"], name="case_material_current")]


class OneTimeNotice(models.Model):
    """一次性告知: every missing or faulty material named at once, in writing."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    supplemented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]


class NoticeItem(models.Model):
    notice = models.ForeignKey(OneTimeNotice, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey("catalog.MaterialRequirement", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("what is missing or wrong"), max_length=300)
    # The applicant's word when they cannot supplement this material, shown to the clerk.
    applicant_reply = models.TextField(_("applicant's explanation"), blank=True)

    class Meta:
        ordering = ["notice", "requirement__position"]


class Visit(models.Model):
    """One physical trip to an office (跑动). Online steps are never visits."""

    class Reason(models.TextChoices):
        SUBMIT = "submit", _("Submit at a window")
        SUPPLEMENT = "supplement", _("Supplement at a window")
        PICKUP = "pickup", _("Pick up the result")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    # 帮代办: a trip the proxy agent made for the person is the agent's, not the person's; it is
    # recorded but not counted in the case's ``visit_count`` (the applicant's own trips).
    proxy_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="proxy_visits", verbose_name=_("made by the proxy agent"))

    class Meta:
        ordering = ["at"]


class ProxyConsent(models.Model):
    """帮代办: the consent of the person a proxy agent applies for, recorded before the application
    either as a signed consent form (uploaded scan) or by a one-time code sent by SMS to the
    person's mobile, which the agent enters (only a keyed hash of the code is kept). A confirmed
    consent lets this agent apply for this person for ``PROXY_CONSENT_VALID_HOURS``."""

    class Method(models.TextChoices):
        FORM = "form", _("Signed consent form")
        SMS = "sms", _("Code sent by SMS to the person's mobile")

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("name"), max_length=100)
    person_id_number = models.CharField(_("ID number"), max_length=18)
    person_mobile = models.CharField(_("mobile number"), max_length=11)
    method = models.CharField(_("how the person agreed"), max_length=8, choices=Method.choices)
    file = models.FileField(upload_to="consents/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    salt = models.CharField(max_length=32, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "person_id_number", "confirmed_at"], name="case_proxy_consent")]
        verbose_name = _("proxy consent")
        verbose_name_plural = _("proxy consents")


class Handover(models.Model):
    """综合窗口出件: who collected a case's result at the window, with their ID checked."""

    class Collector(models.TextChoices):
        APPLICANT = "applicant", _("The applicant in person")
        AUTHORISED = "authorised", _("A person the applicant authorised")
        PROXY_AGENT = "proxy_agent", _("The proxy agent who applied")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="handover")
    collector = models.CharField(_("collected by"), max_length=16, choices=Collector.choices)
    collector_name = models.CharField(_("name"), max_length=100)
    collector_id_number = models.CharField(_("ID number"), max_length=18)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("result handed out")
        verbose_name_plural = _("results handed out")


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["at"]


def _yuan(fen: Any) -> str:
    return f"{fen / 100:.2f}" if isinstance(fen, int) else "?"


class RuleViolation(models.Model):
    """A breach of the reform's rules caught by the system, for e-supervision (电子监察):
    asking for a material off the checklist, a repeated notice (反复补正), more trips than
    promised, a missed deadline. Recorded by cases; read by supervision."""

    class Rule(models.TextChoices):
        OFF_CHECKLIST = "off_checklist", _("Material requested off the checklist")
        REPEATED_NOTICE = "repeated_notice", _("A second notice named materials not named the first time")
        VISITS_EXCEEDED = "visits_exceeded", _("More trips than promised")
        OVERDUE = "overdue", _("Promised time limit exceeded")
        REFUSED_COMPLETE = "refused_complete", _("A complete application was not accepted")
        FEE_OFF_CATALOGUE = "fee_off_catalogue", _("A charge that is not the catalogue's fee")

    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices, db_index=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="violations")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        db_table = "supervision_ruleviolation"
        ordering = ["-at"]
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        constraints = [
            # A case is flagged once per rule that happens to it once (trips, overdue).
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=models.Q(rule__in=["visits_exceeded", "overdue", "refused_complete"]),
                name="supervision_violation_once_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.case_id}"

    def sentence(self) -> str:
        """The violation in words, for the supervision desk and the case page."""
        d = self.detail or {}
        if self.rule in (self.Rule.OFF_CHECKLIST, self.Rule.REPEATED_NOTICE):
            return str(_("Materials: %(m)s")) % {"m": "、".join(d.get("materials", []))}
        if self.rule == self.Rule.VISITS_EXCEEDED:
            return str(_("%(v)s trips; the guide promises at most %(p)s")) % {
                "v": d.get("visits", "?"), "p": d.get("promised", "?")}
        if self.rule == self.Rule.OVERDUE:
            return str(_("Promised deadline %(d)s passed")) % {"d": d.get("promised_deadline", "")}
        if self.rule == self.Rule.REFUSED_COMPLETE:
            return str(_("Every required material was there; the reasons given: %(r)s")) % {"r": d.get("reasons", "")}
        if self.rule == self.Rule.FEE_OFF_CATALOGUE:
            return str(_("%(fee)s: the catalogue's amount is %(due)s yuan; %(paid)s yuan was charged")) % {
                "fee": d.get("fee", ""), "due": _yuan(d.get("due_fen")), "paid": _yuan(d.get("charged_fen"))}
        return ""


class CaseSequence(models.Model):
    """The last case number handed out on a day; incremented under a row lock."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
