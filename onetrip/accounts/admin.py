from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Company, Department, Division, User
from onetrip.accounts.permissions import Capability, can


class PeoplePermissions:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_PEOPLE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_PEOPLE) or (
            can(request.user, Capability.ADMIN_SITE) and self.__class__ is DepartmentAdmin
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Capability.MANAGE_PEOPLE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Capability.MANAGE_PEOPLE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Division)
class DivisionAdmin(PeoplePermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("code", "name", "level", "parent")


@admin.register(Department)
class DepartmentAdmin(PeoplePermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("code", "name", "uscc", "phone")
    search_fields = ("code", "name")


@admin.register(Company)
class CompanyAdmin(PeoplePermissions, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "uscc", "legal_representative")
    search_fields = ("name", "uscc")


@admin.register(User)
class UserAdmin(PeoplePermissions, BaseUserAdmin):  # type: ignore[misc]
    list_display = ("username", "real_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "real_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("OneTrip"), {"fields": ("role", "real_name", "mobile", "resident_id", "department", "division", "company")}),
        (_("Company verification"), {"fields": ("company_status", "company_checked_by", "company_checked_at",
                                                "company_check_note")}),
    )
    # Verification is a window clerk's decision on the trail, not an admin edit.
    readonly_fields = ("company_status", "company_checked_by", "company_checked_at", "company_check_note")
