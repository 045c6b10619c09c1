from django.contrib.auth import views as auth_views
from django.urls import path

from onetrip.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/company/", views.register, {"company": True}, name="register-company"),
    path("me/", views.me, name="me"),
    path("password-reset/", views.request_code, {"purpose": "reset"}, name="reset"),
    path("password-reset/code/", views.enter_code, {"purpose": "reset"}, name="reset-code"),
    path("unlock/", views.request_code, {"purpose": "unlock"}, name="unlock"),
    path("unlock/code/", views.enter_code, {"purpose": "unlock"}, name="unlock-code"),
    path("company-representatives/", views.company_representatives, name="company-reps"),
    path("company-representatives/<int:user_id>/confirm/", views.decide_company_representative,
         {"decision": "confirm"}, name="company-rep-confirm"),
    path("company-representatives/<int:user_id>/reject/", views.decide_company_representative,
         {"decision": "reject"}, name="company-rep-reject"),
]
