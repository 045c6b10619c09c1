"""Calendar admin pages (审改办): the loaded years are read-only (a year is loaded as a whole
with ``manage.py calendar_load``); single days of a loaded year can be corrected here.
Every write goes through ``workcalendar.services``, which records it on the trail and drops the
working-day cache after commit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from onetrip.accounts.permissions import Capability, can
from onetrip.workcalendar import services
from onetrip.workcalendar.models import CalendarYear, Holiday


class CalendarPermissions:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_CALENDAR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_CALENDAR)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Capability.MANAGE_CALENDAR)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_CALENDAR)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_CALENDAR)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarPermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("year", "source_note", "loaded_by", "loaded_at", "updated_at")
    readonly_fields = ("year", "source_note", "loaded_by", "loaded_at", "updated_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HolidayForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Holiday
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("kind") and data.get("name"):
            services.check_holiday_edit(day=data["date"], kind=data["kind"], name=data["name"])
        return data


@admin.register(Holiday)
class HolidayAdmin(CalendarPermissions, admin.ModelAdmin):  # type: ignore[misc]
    form = HolidayForm
    list_display = ("date", "kind", "name", "year")
    list_filter = ("year", "kind")
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("year", "updated_at")

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        services.save_holiday(actor=request.user, holiday=obj)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        services.delete_holiday(actor=request.user, holiday=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        for obj in queryset:
            services.delete_holiday(actor=request.user, holiday=obj)
