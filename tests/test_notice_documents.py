"""Printed notices (受理通知书 / 不予受理通知书 / 一次性告知书): real PDFs in Chinese with the case's facts
and a QR code to the progress lookup, printable by staff and the applicant, each print on the trail;
a stranger gets 404."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from onetrip.accounts.models import Role
from onetrip.cases import selectors, services
from onetrip.cases.documents import build_pdf
from onetrip.core.models import TrailEntry

from .conftest import apply, make_user


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def get_pdf(client, url):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response


@pytest.mark.django_db
def test_the_acceptance_notice_has_the_case_the_item_and_the_time_limits(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    client.force_login(staff.clerk)
    response = get_pdf(client, f"/cases/{case.number}/documents/acceptance.pdf")
    assert "filename*=utf-8''" in response["Content-Disposition"] and case.number in response["Content-Disposition"]
    text = text_of(response.content)
    assert case.number in text and "个体工商户设立登记" in text and "受理通知书" in text
    assert "15个工作日" in text and "3个工作日" in text
    deadline = case.promised_deadline
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text
    assert "张测试" in text and "（印章）" in text and case.department.name in text
    entry = TrailEntry.objects.filter(action="document.print").get()
    assert entry.actor == staff.clerk and entry.summary["document"] == "acceptance"


@pytest.mark.django_db
def test_the_refusal_states_its_reasons_and_the_applicant_can_print_it(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="refuse", actor=staff.clerk,
                               data={"reasons": "不属于本部门职权范围，请向区住建局申请"})
    client.force_login(citizen)
    text = text_of(get_pdf(client, f"/cases/{case.number}/documents/refusal.pdf").content)
    assert "不予受理通知书" in text and case.number in text and "不属于本部门职权范围" in text
    assert "行政复议" in text
    # The acceptance notice does not exist for a refused case.
    assert client.get(f"/cases/{case.number}/documents/acceptance.pdf").status_code == 404


@pytest.mark.django_db
def test_the_one_time_notice_names_every_material_with_its_reason(client, citizen, item, staff):
    case = services.issue_notice(case=apply(citizen), actor=staff.clerk, items=[
        {"material": "个体工商户登记（备案）申请书", "reason": "缺少经营者签字"},
        {"material": "经营场所使用证明", "reason": "租赁合同已过期"}])
    notice = case.notices.get()
    client.force_login(staff.officer)
    text = text_of(get_pdf(client, f"/cases/{case.number}/documents/notice-{notice.pk}.pdf").content)
    assert "一次性告知书" in text and case.number in text and "个体工商户设立登记" in text
    for words in ("个体工商户登记（备案）申请书", "缺少经营者签字", "经营场所使用证明", "租赁合同已过期"):
        assert words in text
    # The workbench and the applicant's page link to it.
    assert f"/documents/notice-{notice.pk}.pdf" in client.get(f"/cases/{case.number}/").content.decode()
    client.force_login(citizen)
    assert f"/documents/notice-{notice.pk}.pdf" in client.get(f"/cases/{case.number}/").content.decode()
    assert client.get(f"/cases/{case.number}/documents/notice-{notice.pk + 99}.pdf").status_code == 404


@pytest.mark.django_db
def test_a_stranger_gets_404_and_nothing_on_the_trail(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    client.force_login(make_user(Role.CITIZEN, mobile="13907369999"))
    assert client.get(f"/cases/{case.number}/documents/acceptance.pdf").status_code == 404
    client.force_login(make_user(Role.PROXY_AGENT))
    assert client.get(f"/cases/{case.number}/documents/acceptance.pdf").status_code == 404
    client.logout()
    assert client.get(f"/cases/{case.number}/documents/acceptance.pdf").status_code == 302
    client.force_login(staff.clerk)
    assert client.get(f"/cases/{case.number}/documents/teleport.pdf").status_code == 404
    assert not TrailEntry.objects.filter(action="document.print").exists()


@pytest.mark.django_db
def test_the_qr_code_opens_the_progress_lookup_with_the_case_number(client, citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    with translation.override("zh-hans"):
        content = selectors.document_content(case, "acceptance")
        assert content is not None
        url = "https://zwfw.example.gov.cn/progress/" + content.progress_path
        build_pdf(content, progress_url=url)  # builds
    page = client.get(f"/progress/{content.progress_path}").content.decode()
    assert f'value="{case.number}"' in page
