"""The hall in a real browser: a visitor takes a ticket at the kiosk (phone-sized), a clerk sits
at a window and calls it from the desk, the calling screen (polling its feed, no reload) shows
the call and announces it in its live region, and the ticket's page tells the holder where to go.
The kiosk, the ticket page and the calling screen are checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import enrol_kiosk, serious_violations

pytestmark = pytest.mark.browser

PASSWORD = "OneTrip-demo-2026"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_kiosk_ticket_is_called_and_shown_on_the_calling_screen(phone, browser, live_server):
    kiosk = phone
    enrol_kiosk(kiosk)
    kiosk.goto("/hall/kiosk/")
    assert serious_violations(kiosk) == []
    assert fits(kiosk)
    kiosk.get_by_role("button", name=re.compile("企业开办")).click()
    kiosk.wait_for_url("**/hall/tickets/**")
    assert kiosk.locator(".ticket-number").inner_text().endswith("B001")
    assert "下一位就是您" in kiosk.locator("#ticket-sentence").inner_text()
    assert serious_violations(kiosk) == []

    tv = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=live_server.url, locale="zh-CN")
    screen = tv.new_page()
    errors: list[str] = []
    screen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    screen.goto("/hall/screen/")
    assert "请等候叫号" in screen.locator("#now").inner_text()
    assert serious_violations(screen) == []
    first_url = screen.url

    desk_context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    desk = desk_context.new_page()
    desk.goto("/accounts/login/")
    desk.fill("#id_username", "chuangkou")
    desk.fill("#id_password", PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url("**/accounts/me/")
    desk.goto("/hall/desk/")
    desk.select_option("#window", label="4号窗口 · 企业开办")
    desk.get_by_role("button", name="登录此窗口").click()
    desk.get_by_role("button", name="叫下一号").click()
    assert desk.locator(".desk-number").inner_text() == "B001"
    assert serious_violations(desk) == []

    # the screen updates by itself (its script polls the feed) and announces the call
    expect(screen.locator("#now")).to_contain_text("B001", timeout=10000)
    assert "4号窗口" in screen.locator("#now").inner_text()
    assert screen.locator("#announce").inner_text() == "请B001号到4号窗口办理"
    assert screen.locator("#calls tr").first.inner_text().startswith("B001")
    assert screen.url == first_url  # no reload
    assert errors == []  # nothing refused by the content security policy
    assert serious_violations(screen) == []
    screen.set_viewport_size({"width": 360, "height": 740})
    assert fits(screen)

    # the holder's page follows without a reload
    expect(kiosk.locator("#ticket-sentence")).to_contain_text("4号窗口", timeout=15000)
    desk.get_by_role("button", name="开始办理").click()
    desk.get_by_role("button", name="办结").click()
    assert "本功能区有0人等候" in desk.locator("main").inner_text()
    tv.close()
    desk_context.close()
