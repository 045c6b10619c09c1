"""The intermediary marketplace (中介服务超市) in a browser, on the demo district, each page checked
with axe-core (no serious or critical violations): the public listing and a drawn purchase's record
on a phone (360 px, no sideways scroll), the marketplace admin publishing the waiting agency at its
workbench (1280 px), and the company's own page /agencies/mine/ (1280 px). Screenshots go to
var/screenshots/agencies-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import log_in, serious_violations

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"agencies-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _drawn():
    from onetrip.agencies.models import Purchase

    return Purchase.objects.filter(owner__username="13907360003", method="random", state="selected").get()


def test_the_listing_and_a_drawn_purchase_on_a_phone(phone):
    page = phone
    page.goto("/agencies/")
    text = page.locator("main").inner_text()
    assert "常德市鼎城区沅澧环境评价咨询有限公司（演示）" in text and "房产测绘" in text
    assert "湖南善卷工程技术咨询有限公司（演示）" not in text  # submitted, not yet published
    assert no_horizontal_scroll(page) and serious_violations(page) == []
    shot(page, "listing-360")
    p = _drawn()
    page.goto(f"/agencies/p/{p.number}/")
    text = page.locator("main").inner_text()
    assert p.seed in text and p.seed_hash in text and p.winner.name in text
    for code in p.candidates:
        assert code in text
    shot(page, "purchase-360")
    wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right
        > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert no_horizontal_scroll(page), wide
    assert serious_violations(page) == []


def test_the_admin_publishes_the_waiting_agency(browser, live_server, demo):
    from onetrip.agencies.models import Agency

    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "shengaiban")
    page.goto("/staff/agencies/")
    waiting = Agency.objects.get(state="submitted")
    card = page.locator("article", has_text=waiting.name)
    assert card.count() == 1 and "施工图审查" in card.inner_text()
    assert serious_violations(page) == []
    shot(page, "review-1280")
    card.locator("button[value=publish]").click()
    page.wait_for_selector(".messages")
    waiting.refresh_from_db()
    assert waiting.state == "published"
    assert "湖南善卷工程技术咨询有限公司（演示）" in page.locator("#listed-h + .table-wrap table").inner_text()
    assert serious_violations(page) == []
    shot(page, "review-published-1280")
    context.close()


def test_the_company_sees_its_purchases(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "13907360003")
    page.goto("/agencies/mine/")
    text = page.locator("main").inner_text()
    for project in ("示例餐饮中央厨房建设项目环境影响报告表编制", "示例餐饮中央厨房建设项目岩土工程勘察",
                    "示例餐饮综合楼房产测绘（不动产首次登记用）"):
        assert project in text
    assert serious_violations(page) == []
    shot(page, "mine-1280")
    context.close()
