from django.contrib import admin
from django.urls import include, path

from onetrip.api.api import api
from onetrip.core import views as core_views

admin.site.site_header = "一次办 OneTrip"
admin.site.site_title = "一次办 OneTrip"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("prefs/large-text", core_views.toggle_large_text, name="large-text"),
    path("prefs/language/<str:code>", core_views.set_language, name="set-language"),
    path("trail/checkpoints/", core_views.trail_checkpoints, name="trail-checkpoints"),
    path("trail/checkpoints.jsonl", core_views.trail_checkpoints_file, name="trail-checkpoints-file"),
    path("trail/public-key.pem", core_views.trail_public_key, name="trail-public-key"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/", include("onetrip.api.open311")),
    path("accounts/", include("onetrip.accounts.urls")),
    path("", include("onetrip.cases.urls")),
    path("", include("onetrip.supervision.urls")),
    path("", include("onetrip.reports.urls")),
    path("", include("onetrip.hall.urls")),
    path("", include("onetrip.registries.urls")),
    path("", include("onetrip.payments.urls")),
    path("", include("onetrip.delivery.urls")),
    path("", include("onetrip.licenses.urls")),
    path("", include("onetrip.ratings.urls")),
    path("", include("onetrip.hotline.urls")),
    path("", include("onetrip.knowledge.urls")),
    path("", include("onetrip.catalog.urls")),
]

handler404 = "onetrip.catalog.views.not_found"
handler400 = "onetrip.core.views.bad_request"
handler403 = "onetrip.core.views.permission_denied"
handler500 = "onetrip.core.views.server_error"
