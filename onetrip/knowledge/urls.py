from django.urls import path

from onetrip.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("knowledge/", views.public, name="public"),
    path("knowledge/<int:pk>/", views.article, name="article"),
    path("knowledge/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("staff/knowledge/", views.workbench, name="workbench"),
    path("staff/knowledge/new/", views.new, name="new"),
    path("staff/knowledge/suggest/", views.suggest, name="suggest"),
    path("staff/knowledge/<int:pk>/", views.staff_article, name="staff-article"),
]
