"""The whole journey in a real browser: a citizen applies online, the window issues a one-time
notice, the citizen supplements, the back office takes it to approval, and the citizen follows
it on the case page and by public lookup. Each page is checked with axe-core."""

from __future__ import annotations

import pytest

from .conftest import serious_violations

pytestmark = pytest.mark.browser

ITEM = "430703-SCJGJ-002"
PASSWORD = "OneTrip-demo-2026"


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/me/")


def act(page, number, label):
    page.goto(f"/cases/{number}/")
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def test_apply_notice_supplement_approve_and_follow(phone, tmp_path):
    page = phone
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    login(page, "13907360001")
    page.goto(f"/items/{ITEM}/")
    page.get_by_role("link", name="网上申办").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="下一步：上传材料").click()
    page.wait_for_url("**/applications/*/")
    assert serious_violations(page) == []
    count = page.locator("input[type=file]").count()
    assert count >= 1
    for i in range(count):
        page.locator("input[type=file]").nth(i).set_input_files(str(pdf))
        page.locator("button[name=upload]").nth(i).click()
        page.wait_for_load_state()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/")
    number = page.locator("table a").first.inner_text()
    assert number.startswith("430703-")

    login(page, "chuangkou")
    page.goto(f"/cases/{number}/")
    assert serious_violations(page) == []
    page.locator("summary", has_text="一次性告知").click()
    first = page.locator("input[name=material]").first
    first.check()
    page.locator("input[name^='reason:']").first.fill("缺少申请人签字")
    page.get_by_role("button", name="出具告知书").click()
    page.wait_for_load_state()
    assert "缺少申请人签字" in page.content()

    login(page, "13907360001")
    page.goto(f"/cases/{number}/")
    assert "缺少申请人签字" in page.content()
    page.get_by_role("link", name="上传补正材料").click()
    page.locator("input[type=file]").first.set_input_files(str(pdf))
    page.locator("button[name=upload]").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交补正材料").click()
    page.wait_for_url("**/my/cases/")

    login(page, "chuangkou")
    act(page, number, "受理")
    login(page, "scjg.officer")
    act(page, number, "转下一环节")
    login(page, "scjg.head")
    page.goto(f"/cases/{number}/")
    page.locator("form:has(input[value=approve]) button").click()
    page.wait_for_load_state()
    assert "准予" in page.locator("main").inner_text()

    login(page, "13907360001")
    page.goto(f"/cases/{number}/")
    text = page.locator("main").inner_text()
    for event in ["已提交", "已出具一次性告知书", "已收到补正材料", "受理", "准予许可"]:
        assert event in text, event
    assert "郑承办" not in text and "scjg.officer" not in text  # no officer names for the applicant
    assert serious_violations(page) == []

    page.context.clear_cookies()
    page.goto("/progress/")
    page.fill("#number", number)
    page.fill("#secret", "13907360001")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert "准予" in page.locator("main").inner_text()
    assert "139****0001" in page.content()
    assert serious_violations(page) == []

    from django.core.management import call_command

    call_command("verify_trail")
