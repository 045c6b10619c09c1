from django.urls import path

from onetrip.ratings import views

app_name = "ratings"
urlpatterns = [
    path("ratings/", views.public, name="public"),
    path("ratings/r/<str:token>/", views.rate_by_link, name="rate"),
    path("ratings/pad/", views.pad, name="pad"),
    path("ratings/pad/enrol/", views.enrol_pad, name="enrol-pad"),
    path("cases/<str:number>/rating/", views.rate_case, name="rate-case"),
    path("staff/rectifications/", views.workbench, name="workbench"),
    path("staff/rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("staff/ratings/void-requests/", views.void_requests, name="void-requests"),
    path("staff/ratings/void-requests/<int:pk>/decide/", views.decide_void, name="decide-void"),
]
