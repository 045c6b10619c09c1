"""Hall configuration pages (审改办 and system admins, MANAGE_HALL): the hall with its opening
hours and appointment rules, its areas with their items, and the windows. Each save goes
through ``services.save_config`` (checked, on the trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onetrip.accounts.permissions import Capability, can
from onetrip.hall import services
from onetrip.hall.models import Area, Hall, Kiosk, Window


class HallPermissions:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_HALL)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_HALL)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Capability.MANAGE_HALL)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_HALL)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tickets and appointments point at them: take a window out of use instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_config(actor=request.user, obj=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


class WindowInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Window
    extra = 0
    fields = ("number", "active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Hall)
class HallAdmin(HallPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "opens_at", "lunch_from", "lunch_until", "closes_at", "slot_minutes")


@admin.register(Area)
class AreaAdmin(HallPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "prefix", "hall", "priority_allowed", "slot_capacity", "sort_order")
    filter_horizontal = ("items",)
    inlines = [WindowInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.save_config(actor=request.user, obj=form.instance, changed=["items", "windows"])  # type: ignore[arg-type]


@admin.register(Window)
class WindowAdmin(HallPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("number", "area", "active")
    list_filter = ("area",)


@admin.register(Kiosk)
class KioskAdmin(HallPermissions, admin.ModelAdmin):  # type: ignore[misc]
    """Kiosks are enrolled on the kiosk itself (/hall/kiosk/enrol/); here one is taken out of use."""

    list_display = ("name", "hall", "active", "enrolled_at", "enrolled_by")
    fields = ("name", "active")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False
