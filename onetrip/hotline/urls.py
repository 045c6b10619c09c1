from django.urls import path

from onetrip.hotline import views

app_name = "hotline"
urlpatterns = [
    path("hotline/", views.desk, name="desk"),
    path("hotline/follow/", views.follow, name="follow"),
    path("hotline/new/", views.submit, name="new"),
    path("hotline/chat/<str:channel>/", views.chat_webhook, name="chat"),
    path("hotline/t/<str:number>/", views.ticket, name="ticket"),
    path("staff/hotline/", views.department, name="department"),
]
