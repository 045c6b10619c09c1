from django.urls import path

from onetrip.licenses import views

app_name = "licenses"
urlpatterns = [
    path("verify/root.pem", views.root_certificate, name="root"),
    path("verify/<str:key>/", views.verify, name="verify"),
    path("tsa", views.tsa, name="tsa"),
    path("my/licences/", views.mine, name="mine"),
    path("licences/<int:pk>/download.pdf", views.download, name="download"),
    path("staff/licences/", views.department, name="department"),
    path("staff/licences/<int:pk>/", views.manage, name="manage"),
]
