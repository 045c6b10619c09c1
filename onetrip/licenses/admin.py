from django.contrib import admin

from onetrip.licenses.models import LicenceType


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    """Which items produce which licence: catalogue work (licences themselves change only through
    the services, on the issuing department's pages)."""

    list_display = ("code", "name", "validity_years")
    filter_horizontal = ("items",)
    search_fields = ("code", "name")
