from django.urls import path

from onetrip.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/cases/", views.drill_down, name="cases"),
    path("performance/", views.performance, name="performance"),
]
