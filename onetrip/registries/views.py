"""The company representative's page: verified through the company registry (their ID is the legal
representative's, or the legal representative confirms them by a code sent to their mobile)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onetrip.accounts.models import CompanyStatus, Role, User
from onetrip.accounts.permissions import Capability, require
from onetrip.core.identity import mask_mobile
from onetrip.core.ratelimit import client_address
from onetrip.registries import services
from onetrip.registries.models import DelegationConfirmation


@require(Capability.APPLY)
def representative(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    errors: list[str] = []
    is_rep = user.role == Role.COMPANY_REP and user.company_id is not None
    if request.method == "POST" and is_rep:
        try:
            if "check_id" in request.POST:
                services.verify_by_registry(actor=user)
                messages.success(request, _("Verified: the company registry names you as the legal representative."))
                return redirect("registries:representative")
            if "send_code" in request.POST:
                c = services.send_delegation_code(actor=user, client=client_address(request))
                messages.success(request, _("A code was sent to the legal representative's mobile %(m)s. Ask them "
                                            "for it and enter it below.") % {"m": mask_mobile(c.mobile)})
                return redirect("registries:representative")
            if "confirm" in request.POST:
                pending = _pending(user)
                services.confirm_delegation(actor=user, confirmation_id=pending.pk if pending else 0,
                                            code=request.POST.get("code", ""))
                messages.success(request, _("Verified: the legal representative confirmed that you act for the "
                                            "company."))
                return redirect("registries:representative")
        except ValidationError as exc:
            errors = exc.messages
        user.refresh_from_db()
    pending = _pending(user) if is_rep else None
    return render(request, "registries/representative.html", {
        "is_rep": is_rep, "verified": user.company_status == CompanyStatus.VERIFIED, "errors": errors,
        "pending": pending, "pending_mobile": mask_mobile(pending.mobile) if pending else "",
    }, status=400 if errors else 200)


def _pending(user: User) -> DelegationConfirmation | None:
    from django.utils import timezone

    return (DelegationConfirmation.objects.filter(representative=user, confirmed_at__isnull=True,
                                                  expires_at__gt=timezone.now()).order_by("-created_at").first())
