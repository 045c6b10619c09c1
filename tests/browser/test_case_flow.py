"""The whole journey in a real browser: a citizen applies online (several files for one material,
one removed), the window issues a one-time notice from the workbench through its confirmation
page, the citizen supplements, the back office takes it to approval through the confirmation
page, the result is delivered, and the citizen follows it on the case page and by public lookup.
Pages are checked with axe-core: citizens' at 360 px, the workbench and the confirmation page at
1280 px and 360 px."""

from __future__ import annotations

import pytest

from onetrip.demo.people import resident_id

from ..conftest import pdf as make_pdf
from .conftest import serious_violations

pytestmark = pytest.mark.browser

ITEM = "430703-SCJGJ-002"
PASSWORD = "OneTrip-demo-2026"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 800}


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/me/")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def accessible_at_both_widths(page) -> None:
    """axe-core finds nothing serious at a desk's width and at a phone's, and nothing overflows."""
    for size in (DESK, PHONE):
        page.set_viewport_size(size)
        assert serious_violations(page) == [], size
        assert fits(page), size


def act(page, number, action):
    """Press an action's button on the workbench (the next action is open; others are folded)."""
    page.goto(f"/cases/{number}/")
    form = page.locator(f"form:has(input[name=action][value={action}])")
    details = page.locator(f"details:has(input[name=action][value={action}])")
    if details.count():
        details.locator("summary").click()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def confirm(page) -> None:
    page.locator("main form:has(input[name=confirmed]) button[type=submit]").click()
    page.wait_for_load_state()


