"""知识库 (knowledge base): questions people ask with the answers the 12345 line and the halls
give. Three kinds of article:

- written from the catalogue (one per item and topic — what to bring, how long, where, fees,
  online or not): rewritten from the guide each time a new version of the item is published,
  never edited by hand;
- written by the hotline centre or a catalogue admin;
- promoted from a ticket's good answer by an operator, published once the owner department
  approves it.

Written articles linked to an item are flagged for review when its guide changes. Only
published articles inside their validity dates reach operators, citizens and chat channels.

Writes go through ``services``; nothing here decides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    CATALOGUE = "catalogue", _("Written from the service guide")
    WRITTEN = "written", _("Written by the hotline centre")
    TICKET = "ticket", _("Promoted from a hotline ticket")


class Topic(models.TextChoices):
    """What an article written from the catalogue answers about its item."""

    MATERIALS = "materials", _("What to bring")
    TIME = "time", _("How long it takes")
    WHERE = "where", _("Where to go")
    FEES = "fees", _("Fees")
    ONLINE = "online", _("Online or not")
    OTHER = "other", _("Other question")


class ArticleState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, waiting for the owner department")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not approved by the owner department")
    RETIRED = "retired", _("Retired")


class Article(models.Model):
    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    tags = models.CharField(_("tags"), max_length=200, blank=True,
                            help_text=_("Words people use for it, separated by commas."))
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="+", verbose_name=_("items"))
    departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+",
                                         verbose_name=_("departments"))
    owner = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner department"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.WRITTEN)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, default=Topic.OTHER)
    state = models.CharField(_("state"), max_length=16, choices=ArticleState.choices,
                             default=ArticleState.PUBLISHED)
    # An article written from the catalogue: its item, and the version it was last written from.
    from_item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    from_version = models.ForeignKey("catalog.ItemVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    from_ticket = models.CharField(_("promoted from ticket"), max_length=32, blank=True)
    needs_review = models.BooleanField(_("flagged for review"), default=False)
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    decision_note = models.TextField(_("owner department's note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    helped = models.PositiveIntegerField(_("said it helped"), default=0)
    not_helped = models.PositiveIntegerField(_("said it did not help"), default=0)
    used_on_calls = models.PositiveIntegerField(_("answers given with it"), default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        constraints = [
            models.UniqueConstraint(fields=["from_item", "topic"], condition=models.Q(source="catalogue"),
                                    name="article_one_per_item_topic"),
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")), name="article_valid_range"),
        ]
        indexes = [models.Index(fields=["state", "needs_review"], name="article_state_review"),
                   models.Index(fields=["owner", "state"], name="article_owner_state")]

    def __str__(self) -> str:
        return self.question


class Feedback(models.Model):
    """帮助评价: someone said whether an article helped. No person, no address: only the answer,
    where it was given, and when."""

    class Where(models.TextChoices):
        WEB = "web", _("Self-service page")
        CHAT = "chat", _("Chat channel")
        API = "api", _("API")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helped = models.BooleanField()
    where = models.CharField(max_length=8, choices=Where.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
