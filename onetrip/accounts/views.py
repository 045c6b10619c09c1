from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts import selectors, services
from onetrip.accounts.forms import CodeForm, CompanyRegisterForm, MobileForm, RegisterForm, ResetPasswordForm
from onetrip.accounts.models import SmsCode
from onetrip.accounts.permissions import Capability, capabilities_of, require
from onetrip.core.identity import mask_mobile, normalize_mobile
from onetrip.core.ratelimit import client_address


def register(request: HttpRequest, company: bool = False) -> HttpResponse:
    form = (CompanyRegisterForm if company else RegisterForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = {k: data[k] for k in ("real_name", "mobile", "resident_id", "password")}
        try:
            if company:
                user = services.register_company_representative(
                    **person, uscc=data["uscc"], company_name=data["company_name"],
                    legal_representative=data["legal_representative"])
            else:
                user = services.register_citizen(**person)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.real_name})
            return redirect("accounts:me")
    return render(request, "accounts/register.html", {"form": form, "company": company})


@require(Capability.VIEW_OWN_PROFILE)
def me(request: HttpRequest) -> HttpResponse:
    caps = sorted(str(c) for c in capabilities_of(request.user))
    return render(request, "accounts/me.html", {"capabilities": caps})


@require(Capability.VERIFY_COMPANY_REPS)
def company_representatives(request: HttpRequest) -> HttpResponse:
    """The window clerk's list of self-registered company representatives to check."""
    return render(request, "accounts/company_reps.html",
                  {"pending": selectors.representatives_awaiting_verification()[:200]})


@require_POST
@require(Capability.VERIFY_COMPANY_REPS)
def decide_company_representative(request: HttpRequest, user_id: int, decision: str) -> HttpResponse:
    try:
        if decision == "confirm":
            user = services.confirm_company_representative(actor=request.user, user_id=user_id)  # type: ignore[arg-type]
            messages.success(request, _("%(name)s may now apply for %(company)s.")
                             % {"name": user.real_name, "company": user.company})
        else:
            user = services.reject_company_representative(actor=request.user, user_id=user_id,  # type: ignore[arg-type]
                                                          reason=request.POST.get("reason", ""))
            messages.success(request, _("%(name)s was not confirmed as representative of %(company)s.")
                             % {"name": user.real_name, "company": user.company})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("accounts:company-reps")


# --- codes by SMS: reset a forgotten password, unlock a locked account ----------------------

_SESSION_MOBILE = "sms_code_mobile_%s"


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def request_code(request: HttpRequest, purpose: str) -> HttpResponse:
    """Step 1: the mobile number. Registered or not, the answer is the same."""
    form = MobileForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.send_sms_code(mobile=form.cleaned_data["mobile"], purpose=purpose,
                                   client=client_address(request))
        except ValidationError as exc:
            _add_errors(form, exc)
        except services.TooManyCodes:
            form.add_error("mobile", _("Too many codes were asked for this number or from this address. "
                                       "Try again in an hour, or ask at any comprehensive window."))
            status = 429
        else:
            request.session[_SESSION_MOBILE % purpose] = normalize_mobile(form.cleaned_data["mobile"])
            return redirect(f"accounts:{purpose}-code")
    return render(request, "accounts/sms_start.html", {"form": form, "purpose": purpose}, status=status)


def enter_code(request: HttpRequest, purpose: str) -> HttpResponse:
    """Step 2: the code (and, to reset, the new password)."""
    mobile = request.session.get(_SESSION_MOBILE % purpose)
    if not mobile:
        return redirect(f"accounts:{purpose}")
    form: CodeForm = (ResetPasswordForm if purpose == SmsCode.Purpose.RESET else CodeForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if purpose == SmsCode.Purpose.RESET:
                services.reset_password_with_code(mobile=mobile, code=data["code"], password=data["password"])
            else:
                services.unlock_with_code(mobile=mobile, code=data["code"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            del request.session[_SESSION_MOBILE % purpose]
            if purpose == SmsCode.Purpose.RESET:
                messages.success(request, _("Your password has been changed. Log in with the new password."))
            else:
                messages.success(request, _("Your account is unlocked. Log in again."))
            return redirect("accounts:login")
    return render(request, "accounts/sms_code.html",
                  {"form": form, "purpose": purpose, "mobile_masked": mask_mobile(mobile)})
