from django.urls import path

from onetrip.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/cases/", views.drill_down, name="cases"),
    path("performance/", views.performance, name="performance"),
    path("reports/monthly/", views.monthly, name="monthly"),
    path("reports/monthly/<int:pk>.<str:kind>", views.monthly_file, name="monthly-file"),
]
