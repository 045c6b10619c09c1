from django.urls import path

from onetrip.supervision import views

app_name = "supervision"
urlpatterns = [path("supervision/", views.dashboard, name="dashboard")]