def test_apply_notice_supplement_approve_and_follow(phone, tmp_path):
    page = phone
    pdfs = []
    for name in ["page-1", "page-2", "page-3", "supplement"]:
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(make_pdf(name))  # a real PDF: uploads are opened, not sniffed
        pdfs.append(str(pdf))
    png = tmp_path / "photo.png"
    png.write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0"
        "00000301010018dd8db00000000049454e44ae426082"))

    # The citizen applies on a phone.
    login(page, "13907360001")
    page.goto(f"/items/{ITEM}/")
    page.get_by_role("link", name="网上申办").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="下一步：上传材料").click()
    page.wait_for_url("**/applications/*/")
    assert serious_violations(page) == []
    assert fits(page)

    # Several files for one material in one go, then one of them removed.
    first = page.locator("ol.cards > li").filter(has=page.locator("input[type=file]")).first
    first.locator("input[type=file]").set_input_files([pdfs[0], pdfs[1], str(png)])
    first.locator("button[name=upload]").click()
    page.wait_for_load_state()
    first = page.locator("ol.cards > li").filter(has=page.locator("input[type=file]")).first
    assert first.locator(".files li").count() == 3
    first.locator("button[name=remove]").nth(1).click()
    page.wait_for_load_state()
    first = page.locator("ol.cards > li").filter(has=page.locator("input[type=file]")).first
    names = first.locator(".files").inner_text()
    assert "page-1.pdf" in names and "photo.png" in names and "page-2.pdf" not in names
    assert serious_violations(page) == []

    # One file for every other material that takes one.
    count = page.locator("input[type=file]").count()
    for i in range(1, count):
        page.locator("input[type=file]").nth(i).set_input_files(pdfs[2])
        page.locator("button[name=upload]").nth(i).click()
        page.wait_for_load_state()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/?submitted=*")
    number = page.locator("table a").first.inner_text()
    assert number.startswith("430703-")
    assert number in page.locator(".ok-box").inner_text()
    assert serious_violations(page) == []
    assert fits(page)

    # Withdrawing sits behind a confirmation; going back leaves the case as it was.
    page.goto(f"/cases/{number}/")
    page.locator("details.danger-zone summary").click()
    page.locator("details.danger-zone button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main form input[name=confirmed]").count() == 1
    assert serious_violations(page) == []
    page.locator("main .actions a").click()
    page.wait_for_url(f"**/cases/{number}/")
    assert "已提交" in page.locator(".status-panel").inner_text()

    # The window clerk issues a one-time notice from the workbench, through its confirmation.
    login(page, "chuangkou")
    page.goto("/staff/inbox/")
    assert page.locator(f"table a:text-is('{number}')").count() == 1  # default view: waiting for me
    page.goto(f"/cases/{number}/")
    assert page.locator(".checklist .files li").count() >= 3  # files present per material
    accessible_at_both_widths(page)
    page.set_viewport_size(DESK)
    notice = page.locator("details:has(input[name=action][value=issue_notice])")
    notice.locator("summary").click()
    notice.locator("input[name=material]").first.check()
    notice.locator("input[name^='reason:']").first.fill("缺少申请人签字")
    notice.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "缺少申请人签字" in page.locator("main").inner_text()  # repeated back before issuing
    accessible_at_both_widths(page)
    confirm(page)
    assert "缺少申请人签字" in page.content()
    assert "待补正" in page.locator(".wb-head").inner_text()

    # The citizen supplements the named material with a new file.
    login(page, "13907360001")
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{number}/")
    assert "缺少申请人签字" in page.content()
    page.get_by_role("link", name="上传补正材料").click()
    named = page.locator("li.card-alert")
    assert named.count() == 1  # only what the notice names asks for anything
    named.locator("input[type=file]").set_input_files(pdfs[3])
    named.locator("button[name=upload]").click()
    page.wait_for_load_state()
    assert "supplement.pdf" in page.locator("li.card-alert").inner_text()
    assert serious_violations(page) == []
    assert fits(page)
    page.get_by_role("button", name="提交补正材料").click()
    page.wait_for_url("**/my/cases/")

    # The window accepts, the officer passes it on, the head approves through the confirmation.
    login(page, "chuangkou")
    page.set_viewport_size(DESK)
    act(page, number, "accept")
    assert "已受理" in page.locator(".wb-head").inner_text()
    login(page, "scjg.officer")
    act(page, number, "advance")
    login(page, "scjg.head")
    act(page, number, "approve")
    assert page.locator("main form input[name=confirmed]").count() == 1
    accessible_at_both_widths(page)
    page.set_viewport_size(DESK)
    confirm(page)
    assert "准予" in page.locator("main").inner_text()
    act(page, number, "issue_result")
    # 综合窗口出件: the clerk finds it at the result window and hands it over, the ID checked.
    login(page, "chuangkou")
    page.set_viewport_size(DESK)
    page.goto(f"/staff/results/?q={number}")
    accessible_at_both_widths(page)
    page.set_viewport_size(DESK)
    page.fill("#collector_id_number", resident_id("43070319900101123"))
    page.locator("main form:has(input[name=collector_id_number]) button[type=submit]").click()
    page.wait_for_load_state()
    assert "已关闭" in page.locator("main").inner_text() or "办结" in page.locator("main").inner_text()
    page.goto(f"/cases/{number}/")
    assert "已在综合窗口出件" in page.locator("main").inner_text()

    # The citizen follows it: events in sentences, no officer's name.
    login(page, "13907360001")
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{number}/")
    text = page.locator("main").inner_text()
    for event in ["已提交", "已出具一次性告知书", "已收到补正材料", "受理", "准予许可", "出件"]:
        assert event in text, event
    assert "郑承办" not in text and "scjg.officer" not in text  # no officer names for the applicant
    assert serious_violations(page) == []

    # The public lookup is a POST form: nothing of it lands in the address bar.
    page.context.clear_cookies()
    page.goto("/progress/")
    page.fill("#number", number)
    page.fill("#secret", "13907360001")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert "准予" in page.locator("main").inner_text()
    assert "139****0001" in page.content()
    assert "13907360001" not in page.url and number not in page.url
    assert serious_violations(page) == []

    from django.core.management import call_command

    call_command("verify_trail")
