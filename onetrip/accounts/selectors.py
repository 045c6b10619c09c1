"""Reads about people and companies."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onetrip.accounts.models import CompanyStatus, Role, User


def may_apply_for_company(user: Any) -> bool:
    """Only a representative a window clerk has confirmed (or an administrator created) may
    apply in a company's name: its USCC is public, so knowing it proves nothing."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.COMPANY_REP
        and user.company_id is not None
        and user.company_status == CompanyStatus.VERIFIED
    )


def representatives_awaiting_verification() -> QuerySet[User]:
    return (User.objects.filter(role=Role.COMPANY_REP, company_status=CompanyStatus.PENDING, is_active=True)
            .select_related("company").order_by("date_joined", "pk"))
