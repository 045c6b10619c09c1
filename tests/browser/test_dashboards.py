"""The reform dashboards in a browser, each page checked with axe-core (no serious or critical
violations): the supervisor's metrics with their charts drawn by the locally served ECharts and
the tables that say the same in text, the hall windows' figures, the supervision desk, the kept
monthly reports; a department head's own figures; the public performance page on a phone."""

from __future__ import annotations

import pytest

from .conftest import log_in, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def history(demo):
    from onetrip.demo.history import load_history

    assert load_history() > 100  # four months of finished cases, rolled up, last months' reports


def _charts_drawn(page) -> int:
    """How many chart containers ECharts drew into (an SVG with the chart's paths inside each)."""
    page.wait_for_selector("[data-chart] svg path", state="attached")
    return page.locator("[data-chart]:has(svg path)").count()


def test_the_supervisors_dashboards_on_a_desktop(browser, live_server, history):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "jiancha")
    page.goto("/reports/")
    assert _charts_drawn(page) == 2  # month by month, and departments
    tables = page.locator("main table")
    assert tables.count() == 3  # the metrics, the departments, the windows
    assert "87.9" in tables.nth(0).inner_text()  # Zhejiang 2017's reference for at most one trip
    assert page.locator("main table").nth(2).locator("tbody tr").count() >= 2
    assert serious_violations(page) == []
    page.locator("main table").nth(1).locator("tbody a").first.click()  # one department
    page.wait_for_url("**department=*")
    assert page.locator("main table").count() == 1 and _charts_drawn(page) == 1
    page.goto("/reports/monthly/")
    assert page.locator("main a[href$='.pdf']").count() >= 2
    assert serious_violations(page) == []
    page.goto("/supervision/")
    assert page.locator("main table").count() >= 1
    assert serious_violations(page) == []
    assert errors == []
    context.close()


def test_a_department_head_sees_their_own_figures(browser, live_server, history):
    from onetrip.accounts.models import User

    head = User.objects.select_related("department").get(username="scjg.head")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "scjg.head")
    page.goto("/reports/")
    assert head.department.name in page.locator("h1").inner_text()
    assert page.locator("#r-dept").count() == 0  # no choosing another department
    assert serious_violations(page) == []
    context.close()


def test_the_public_performance_page_on_a_phone(phone, history):
    page = phone
    page.goto("/performance/")
    assert _charts_drawn(page) >= 1
    assert page.locator("main table").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert serious_violations(page) == []
