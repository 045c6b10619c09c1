"""A citizen on a phone: home, search, a guide and its print view, language and large text,
each page checked with axe-core (no serious or critical violations)."""

from __future__ import annotations

import pytest

from .conftest import serious_violations

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_search_and_guide_on_a_phone(phone):
    page = phone
    page.goto("/")
    assert page.locator("h1").inner_text()
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)

    page.fill("#q", "yyzz")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/?q=yyzz")
    first = page.locator(".results .result h2 a").first
    assert "营业执照" in first.inner_text() or page.locator(".results mark").count() > 0
    assert page.locator(".results mark").count() > 0
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)

    page.fill("#q", "结婚登记")
    page.keyboard.press("Enter")
    page.locator(".results .result h2 a").first.click()
    page.wait_for_selector("h1")
    assert "结婚登记" in page.locator("h1").inner_text()
    assert page.locator("#g-materials").is_visible()
    assert page.locator(".qr svg").count() == 1
    assert serious_violations(page) == []

    page.get_by_role("link", name="打印").first.click()
    page.wait_for_selector(".print-view")
    assert page.locator(".print-head .qr svg").count() == 1
    assert serious_violations(page) == []


def test_language_switch_and_large_text(phone):
    page = phone
    page.goto("/items/")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert "All services" in page.locator("h1").inner_text()
    assert serious_violations(page) == []
    base_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="Large text").click()
    page.wait_for_selector("html.large-text")
    large_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large_size >= base_size * 1.2
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="中文").click()
    page.wait_for_selector("html[lang=zh-Hans]")


def test_the_skip_link_is_the_first_stop_for_the_keyboard(phone):
    page = phone
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_bundle_guide_and_register_page(phone):
    page = phone
    page.goto("/bundles/")
    page.locator(".tiles a").first.click()
    page.wait_for_selector("#b-materials")
    assert serious_violations(page) == []
    page.goto("/accounts/register/")
    assert serious_violations(page) == []
    page.fill("#id_real_name", "张测试")
    page.fill("#id_mobile", "13907369999")
    page.fill("#id_resident_id", "430703199001011230")
    page.fill("#id_password", "Correct-Horse-2026")
    page.fill("#id_password2", "Correct-Horse-2026")
    page.get_by_role("button", name="注册").click()
    assert page.locator(".error").count() >= 1  # wrong check digit is explained
    assert serious_violations(page) == []
