from django.urls import path

from onetrip.hall import views

app_name = "hall"

urlpatterns = [
    path("hall/", views.take, name="take"),
    path("hall/kiosk/", views.take, {"kiosk": True}, name="kiosk"),
    path("hall/kiosk/enrol/", views.enrol_kiosk, name="enrol_kiosk"),
    path("hall/tickets/<str:token>/", views.ticket, name="ticket"),
    path("hall/screen/", views.screen, name="screen"),
    path("hall/desk/", views.desk, name="desk"),
    path("hall/overview/", views.overview, name="overview"),
    path("hall/book/", views.book, name="book"),
    path("hall/appointments/", views.appointments, name="appointments"),
]
