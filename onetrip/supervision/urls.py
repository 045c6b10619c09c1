from django.urls import path

from onetrip.supervision import views

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.dashboard, name="dashboard"),
    path("supervision/cards/<int:pk>/decide/", views.decide, name="decide"),
    path("supervision/orders/", views.order, name="order"),
    path("supervision/orders/<int:pk>/close/", views.close, name="close"),
    path("supervision/trail-check/", views.trail_check, name="trail-check"),
    path("staff/supervision/", views.department, name="department"),
    path("staff/supervision/cards/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("staff/supervision/orders/<int:pk>/reply/", views.reply, name="reply"),
]
