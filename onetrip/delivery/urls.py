from django.urls import path

from onetrip.delivery import views

app_name = "delivery"
urlpatterns = [
    path("cases/<str:number>/delivery/", views.choose, name="choose"),
    path("applications/<int:pk>/delivery/", views.choose_for_application, name="choose-apply"),
    path("staff/post/", views.queue, name="queue"),
    path("staff/post/<int:pk>/", views.shipment, name="shipment"),
]
