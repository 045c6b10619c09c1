"""The public pages: home, list, guide with every field, print view, QR, history."""

from xml.etree import ElementTree

import pytest
from django.utils import translation

from onetrip.catalog import services

from .conftest import make_item, publish_reviewed

MANY = [{"name": f"材料{i}", "form": "copy"} for i in range(30)]


@pytest.mark.django_db
def test_the_guide_shows_every_element(client, catalog_admin, department):
    v = make_item(catalog_admin, department, code="G-1", location="鼎城区政务服务中心二楼", window="综合窗口8号",
                  consultation_phone="0736-7000001", complaint_phone="12345", result_name="营业执照",
                  fees=[{"name": "工本费", "standard": "10元/本", "basis": "湘价费〔2018〕1号"}])
    page = client.get("/items/G-1/").content.decode()
    for text in [v.name, "G-1", department.name, "《促进个体工商户发展条例》第八条", "有经营能力的自然人",
                 "个体工商户登记（备案）申请书", "经营场所使用证明", "租赁场所时提供", "工本费", "10元/本",
                 "湘价费〔2018〕1号", "鼎城区政务服务中心二楼", "综合窗口8号", "0736-7000001", "12345", "营业执照",
                 "受理", "综合窗口", "<svg"]:
        assert text in page, text


