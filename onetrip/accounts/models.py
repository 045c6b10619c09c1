from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from onetrip.core.identity import mask_mobile, mask_resident_id


class Division(models.Model):
    """An administrative division: the district (430703) and its townships/streets."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District / county")
        TOWNSHIP = "township", _("Township / street")
        VILLAGE = "village", _("Village / community")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """An implementing department (实施主体): the unit legally responsible for items."""

    code = models.CharField(_("department code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(_("consultation phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    COMPANY_REP = "company_rep", _("Company representative")
    PROXY_AGENT = "proxy_agent", _("Proxy agent")
    WINDOW_CLERK = "window_clerk", _("Window clerk")
    OFFICER = "officer", _("Back-office officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    SUPERVISOR = "supervisor", _("Supervisor")
    CATALOG_ADMIN = "catalog_admin", _("Catalogue admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")


STAFF_ROLES = frozenset(
    {
        Role.PROXY_AGENT,
        Role.WINDOW_CLERK,
        Role.OFFICER,
        Role.DEPARTMENT_HEAD,
        Role.SUPERVISOR,
        Role.CATALOG_ADMIN,
        Role.SYSTEM_ADMIN,
        Role.HOTLINE_OPERATOR,
    }
)
DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})


class Company(models.Model):
    """A company or other organisation that applies for items, identified by its USCC."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    @property
    def uscc_masked(self) -> str:
        # A USCC is public information on the business licence; no masking needed.
        return self.uscc


class CompanyStatus(models.TextChoices):
    """Whether a company representative's claim to act for the company has been checked."""

    NONE = "", _("Not a company representative")
    PENDING = "pending", _("Awaiting verification at a window")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Not confirmed")


class User(AbstractUser):
    """Everyone who logs in: citizens, company representatives and staff.

    Citizens log in with their mobile number as username; staff with an assigned username.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CITIZEN)
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    resident_id = models.CharField(_("resident ID number"), max_length=18, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    division = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
        help_text=_("For proxy agents: the township or village they serve."),
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="representatives"
    )
    # A USCC is public, so signing up with one proves nothing: a window clerk confirms the
    # representative (ID card and the company's authorisation) before they may apply for it.
    company_status = models.CharField(_("company verification"), max_length=16, blank=True,
                                      choices=CompanyStatus.choices, default=CompanyStatus.NONE)
    company_checked_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("checked by"),
    )
    company_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    company_check_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["resident_id"],
                condition=~models.Q(resident_id=""),
                name="accounts_user_unique_resident_id",
            ),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def resident_id_masked(self) -> str:
        return mask_resident_id(self.resident_id)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class SmsCode(models.Model):
    """A one-time code sent to an account's mobile to reset its password or unlock it. Only a
    keyed hash of the code is stored; it is valid for a few minutes and a few tries."""

    class Purpose(models.TextChoices):
        RESET = "reset", _("Reset the password")
        UNLOCK = "unlock", _("Unlock the account")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")


class LoginFailures(models.Model):
    """Failed log-ins of one account from any address, for the account-wide slow-down (see
    ``accounts/lockout.py``). Forgotten a day after the last failure."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="+")
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()
