"""The Content-Security-Policy breaks no page: a real browser reports no blocked script, style or
image on the public pages, a staff workbench, the admin's log-in and the API docs (Swagger UI)."""

from __future__ import annotations

from typing import Any

import pytest

PAGES = ["/", "/items/", "/bundles/", "/accounts/login/", "/accounts/register/", "/progress/", "/admin/login/"]


def blocked(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy blocked ' + e.violatedDirective + ' ' + e.blockedURI))")
    return messages


@pytest.mark.django_db(transaction=True)
def test_pages_and_the_api_docs_load_with_nothing_blocked(phone):
    messages = blocked(phone)
    for path in PAGES:
        response = phone.goto(path)
        assert response.status == 200, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert phone.locator("link[rel=stylesheet]").count() >= 1, path
    # the site's stylesheet applied (a blocked one would leave the browser's default font colour)
    phone.goto("/")
    assert phone.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != "rgba(0, 0, 0, 0)"
    phone.goto("/api/docs")
    phone.wait_for_selector(".opblock", timeout=15000)  # Swagger UI ran and drew the operations
    assert phone.locator(".opblock").count() >= 20
    phone.locator(".opblock-summary").first.click()  # open one: parameters, responses, examples
    phone.wait_for_selector(".opblock-body .responses-wrapper", timeout=15000)
    phone.locator(".try-out__btn").first.click()
    phone.locator(".opblock-control__btn.execute").first.click()
    phone.wait_for_selector(".live-responses-table", timeout=15000)  # called the API from the page
    assert not messages, messages


@pytest.mark.django_db(transaction=True)
def test_an_inline_script_would_be_blocked(phone):
    messages = blocked(phone)
    phone.goto("/")
    phone.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                              document.body.appendChild(s); }""")
    assert phone.evaluate("window.pwned") is None
    assert any("script-src" in m for m in messages), messages