@pytest.mark.django_db
def test_the_print_view_is_a_page_of_its_own_with_the_qr_code(client, catalog_admin, department):
    make_item(catalog_admin, department, code="G-2")
    response = client.get("/items/G-2/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "print.css" in html and "<svg" in html and 'class="site-header"' not in html


@pytest.mark.django_db
def test_the_qr_code_encodes_the_guide_address(client, catalog_admin, department):
    make_item(catalog_admin, department, code="G-3")
    response = client.get("/items/G-3/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert client.get("/items/NOPE/qr.svg").status_code == 404


@pytest.mark.django_db
def test_the_qr_code_is_a_standalone_svg_image_a_browser_can_show(client, catalog_admin, department):
    make_item(catalog_admin, department, code="G-4")
    body = client.get("/items/G-4/qr.svg").content.decode()
    assert body.startswith("<?xml")
    root = ElementTree.fromstring(body)  # noqa: S314 - our own output
    # Without the namespace a browser shows the file as an XML tree instead of a picture.
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.attrib["width"]) > 0 and root.find("{http://www.w3.org/2000/svg}path") is not None


@pytest.mark.django_db
def test_an_unknown_item_is_a_clear_404(client, db):
    response = client.get("/items/NO-SUCH/")
    assert response.status_code == 404
    assert "NO-SUCH" in response.content.decode()


@pytest.mark.django_db
def test_guide_queries_do_not_grow_with_the_checklist(client, catalog_admin, department, django_assert_num_queries):
    make_item(catalog_admin, department, code="Q-1", materials=MANY[:2])
    make_item(catalog_admin, department, code="Q-2", materials=MANY)
    client.force_login(catalog_admin)  # a fresh page, not the visitors' cache
    client.get("/items/Q-1/")  # warm caches (content types, sessions)
    with django_assert_num_queries(10) as small:  # session, user, 7 for the guide, 1 per guide panel
        client.get("/items/Q-1/")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/items/Q-2/")


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_number_of_items(client, catalog_admin, department, django_assert_max_num_queries):
    for i in range(3):
        make_item(catalog_admin, department, code=f"L-{i}")
    client.get("/items/")
    client.get("/items/?q=登记")  # builds the search index (once per catalogue change) and logs the query
    with django_assert_max_num_queries(11) as few:
        client.get("/items/")
        client.get("/items/?q=登记")
    before = len(few.captured_queries)
    for i in range(3, 15):
        make_item(catalog_admin, department, code=f"L-{i}")
    client.get("/items/?q=登记")
    with django_assert_max_num_queries(before):
        client.get("/items/")
        client.get("/items/?q=登记")


@pytest.mark.django_db
def test_the_home_page_offers_departments_kinds_audiences_and_bundles(client, catalog_admin, department):
    v = make_item(catalog_admin, department, code="H-1")
    services.save_bundle(actor=catalog_admin, code="B-1", name="开办企业一件事", items=[v.item])
    page = client.get("/").content.decode()
    assert department.name in page and "开办企业一件事" in page
    assert "?audience=people" in page and "?kind=licensing" in page


@pytest.mark.django_db
def test_lists_filter_by_audience(client, catalog_admin, department):
    make_item(catalog_admin, department, code="P-1", name="结婚登记", audience="people")
    make_item(catalog_admin, department, code="C-1", name="企业设立登记", audience="companies")
    page = client.get("/items/?audience=companies").content.decode()
    assert "企业设立登记" in page and "结婚登记" not in page


@pytest.mark.django_db
def test_version_history_and_diff_pages(client, catalog_admin, department):
    v1 = make_item(catalog_admin, department, code="V-1")
    v2 = services.start_draft(actor=catalog_admin, item=v1.item)
    # A draft is not shown to the public.
    assert "v1 → v2" not in client.get("/items/V-1/versions/").content.decode()
    assert client.get("/items/V-1/versions/1/diff/2/").status_code == 404
    services.update_draft(actor=catalog_admin, version=v2, guide={"promised_limit_days": 1})
    publish_reviewed(catalog_admin, [v2], "第二批")
    assert "v1 → v2" in client.get("/items/V-1/versions/").content.decode()
    diff = client.get("/items/V-1/versions/1/diff/2/").content.decode()
    assert "<del>3</del>" in diff and "<ins>1</ins>" in diff


@pytest.mark.django_db
def test_pages_switch_to_english(client, catalog_admin, department):
    make_item(catalog_admin, department, code="E-1")
    client.get("/prefs/language/en", {"next": "/items/E-1/"})
    page = client.get("/items/E-1/").content.decode()
    assert "Materials to bring" in page and "Registration of an individual business" in page
    translation.activate("zh-hans")


@pytest.mark.django_db
def test_chinese_is_the_default(client, catalog_admin, department):
    make_item(catalog_admin, department, code="Z-1")
    page = client.get("/items/Z-1/").content.decode()
    assert 'lang="zh-Hans"' in page
    assert "申请材料" in page or "所需材料" in page


@pytest.mark.django_db
def test_large_text_mode_is_remembered(client, db):
    response = client.get("/prefs/large-text", {"next": "/items/"})
    assert response.status_code == 302 and response["Location"] == "/items/"
    assert 'class="large-text"' in client.get("/").content.decode()
    off = client.get("/prefs/large-text", {"next": "https://evil.example/"})
    assert off["Location"] == "/"  # never sent to another site
    assert 'class="large-text"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_browser_in_english_still_gets_chinese_until_the_switch_is_used(client, catalog_admin, department):
    make_item(catalog_admin, department, code="AL-1")
    page = client.get("/items/AL-1/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in page
    api = client.get("/api/v1/items/NOPE", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 404 and api["Content-Language"] == "en"


@pytest.mark.django_db
def test_visitors_get_a_cached_guide_until_something_is_published(client, catalog_admin, department):
    from django.core.cache import cache

    cache.clear()
    v1 = make_item(catalog_admin, department, code="C-1")
    first = client.get("/items/C-1/")
    again = client.get("/items/C-1/")
    assert "X-Page-Cache" not in first and again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    draft = services.start_draft(actor=catalog_admin, item=v1.item)
    services.update_draft(actor=catalog_admin, version=draft, guide={"name": "个体工商户设立登记（新版）"})
    publish_reviewed(catalog_admin, [draft], "第二批")
    fresh = client.get("/items/C-1/")
    assert "X-Page-Cache" not in fresh and "（新版）" in fresh.content.decode()
    # Logged-in people always get a fresh page.
    client.force_login(catalog_admin)
    assert "X-Page-Cache" not in client.get("/items/C-1/")
