"""Who may see what: every role against every kind of page and endpoint."""

import pytest

from onetrip.accounts.models import Role
from onetrip.accounts.permissions import POLICY, Capability, can

from .conftest import make_user

ROLES = [None, *Role.values]  # None = anonymous visitor

# page → expected status for: anonymous, citizen, company_rep, proxy_agent, window_clerk, officer,
# department_head, supervisor, catalog_admin, system_admin, hotline_operator
MATRIX = {
    "/": [200] * 11,
    "/items/": [200] * 11,
    "/bundles/": [200] * 11,
    "/accounts/me/": [302] + [200] * 10,
    "/manage/catalogue/export.xlsx": [302, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403],
    "/manage/catalogue/import/": [302, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403],
    "/admin/": [302, 302, 302, 302, 302, 302, 302, 302, 200, 200, 302],
    "/admin/catalog/itemversion/": [302, 302, 302, 302, 302, 302, 302, 302, 200, 200, 302],
    "/admin/workcalendar/holiday/": [302, 302, 302, 302, 302, 302, 302, 302, 200, 200, 302],
    "/admin/accounts/user/": [302, 302, 302, 302, 302, 302, 302, 302, 403, 200, 302],
    "/api/v1/items": [200] * 11,
    "/api/v1/me": [401] + [200] * 10,
    "/accounts/company-representatives/": [302, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/staff/results/": [302, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403],
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(MATRIX))
def test_role_page_matrix(client, department, path):
    for role, expected in zip(ROLES, MATRIX[path], strict=True):
        client.logout()
        if role is not None:
            client.force_login(make_user(role, department))
        status = client.get(path).status_code
        assert status == expected, f"{role or 'anonymous'} on {path}: got {status}, expected {expected}"


CAPABILITIES = {
    Capability.APPLY: {Role.CITIZEN, Role.COMPANY_REP},
    Capability.APPLY_AS_PROXY: {Role.PROXY_AGENT},
    Capability.VIEW_PERSONAL_DATA: {Role.WINDOW_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR},
    Capability.SUPERVISE: {Role.SUPERVISOR, Role.SYSTEM_ADMIN},
    Capability.EDIT_CATALOG: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
    Capability.PUBLISH_CATALOG: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
    Capability.MANAGE_CALENDAR: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
    Capability.MANAGE_PEOPLE: {Role.SYSTEM_ADMIN},
    Capability.VERIFY_COMPANY_REPS: {Role.WINDOW_CLERK},
    Capability.HAND_OUT_RESULTS: {Role.WINDOW_CLERK},
    Capability.CALL_TICKETS: {Role.WINDOW_CLERK},
    Capability.MANAGE_HALL: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
    Capability.WORK_HOTLINE: {Role.HOTLINE_OPERATOR},
    Capability.MANAGE_MARKETPLACE: {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN},
    Capability.HANDLE_HOTLINE: {Role.OFFICER, Role.DEPARTMENT_HEAD},
}


@pytest.mark.parametrize("capability", list(CAPABILITIES))
def test_capability_table(capability):
    holders = {role for role in Role.values if capability in POLICY[role]}
    assert holders == {str(r) for r in CAPABILITIES[capability]}
    assert capability not in POLICY[None]


def test_anonymous_visitors_may_only_browse():
    assert POLICY[None] == frozenset()


@pytest.mark.django_db
def test_a_deactivated_account_has_no_capabilities(department):
    admin = make_user(Role.CATALOG_ADMIN)
    admin.is_active = False
    assert not can(admin, Capability.EDIT_CATALOG)


def test_every_capability_is_consulted_somewhere():
    """A capability in the table that no view, endpoint, admin or template asks for is a promise
    nobody keeps: use it or remove it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "onetrip"
    sources = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*")
                        if p.suffix in {".py", ".html"} and p.name != "permissions.py")
    unused = [c.name for c in Capability if f"Capability.{c.name}" not in sources and f'"{c.value}" in caps' not in sources]
    assert unused == []
