"""The 12345 hotline in a browser, each page checked with axe-core (no serious or critical
violations): the operator takes a call at the desk (1280 px) and dispatches it; the department
acknowledges and replies from its list, on a tablet and on a phone (360 px, no sideways scroll).
Screenshots go to var/screenshots/hotline-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import log_in, log_out, serious_violations

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hotline-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_call_taken_at_the_desk_and_answered_by_the_department(browser, live_server, demo):
    from onetrip.accounts.models import Department
    from onetrip.hotline.models import Ticket

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="zh-CN")
    page = desk.new_page()
    log_in(page, "rexian")
    page.goto("/hotline/")
    assert serious_violations(page) == []
    page.locator("#n-kind").select_option("complaint")
    page.fill("#n-caller_name", "李秀英")
    page.fill("#n-caller_mobile", "13907361234")
    page.fill("#n-text", "武陵大道菜市场旁的烧烤摊每天晚上油烟很大，噪音到凌晨两点。")
    page.fill("#n-location", "武陵镇武陵大道菜市场")
    page.locator("form:has(#n-kind) button[type=submit]").click()
    page.wait_for_url("**/hotline/t/**")
    t = Ticket.objects.get(caller_mobile="13907361234")
    scjg = Department.objects.get(code="SCJGJ")
    page.locator("#dispatch-department").select_option(str(scjg.pk))
    assert serious_violations(page) == []
    shot(page, "ticket-1280")
    page.locator("form:has(input[value=dispatch]) button[type=submit]").click()
    page.wait_for_selector(".messages")
    page.goto("/hotline/")
    assert t.number in page.locator("main").inner_text()
    shot(page, "desk-1280")
    log_out(page)
    desk.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="zh-CN")
    page = phone.new_page()
    log_in(page, "scjg.officer")
    page.goto("/staff/hotline/")
    assert t.number in page.locator("main").inner_text() and no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(page, "department-360")
    page.get_by_role("link", name=t.number).click()
    assert "李秀英" not in page.locator("main").inner_text() and "李**" in page.locator("main").inner_text()
    page.locator("form:has(input[value=acknowledge]) button[type=submit]").click()
    page.wait_for_selector(".messages")
    page.fill("#reply-answer", "已责令摊主安装油烟净化器，晚十点后停止经营。")
    assert no_horizontal_scroll(page) and serious_violations(page) == []
    shot(page, "ticket-360")
    page.locator("form:has(input[value=reply]) button[type=submit]").click()
    page.wait_for_selector(".messages")
    t.refresh_from_db()
    assert t.state == "replied"
    log_out(page)
    page.goto("/hotline/follow/")  # the caller follows it, signed out, on the phone
    page.fill("#f-number", t.number)
    page.fill("#f-mobile", "13907361234")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#res")
    assert "油烟净化器" in page.locator("main").inner_text() and no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(page, "follow-360")
    phone.close()
