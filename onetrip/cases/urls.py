from django.urls import path

from onetrip.cases import views

app_name = "cases"
urlpatterns = [
    path("items/<str:code>/apply/", views.start, name="start"),
    path("bundles/<str:code>/apply/", views.start, {"bundle": True}, name="start-bundle"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("my/cases/", views.mine, name="mine"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/notices/<int:pk>/", views.notice, name="notice"),
    path("cases/<str:number>/materials/<int:pk>/", views.material, name="material"),
    path("cases/<str:number>/documents/notice-<int:pk>.pdf", views.document, {"kind": "notice"}, name="notice-pdf"),
    path("cases/<str:number>/documents/<str:kind>.pdf", views.document, name="document"),
    path("staff/inbox/", views.inbox, name="inbox"),
    path("staff/results/", views.results, name="results"),
    path("progress/", views.progress, name="progress"),
]
