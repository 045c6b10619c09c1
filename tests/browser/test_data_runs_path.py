"""Issue D's path in a real browser ("Done when"): on a phone a citizen applies for an item whose
ID card and earlier licence the government already holds (nothing to upload for them), asks on
the application form for the result by post, and pays a fee of another case in the sandbox bank;
the window approves on the spot with a signed decision and the sealed decision notice; the job issues
the licence, which the citizen downloads from "my licences"; its QR address opens the
verification page, which says valid and, once the department revokes it, revoked; the result is
posted with tracking and delivered, and the case shows zero trips. Pages checked with axe-core."""

from __future__ import annotations

import re

import pytest

from onetrip.licenses import pades

from .conftest import log_in, serious_violations
from .test_case_flow import act, confirm

pytestmark = pytest.mark.browser

ITEM = "430703-SCJGJ-001-01"  # 个体工商户设立登记: postable, issues a licence, ID card from the registry


def test_registry_materials_post_choice_fee_signed_decision_licence_verified_and_posted(phone, browser, live_server,
                                                                                         tmp_path):
    from ..conftest import pdf as make_pdf

    page = phone
    scan = tmp_path / "form.pdf"
    scan.write_bytes(make_pdf("申请书"))
    log_in(page, "13907360001")

    # 1. Pay the fee of the demo's accepted mortgage registration in the sandbox bank.
    page.goto("/my/cases/")
    fee_case = page.locator("tr", has_text="不动产抵押登记").locator("a").first.inner_text()
    page.goto(f"/cases/{fee_case}/")
    page.get_by_role("link", name=re.compile("缴费")).first.click()
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("网上缴费")).click()
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("确认支付")).click()
    page.wait_for_load_state()
    page.goto(f"/cases/{fee_case}/")
    assert "已缴费" in page.locator("main").inner_text()

    # 2. Apply: the ID card is held by the government; only the application form is uploaded.
    page.goto(f"/items/{ITEM}/")
    page.get_by_role("link", name="网上申办").click()
    page.get_by_role("button", name="下一步：上传材料").click()
    page.wait_for_url("**/applications/*/")
    text = page.locator("main").inner_text()
    assert "政府部门已掌握，免提交" in text
    for i in range(page.locator("input[type=file]").count()):
        card = page.locator("li.card").filter(has=page.locator("input[type=file]")).nth(i)
        if "必需" in card.inner_text():
            card.locator("input[type=file]").set_input_files(str(scan))
            card.locator("button[name=upload]").click()
            page.wait_for_load_state()

    # 3. On the same form, the result by post, before submitting.
    page.locator("#dm-post").check()
    page.fill("#d-address", "湖南省常德市鼎城区玉霞街道示例路88号3栋201室")
    page.locator("section.delivery button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("section.delivery > p > strong").inner_text() == "邮寄送达"  # the choice, saved
    assert serious_violations(page) == []
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/?submitted=*")
    number = page.url.split("submitted=", 1)[1].split("&")[0].split("#")[0]
    assert re.fullmatch(r"430703-\d{8}-\d{6}", number), number

    # 4. The window accepts and, this item being decided on the spot (当场决定), approves: signed.
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                               locale="zh-CN").new_page()
    log_in(desk, "chuangkou")
    act(desk, number, "accept")
    assert "已受理" in desk.locator(".wb-head").inner_text(), desk.locator("main").inner_text()[:500]
    act(desk, number, "approve")
    confirm(desk)
    desk.goto(f"/cases/{number}/")
    assert "签名有效" in desk.locator("main").inner_text()

    # 5. The applicant prints the decision notice: sealed by the department, trusted by a validator.
    page.goto(f"/cases/{number}/")
    href = page.get_by_role("link", name=re.compile("准予行政许可决定书")).get_attribute("href")
    notice = page.request.get(href)
    assert notice.ok and pades.validate_pdf(notice.body()).ok

    # 6. The job issues the licence; the holder downloads it from "my licences".
    from onetrip.licenses import jobs, services
    from onetrip.licenses.models import Licence

    assert jobs.issue_pending()["issued"] >= 1
    licence = Licence.objects.get(case__number=number)
    page.goto("/my/licences/")
    assert serious_violations(page) == []
    link = page.locator("a", has_text="下载").first.get_attribute("href")
    pdf = page.request.get(link).body()
    root = page.request.get("/verify/root.pem").body()
    assert pades.validate_pdf(pdf, root_pem=root).ok

    # 7. The QR address: valid; the department revokes it; the same page says revoked at once.
    url = services.verify_url(licence)
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    page.goto(path)
    assert "有效" in page.locator(".status-banner").inner_text()
    assert serious_violations(page) == []
    log_in(desk, "scjg.head")
    desk.goto(f"/staff/licences/{licence.pk}/")
    desk.locator("details", has_text="吊销").locator("summary").click()
    desk.locator("details", has_text="吊销").locator("textarea").fill("以欺骗手段取得（测试）")
    desk.locator("details", has_text="吊销").locator("button[type=submit]").click()
    desk.wait_for_load_state()
    page.goto(path)
    assert "已吊销" in page.locator(".status-banner").inner_text()

    # 8. The result is posted with tracking and delivered: zero trips.
    log_in(desk, "chuangkou")
    act(desk, number, "issue_result")
    desk.goto("/staff/post/")
    desk.locator("tr", has_text=number).locator("a").first.click()
    tracking = re.search(r"[A-Z]{2}\d{9}CN", desk.locator("main").inner_text()).group(0)
    assert serious_violations(desk) == []
    for state, tab in (("posted", "posted"), ("delivered", None)):
        desk.locator(f"#st-{state}").check()
        desk.get_by_role("button", name="保存").click()
        desk.wait_for_load_state()
        if tab:
            desk.goto(f"/staff/post/?state={tab}")
            desk.locator("tr", has_text=number).locator("a").first.click()
    page.goto(f"/cases/{number}/")
    text = page.locator("main").inner_text()
    assert tracking in text and "结果已邮寄送达" in text
    assert re.search(r"跑动次数\s*0", text), text
    assert serious_violations(page) == []
