"""Catalogue admin pages (审改办). Drafts are edited here; published versions and drafts
awaiting review are read-only; starting a new draft goes through the catalogue services, and
publishing through the publication workbench (one admin proposes, a second approves)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.permissions import Capability, can
from onetrip.catalog import services
from onetrip.catalog.models import (
    Bundle,
    BundleItem,
    Fee,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    PublicationBatch,
    SearchPhrase,
    ServiceItem,
    SpecialProcedure,
)


class CatalogPermissions:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.VIEW_DRAFTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.VIEW_DRAFTS)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Capability.EDIT_CATALOG)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.EDIT_CATALOG)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DraftOnly(CatalogPermissions):
    """Rows of a version can be changed only while the version is a draft."""

    def _draft(self, obj: Any) -> bool:
        """Editable: a draft that is not waiting for a second admin's review."""
        version = obj if isinstance(obj, ItemVersion) else getattr(obj, "version", None)
        if version is None:
            return True
        return version.status == ItemVersion.Status.DRAFT and services.pending_batch_of(version) is None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._draft(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # type: ignore[override]
        return super().has_add_permission(request) and self._draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.EDIT_CATALOG) and obj is not None and self._draft(obj)


class MaterialInline(DraftOnly, admin.TabularInline):  # type: ignore[misc]
    model = MaterialRequirement
    extra = 0
    fields = ("position", "name", "form", "copies", "required", "condition", "source", "registry", "sample", "notes")


class FeeInline(DraftOnly, admin.TabularInline):  # type: ignore[misc]
    model = Fee
    extra = 0
    fields = ("position", "name", "standard", "basis")


class SpecialProcedureInline(DraftOnly, admin.TabularInline):  # type: ignore[misc]
    model = SpecialProcedure
    extra = 0
    fields = ("position", "name", "max_days", "excluded_from_limit")


class StepInline(DraftOnly, admin.TabularInline):  # type: ignore[misc]
    model = ProcessStep
    extra = 0
    fields = ("position", "name", "actor", "role", "limit_days", "description")


@admin.register(ItemVersion)
class ItemVersionAdmin(DraftOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("item", "number", "name", "department", "status", "batch", "promised_limit_days", "max_visits")
    list_filter = ("status", "kind", "department")
    search_fields = ("item__code", "name")
    readonly_fields = ("number", "status", "batch", "published_at", "created_by", "created_at")
    inlines = [MaterialInline, FeeInline, SpecialProcedureInline, StepInline]
    actions = ["propose_selected"]
    autocomplete_fields = ("item",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return (*self.readonly_fields, "item")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ItemVersion, form: Any, change: bool) -> None:
        if not change:
            obj.number = services.next_version_number(obj.item)
            obj.created_by = request.user  # type: ignore[assignment]
            obj.status = ItemVersion.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.record_admin_edit(actor=request.user, version=form.instance, created=not change)  # type: ignore[arg-type]

    @admin.action(description=_("Propose the selected drafts for publication (a second admin approves)"))
    def propose_selected(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> HttpResponse | None:
        """Publishing takes two people: this opens the publication workbench with the drafts
        ticked, where the batch gets its name and note and is proposed for review."""
        if not can(request.user, Capability.PUBLISH_CATALOG):
            self.message_user(request, _("You may not propose publications."), messages.ERROR)
            return None
        ids = list(queryset.filter(status=ItemVersion.Status.DRAFT).values_list("pk", flat=True))
        if not ids:
            self.message_user(request, _("Choose at least one draft to publish."), messages.ERROR)
            return None
        return HttpResponseRedirect(f"{reverse('catalog:publications')}?{urlencode([('draft', i) for i in ids])}")


@admin.register(ServiceItem)
class ServiceItemAdmin(CatalogPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("code", "current", "parent", "sort_order")
    search_fields = ("code", "current__name")
    list_select_related = ("current", "parent")
    fields = ("code", "parent", "sort_order")
    actions = ["start_drafts"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    @admin.action(description=_("Start a new draft from the published version"))
    def start_drafts(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        started = 0
        for item in queryset:
            try:
                services.start_draft(actor=request.user, item=item)  # type: ignore[arg-type]
                started += 1
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.WARNING)
        if started:
            self.message_user(request, _("Started %(n)s draft(s).") % {"n": started})


@admin.register(PublicationBatch)
class PublicationBatchAdmin(CatalogPermissions, admin.ModelAdmin):  # type: ignore[misc]
    """Read-only list; proposals are reviewed on the publication workbench."""

    list_display = ("name", "status", "proposed_by", "published_by", "published_on", "review_link")
    list_filter = ("status",)
    list_select_related = ("proposed_by", "published_by")

    @admin.display(description=_("review"))
    def review_link(self, obj: PublicationBatch) -> str:
        return format_html('<a href="{}">{}</a>', reverse("catalog:publication", args=[obj.pk]), _("Open"))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BundleItemInline(CatalogPermissions, admin.TabularInline):  # type: ignore[misc]
    model = BundleItem
    extra = 0
    autocomplete_fields = ("item",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.EDIT_CATALOG)


@admin.register(Bundle)
class BundleAdmin(CatalogPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("code", "name", "audience", "is_published")
    inlines = [BundleItemInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.record_bundle_admin_edit(actor=request.user, bundle=form.instance, created=not change)  # type: ignore[arg-type]


@admin.register(SearchPhrase)
class SearchPhraseAdmin(CatalogPermissions, admin.ModelAdmin):  # type: ignore[misc]
    """The search dictionary. Saving and deleting go through the catalogue services, which put
    the change on the trail and make every process's search learn it at its next query."""

    list_display = ("phrase", "kind", "targets", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("phrase", "targets")
    fields = ("phrase", "kind", "targets", "note")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.EDIT_CATALOG)

    def save_model(self, request: HttpRequest, obj: SearchPhrase, form: Any, change: bool) -> None:
        saved = services.save_phrase(actor=request.user, phrase=obj.phrase, targets=obj.targets,  # type: ignore[arg-type]
                                     kind=obj.kind, note=obj.note, entry=obj if change else None)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: SearchPhrase) -> None:
        services.delete_phrase(actor=request.user, entry=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SearchPhrase]) -> None:
        for entry in queryset:
            services.delete_phrase(actor=request.user, entry=entry)  # type: ignore[arg-type]
