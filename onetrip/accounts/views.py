from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts import selectors, services
from onetrip.accounts.forms import CompanyRegisterForm, RegisterForm
from onetrip.accounts.permissions import Capability, capabilities_of, require


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
