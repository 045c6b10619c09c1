"""The catalogue: service items, their versioned guides, publication batches and bundles.

A ``ServiceItem`` is the stable identity (its code never changes). Everything a guide says
lives on an ``ItemVersion``: edited as a draft, frozen once published in a
``PublicationBatch``. ``ServiceItem.current`` points at the version the public sees; a case
records the exact version it was applied under.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Department


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing (行政许可)")
    CONFIRMATION = "confirmation", _("Administrative confirmation (行政确认)")
    LEVY = "levy", _("Administrative levy (行政征收)")
    BENEFIT = "benefit", _("Administrative benefit (行政给付)")
    ADJUDICATION = "adjudication", _("Administrative adjudication (行政裁决)")
    REWARD = "reward", _("Administrative reward (行政奖励)")
    FILING = "filing", _("Administrative filing (行政备案)")
    OTHER_POWER = "other_power", _("Other administrative power (其他行政权力)")
    PUBLIC_SERVICE = "public_service", _("Public service (公共服务)")


class ExerciseLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    TOWNSHIP = "township", _("Township / street")


class Audience(models.TextChoices):
    PEOPLE = "people", _("For people")
    COMPANIES = "companies", _("For companies")
    BOTH = "both", _("For people and companies")


class PublicationBatch(models.Model):
    """成熟一批、公布一批: a set of item versions published together on one date.

    Two people publish: one catalogue admin proposes the batch (the drafts, a note), a second
    one approves it, and only then do the versions go public; or they reject it with reasons.
    The database refuses a published batch approved by the person who proposed it. Batches
    published by the demo loader and test fixtures have no proposer (``publish_for_seeding``).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second admin")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    proposed_versions: models.ManyToManyField[ItemVersion, Any] = models.ManyToManyField(
        "ItemVersion", related_name="proposals", blank=True, verbose_name=_("drafts proposed")
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review comment or reasons"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("publication batch")
        verbose_name_plural = _("publication batches")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposed_by__isnull=True) | ~models.Q(published_by=models.F("proposed_by")),
                name="catalog_batch_two_people",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(published_by__isnull=False, published_on__isnull=False),
                name="catalog_batch_published_has_approver",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="catalog_batch_status")]

    def __str__(self) -> str:
        if self.published_on:
            return f"{self.published_on:%Y-%m-%d} {self.name}"
        return self.name


