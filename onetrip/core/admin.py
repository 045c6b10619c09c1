"""The operator's view of the background jobs: when each last ran, what it did, its last error.
Read-only; system admins (superusers) see it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onetrip.core.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "status", "count", "started_at", "finished_at", "next_run_at", "runs", "failures")
    list_filter = ("status",)
    search_fields = ("name",)
    readonly_fields = ("name", "status", "count", "result", "error", "started_at", "finished_at", "next_run_at",
                       "runs", "failures")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
