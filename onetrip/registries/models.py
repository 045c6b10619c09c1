"""The local copies of the shared registries (人口信息库, 企业证照库) and what once-only records.

These tables are what :class:`onetrip.registries.providers.LocalProvider` answers from; a district
that plugs in its province's data exchange uses another provider and may leave them empty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RegisteredPerson(models.Model):
    """A person in the population registry (人口信息库)."""

    id_number = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    household_address = models.CharField(_("household address"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id_number"]
        verbose_name = _("registered person")
        verbose_name_plural = _("population registry")

    def __str__(self) -> str:
        return self.name


class CompanyKind(models.TextChoices):
    LIMITED = "limited", _("Limited liability company")
    JOINT_STOCK = "joint_stock", _("Joint-stock company")
    SOLE_PROPRIETORSHIP = "sole", _("Sole proprietorship")
    PARTNERSHIP = "partnership", _("Partnership")
    INDIVIDUAL = "individual", _("Individual business")
    COOPERATIVE = "cooperative", _("Farmers' cooperative")


class CompanyState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Business suspended")
    REVOKED = "revoked", _("Business licence revoked")
    CANCELLED = "cancelled", _("Deregistered")


class RegisteredCompany(models.Model):
    """A company in the company registry (企业证照库), identified by its USCC."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=CompanyKind.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    legal_representative_id_number = models.CharField(_("legal representative's ID number"), max_length=18)
    # The mobile the company registered for its legal representative (企业联络手机): where a
    # delegation is confirmed.
    legal_representative_mobile = models.CharField(_("legal representative's mobile"), max_length=11, blank=True)
    address = models.CharField(_("address"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=CompanyState.choices, default=CompanyState.ACTIVE)
    established_on = models.DateField(_("established on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("registered company")
        verbose_name_plural = _("company registry")

    def __str__(self) -> str:
        return self.name


class WaivedMaterial(models.Model):
    """免提交: one checklist material of a case that a registry supplied instead of the applicant,
    with the record as it was read at submission (the snapshot the officer sees)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="waived_materials")
    name = models.CharField(_("material"), max_length=300)
    registry = models.CharField(_("registry"), max_length=16)
    reference = models.CharField(_("record"), max_length=64, help_text=_("The ID number, USCC or licence number read."))
    provider = models.CharField(_("provider"), max_length=64)
    snapshot = models.JSONField(_("record as read"), default=dict)
    found = models.BooleanField(_("found in the registry"), default=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="registries_waived_once_per_case")]
        indexes = [models.Index(fields=["created_at"], name="registries_waived_at")]
        verbose_name = _("waived material")
        verbose_name_plural = _("waived materials")

    def __str__(self) -> str:
        return self.name


class DelegationConfirmation(models.Model):
    """The legal representative confirms that a person represents the company: a one-time code sent
    to the legal representative's registered mobile, which the representative enters. Only a keyed
    hash of the code is kept (the pattern of proxy consents and password resets)."""

    representative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    mobile = models.CharField(_("mobile number"), max_length=11)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delegation confirmation")
        verbose_name_plural = _("delegation confirmations")