class ServiceItem(models.Model):
    code = models.CharField(_("item code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_items",
        verbose_name=_("main item"),
        help_text=_("Set for a sub-item (子项): it hangs under its main item with its own checklist."),
    )
    current = models.OneToOneField(
        "ItemVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return self.code


class ItemVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    batch = models.ForeignKey(
        PublicationBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The elements of the implementation list (实施清单).
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("item kind"), max_length=32, choices=ItemKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="item_versions", verbose_name=_("implementing department")
    )
    exercise_level = models.CharField(
        _("exercise level"), max_length=16, choices=ExerciseLevel.choices, default=ExerciseLevel.DISTRICT
    )
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.BOTH)
    legal_basis = models.TextField(_("legal basis"))
    acceptance_conditions = models.TextField(_("acceptance conditions"))
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    promised_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"), help_text=_("0 means an on-the-spot item (即办件).")
    )
    max_visits = models.PositiveSmallIntegerField(_("promised maximum visits"))
    online = models.BooleanField(_("can be done fully online"), default=False)
    postable = models.BooleanField(_("results can be posted"), default=False)
    location = models.CharField(_("where"), max_length=200, blank=True)
    window = models.CharField(_("window"), max_length=100, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    consultation_phone = models.CharField(_("consultation phone"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=64, blank=True)
    result_name = models.CharField(_("result"), max_length=200, blank=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="catalog_version_one_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="catalog_version_promise_within_law",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_on_the_spot(self) -> bool:
        return self.promised_limit_days == 0

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy")
    ELECTRONIC = "electronic", _("Electronic")


class Registry(models.TextChoices):
    NONE = "", _("None: the applicant provides it")
    POPULATION = "population", _("Population registry")
    COMPANY = "company", _("Company registry")
    LICENCE = "licence", _("Electronic licence registry")
    ARCHIVE = "archive", _("Electronic archive")


class MaterialRequirement(models.Model):
    """One line of the checklist (申请材料). The acceptance checklist is exactly this list."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("material"), max_length=300)
    form = models.CharField(_("form"), max_length=32, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    condition = models.CharField(
        _("condition"), max_length=300, blank=True, help_text=_("For a conditional material: when it is needed.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True, help_text=_("Who issues it."))
    registry = models.CharField(
        _("supplied by registry"), max_length=16, choices=Registry.choices, blank=True, default=Registry.NONE
    )
    sample = models.FileField(_("sample or blank form"), upload_to="catalog/samples/", blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class FeeRule(models.TextChoices):
    NONE = "none", _("No bill (text only)")
    FIXED = "fixed", _("A fixed amount")
    PER_UNIT = "per_unit", _("A price per unit")


class FeeDue(models.TextChoices):
    ACCEPTANCE = "acceptance", _("On acceptance")
    APPROVAL = "approval", _("On approval")


class Fee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("fee"), max_length=200)
    standard = models.CharField(_("standard"), max_length=200)
    basis = models.TextField(_("basis"))
    # The machine-readable amount rule (统一支付; ``onetrip.payments.rules.fee_amount``): amounts are
    # integers in fen (分), never floats. ``none``: the standard is text only and no bill is raised.
    amount_rule = models.CharField(_("amount rule"), max_length=16, choices=FeeRule.choices, default=FeeRule.NONE)
    amount_fen = models.PositiveIntegerField(_("amount (fen), or price per unit (fen)"), default=0)
    unit_field = models.CharField(_("application form field giving the number of units"), max_length=64, blank=True)
    unit_label = models.CharField(_("unit"), max_length=32, blank=True)
    due_at = models.CharField(_("bill raised on"), max_length=16, choices=FeeDue.choices, default=FeeDue.APPROVAL)
    blocks_result = models.BooleanField(_("the result waits for payment"), default=True)
    refundable = models.BooleanField(_("refunded when the application is withdrawn"), default=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.amount_rule != FeeRule.NONE and self.amount_fen <= 0:
            raise ValidationError({"amount_fen": _("A fee with an amount rule needs an amount above zero.")})
        if self.amount_rule == FeeRule.PER_UNIT and not (self.unit_field and self.unit_label):
            raise ValidationError({"unit_field": _("A price per unit names the form field and the unit.")})


class SpecialProcedure(models.Model):
    """特别程序 (hearing, inspection, expert review…): its time may not count against the limit."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="special_procedures")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("special procedure"), max_length=200)
    max_days = models.PositiveSmallIntegerField(_("maximum duration (working days)"), null=True, blank=True)
    excluded_from_limit = models.BooleanField(_("excluded from the time limit"), default=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("step"), max_length=100)
    actor = models.CharField(_("who acts"), max_length=100, blank=True)
    role = models.CharField(
        _("back-office role"),
        max_length=32,
        blank=True,
        choices=[("window_clerk", _("Window clerk")), ("officer", _("Back-office officer")),
                 ("department_head", _("Department head"))],
        help_text=_("Set for the review steps a case goes through after acceptance, in order."),
    )
    limit_days = models.PositiveSmallIntegerField(_("step time limit (working days)"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """一件事: the items one real-life need requires, shown and applied for together."""

    code = models.CharField(_("bundle code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.BOTH)
    is_published = models.BooleanField(_("published"), default=False)
    items: models.ManyToManyField[ServiceItem, BundleItem] = models.ManyToManyField(
        ServiceItem, through="BundleItem", related_name="bundles"
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("life-event bundle")
        verbose_name_plural = _("life-event bundles")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["bundle", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="catalog_bundle_item_once")]


class SearchPhrase(models.Model):
    """One line of the search dictionary, kept by the catalogue admins: a word people use and
    the catalogue's words for it (个体户 → 个体工商户; 开饭店 → 开餐馆, the name of a bundle), or an
    intent word and the words of the sub-items it points to (丢了 → 补领; 不干了 → 注销)."""

    class Kind(models.TextChoices):
        SYNONYM = "synonym", _("People's word for catalogue words")
        INTENT = "intent", _("Intent word pointing to sub-items")

    phrase = models.CharField(
        _("what people type"), max_length=32, unique=True,
        help_text=_("A word or a few characters, as people type them: 个体户, 开饭店, 丢了."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SYNONYM)
    targets = models.CharField(
        _("catalogue words"), max_length=200,
        help_text=_("Separated by 、 or commas. For a people's word: the words of item or bundle names it means "
                    "(个体工商户). For an intent word: the words in the names of the sub-items it points to "
                    "(补领、补发)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["kind", "phrase"]
        verbose_name = _("search dictionary entry")
        verbose_name_plural = _("search dictionary")

    def __str__(self) -> str:
        return f"{self.phrase} → {self.targets}"

    @property
    def target_list(self) -> list[str]:
        return [t.strip() for t in re.split(r"[、,，;；\s]+", self.targets) if t.strip()]


class SearchStamp(models.Model):
    """What the in-memory search index was built from: one random token per source of documents
    (``catalog``, the ``dictionary``, and any source an upper app registers), replaced whenever
    that source changes. Every process reads the tokens (one small query) before a search and
    rebuilds its index when they differ from the ones it was built with."""

    source = models.CharField(max_length=32, unique=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source}: {self.token}"


class SearchQuery(models.Model):
    """One normalized public search query and how it fared, with no personal data: no user,
    no address, no session; runs of six or more digits (ID numbers, mobiles, case numbers)
    are replaced by ``#`` before anything is stored."""

    query = models.CharField(_("query"), max_length=100, unique=True)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_results = models.PositiveIntegerField(_("searches that found nothing"), default=0)
    clicks = models.PositiveIntegerField(_("results opened"), default=0)
    last_results = models.PositiveIntegerField(_("results last time"), default=0)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        indexes = [models.Index(fields=["-last_seen"], name="catalog_searchquery_seen")]

    def __str__(self) -> str:
        return self.query
