from django.urls import path

from onetrip.registries import views

app_name = "registries"

urlpatterns = [
    path("registries/representative/", views.representative, name="representative"),
]
