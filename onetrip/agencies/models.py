"""中介服务超市 (the intermediary-service marketplace): the catalogue of intermediary service types,
the agencies with their qualifications and offers, the owners' purchases (announcement, sign-ups,
sealed bids, merit scores, the selection, the objection period, the contract, the service on the
working-day clock, the delivered report, the rating) and the violations decided by the admin.

Writes go through ``services`` (the purchase's one mover is ``services.transition``); the rules are
in ``rules``; nothing here decides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onetrip.workcalendar.clock import WorkdayClock


class ServiceType(models.Model):
    """One kind of intermediary service (a survey, an appraisal, a drawing, a report) and the
    approval items that need it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="intermediary_services",
                                   verbose_name=_("service items that need it"))
    active = models.BooleanField(_("offered"), default=True)
    changed_at = models.DateTimeField(auto_now=True)  # the item guides' panel is cached under it

    class Meta:
        ordering = ["code"]
        verbose_name = _("intermediary service type")
        verbose_name_plural = _("intermediary service types")

    def __str__(self) -> str:
        return self.name


class AgencyState(models.TextChoices):
    DRAFT = "draft", _("Being filled in by the agency")
    SUBMITTED = "submitted", _("Submitted, awaiting the marketplace's review")
    PUBLISHED = "published", _("Published in the marketplace")
    SUSPENDED = "suspended", _("Suspended")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    staff_count = models.PositiveIntegerField(_("professional staff"), default=0)
    commitment_signed_at = models.DateTimeField(_("commitment signed at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=AgencyState.choices, default=AgencyState.DRAFT)
    state_reason = models.CharField(_("reasons"), max_length=1000, blank=True)
    state_until = models.DateField(_("until"), null=True, blank=True)
    registry_name = models.CharField(_("name in the company registry"), max_length=200, blank=True)
    registry_checked_at = models.DateTimeField(null=True, blank=True)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="agencies", verbose_name=_("accounts"))
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("intermediary agency")
        verbose_name_plural = _("intermediary agencies")
        indexes = [models.Index(fields=["state"], name="agency_state")]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A qualification certificate (资质证书) and its scanned copy, stored with its SHA-256."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qualifications")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="qualifications",
                                     verbose_name=_("service type"))
    name = models.CharField(_("qualification"), max_length=100)
    level = models.CharField(_("level"), max_length=50, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=64)
    issued_by = models.CharField(_("issuing authority"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    file = models.FileField(upload_to="agencies/qualifications/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    reminded_for = models.DateField(null=True, blank=True)  # the expiry date last reminded of

    class Meta:
        ordering = ["agency", "service_type", "valid_to"]
        constraints = [models.UniqueConstraint(fields=["agency", "certificate_no"], name="agency_qualification_once")]
        indexes = [models.Index(fields=["valid_to"], name="agency_qualification_expiry")]


class AgencyOffer(models.Model):
    """An intermediary service an agency offers, with its fee standard (收费标准)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="offers")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="offers")
    fee_standard = models.CharField(_("fee standard"), max_length=500)

    class Meta:
        ordering = ["agency", "service_type"]
        constraints = [models.UniqueConstraint(fields=["agency", "service_type"], name="agency_offer_once")]


class Method(models.TextChoices):
    DIRECT = "direct", _("Direct selection")
    RANDOM = "random", _("Random draw")
    PRICE = "price", _("Sealed price bids")
    MERIT = "merit", _("Selection on merit")


class PurchaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published, open for sign-ups")
    SELECTED = "selected", _("Result published, in the objection period")
    CONTRACTED = "contracted", _("Contract signed, service under way")
    DELIVERED = "delivered", _("Report delivered, awaiting the owner")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed: no valid selection")
    CANCELLED = "cancelled", _("Cancelled")


class Purchase(WorkdayClock):
    """One selection announcement (采购公告) and everything after it. The clock runs from the
    contract to the delivery, paused while the owner holds the work up."""

    number = models.CharField(_("purchase number"), max_length=32, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agency_purchases")
    owner_name = models.CharField(_("project owner"), max_length=200)
    project = models.CharField(_("project"), max_length=200)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="purchases")
    required_qualification = models.CharField(_("required qualification level"), max_length=50, blank=True)
    price_ceiling = models.DecimalField(_("price ceiling (yuan)"), max_digits=12, decimal_places=2)
    service_workdays = models.PositiveIntegerField(_("service time limit (working days)"))
    method = models.CharField(_("selection method"), max_length=8, choices=Method.choices)
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    criteria = models.JSONField(_("merit criteria and weights"), default=list, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="agency_purchases", verbose_name=_("approval case"))
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("supervising department"))
    state = models.CharField(_("state"), max_length=16, choices=PurchaseState.choices, default=PurchaseState.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Commit–reveal: the seed's SHA-256 is published with the announcement; the seed itself is kept
    # in a key file outside the database and copied here once the sign-up has closed.
    seed_hash = models.CharField(max_length=64, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    candidates = models.JSONField(default=list, blank=True)  # the sorted USCCs the draw ran over
    ranking = models.JSONField(default=list, blank=True)  # the draw's order, first = drawn
    winner = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="won")
    price = models.DecimalField(_("contract price (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    result_note = models.CharField(max_length=1000, blank=True)
    selected_at = models.DateTimeField(null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=64, blank=True)
    contracted_at = models.DateTimeField(null=True, blank=True)
    report = models.FileField(upload_to="agencies/reports/", blank=True)
    report_name = models.CharField(max_length=255, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_size = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    return_reasons = models.CharField(max_length=1000, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    lights_on = models.DateField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intermediary purchase")
        verbose_name_plural = _("intermediary purchases")
        indexes = [models.Index(fields=["state", "deadline"], name="agency_purchase_clock"),
                   models.Index(fields=["state", "signup_deadline"], name="agency_purchase_signup")]
        constraints = [models.CheckConstraint(condition=Q(price_ceiling__gt=0), name="agency_purchase_ceiling")]

    def __str__(self) -> str:
        return self.number

    def clock_running(self) -> bool:
        return self.state == PurchaseState.CONTRACTED


class SignUp(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="signups")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signups")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["purchase", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["purchase", "agency"], name="agency_signup_once")]


class Bid(models.Model):
    """A sealed bid: the price encrypted with the purchase's own key (kept in a key file outside
    the database); ``price`` is written only when the bids are opened after the deadline."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="bids")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="bids")
    sealed = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    valid = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["purchase", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["purchase", "agency"], name="agency_bid_once")]


class MeritScore(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="scores")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(max_length=100)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["purchase", "agency", "criterion"]
        constraints = [models.UniqueConstraint(fields=["purchase", "agency", "criterion"], name="agency_score_once")]


class Objection(models.Model):
    """质疑: an objection to a published result, within the objection period."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="objections")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purchase", "at", "id"]


class ServicePause(models.Model):
    """A pause of the service clock for the owner's own delay, with its reason."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(max_length=500)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["purchase", "started_on", "id"]


class AgencyRating(models.Model):
    """The owner's rating of the agency for one purchase, on the 好差评 scale (5..1)."""

    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="rating")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="ratings")
    quality = models.PositiveSmallIntegerField(_("quality"))
    timeliness = models.PositiveSmallIntegerField(_("timeliness"))
    attitude = models.PositiveSmallIntegerField(_("attitude"))
    price = models.PositiveSmallIntegerField(_("price"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [models.CheckConstraint(
            condition=Q(quality__gte=1, quality__lte=5, timeliness__gte=1, timeliness__lte=5, attitude__gte=1,
                        attitude__lte=5, price__gte=1, price__lte=5), name="agency_rating_scale")]


class ViolationKind(models.TextChoices):
    COLLUSION = "collusion", _("Collusive bidding")
    FALSE_MATERIALS = "false_materials", _("False materials")
    REFUSED_CONTRACT = "refused_contract", _("Refused the contract after winning")
    ABANDONED = "abandoned", _("Abandoned the work")


class Violation(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="violations")
    kind = models.CharField(_("violation"), max_length=20, choices=ViolationKind.choices)
    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    penalty = models.CharField(max_length=16)  # suspended or blacklisted
    until = models.DateField()
    reasons = models.CharField(max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField()

    class Meta:
        ordering = ["-on", "-id"]
