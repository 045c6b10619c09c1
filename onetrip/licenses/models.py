"""Electronic licences (电子证照) and signed decisions (电子签名).

A ``LicenceType`` says which service items produce which licence (and for how long it is
valid). An approved case of such an item gets a ``Licence`` row at once (status *pending*); the
job ``licenses.issue`` numbers it, lays out its PDF, seals it with the department's certificate
and a timestamp of the district's own time-stamping service, and makes it *valid*.
``DecisionSignature`` is the deciding officer's signature over one approval or denial.
The private keys are never in the database (``keystore``)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ALNUM = RegexValidator(r"^[0-9A-Z]+$", _("Use capital letters and digits only."))


def verification_id() -> str:
    """The unguessable key of a licence's public verification page (144 random bits)."""
    return secrets.token_urlsafe(18)


class LicenceType(models.Model):
    code = models.CharField(_("licence type code"), max_length=24, unique=True, validators=[ALNUM])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    number_prefix = models.CharField(_("number prefix"), max_length=8, blank=True, validators=[ALNUM])
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), null=True, blank=True,
                                                      help_text=_("Empty: valid without a time limit."))
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="+",
                                   verbose_name=_("items that produce it"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self) -> str:
        return self.name


class LicenceStatus(models.TextChoices):
    PENDING = "pending", _("Being issued")
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced by a newer licence")


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Licence(models.Model):
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences",
                                     verbose_name=_("licence type"))
    identifier = models.CharField(_("licence identifier"), max_length=120, unique=True, null=True, blank=True)
    number = models.CharField(_("licence number"), max_length=40, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    holder_kind = models.CharField(_("holder"), max_length=16, choices=HolderKind.choices)
    holder_name = models.CharField(_("holder's name"), max_length=200)
    holder_id_number = models.CharField(_("holder's ID number or USCC"), max_length=18, db_index=True)
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("issuing department"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next",
                                    verbose_name=_("previous licence"))
    title = models.CharField(_("title"), max_length=200, help_text=_("What the licence is for (the item's result)."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LicenceStatus.choices,
                              default=LicenceStatus.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    verification_id = models.CharField(max_length=32, unique=True, default=verification_id)
    file = models.FileField(upload_to="licences/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The issuing job's lease: a worker claims a pending licence by setting this with a
    # conditional update; a claim older than the lease may be taken over (the worker died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("electronic licence")
        verbose_name_plural = _("electronic licences")
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="licence_status_claim"),
            models.Index(fields=["status", "valid_until"], name="licence_status_until"),
            models.Index(fields=["holder_id_number", "status"], name="licence_holder_status"),
            models.Index(fields=["department", "status"], name="licence_dept_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(previous__isnull=True, case__isnull=False),
                                    name="licence_one_per_case"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.licence_type} #{self.pk}"


class LicenceSequence(models.Model):
    """The last sequence number given per licence type and issuing department (row locked while a
    licence is numbered, so numbers are unique and gapless)."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["licence_type", "department"], name="licence_sequence_once")]


class DecisionSignature(models.Model):
    """The deciding officer's signature over one decision: the canonical content signed (see
    ``rules.decision_content``), the signature and the officer's certificate (issued by the
    district CA) as it was at signing."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField()
    signature = models.TextField(help_text="base64 of the DER ECDSA signature")
    algorithm = models.CharField(max_length=32, default="ecdsa-p256-sha256")
    certificate = models.TextField(help_text="the signer's certificate (PEM)")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["case", "signed_at"], name="decision_sig_case")]
