from django.urls import path

from onetrip.payments import views

app_name = "payments"
urlpatterns = [
    path("cases/<str:number>/bills/<str:reference>/", views.pay, name="pay"),
    path("cases/<str:number>/bills/<str:reference>/receipt.pdf", views.receipt, name="receipt"),
    path("payments/sandbox/<str:reference>/", views.sandbox_bank, name="sandbox-bank"),
]
