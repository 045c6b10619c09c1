"""一件事: one bundle, one material list in which each material appears once.

Read like the bundle's guide: the services are listed in the order the bundle gives them, and
each material says whether it is needed always or only in some cases (and which).
"""

import pytest
from django.core.exceptions import ValidationError

from onetrip.catalog import selectors, services

from .conftest import make_item


@pytest.fixture
def bundle(catalog_admin, department):
    register = make_item(catalog_admin, department, code="B-1", name="个体工商户设立登记",
                         materials=[{"name": "居民身份证", "form": "copy", "registry": "population"},
                                    {"name": "经营场所使用证明", "required": False, "condition": "租赁时"}])
    food = make_item(catalog_admin, department, code="B-2", name="食品经营许可",
                     materials=[{"name": "居民身份证", "form": "copy", "copies": 2},
                                {"name": "经营场所使用证明"},
                                {"name": "食品安全管理制度"}],
                     promised_limit_days=7, legal_limit_days=20, max_visits=1)
    return services.save_bundle(actor=catalog_admin, code="KCG", name="开餐馆一件事", items=[register.item, food.item])


@pytest.mark.django_db
def test_the_bundle_lists_each_material_once(bundle):
    guide = selectors.bundle_guide("KCG")
    names = [m.name for m in guide.materials]
    assert names == ["居民身份证", "经营场所使用证明", "食品安全管理制度"]
    idcard = guide.materials[0]
    assert idcard.items == ["个体工商户设立登记", "食品经营许可"] and idcard.copies == 2
    # Optional in one item, required in another → required.
    assert guide.materials[1].required is True
    assert guide.materials[1].conditions == [] and guide.materials[1].condition == ""


@pytest.fixture
def kaiban(catalog_admin, department):
    """开办企业一件事 as the district lists it: registration first, then the seal, then tax.
    The items are created in a different order from the bundle's, as they are in real life."""
    tax = make_item(catalog_admin, department, code="K-TAX", name="税务登记",
                    materials=[{"name": "营业执照", "required": False, "condition": "未实行多证合一的"},
                               {"name": "经办人身份证件"}])
    seal = make_item(catalog_admin, department, code="K-SEAL", name="公章刻制备案",
                     materials=[{"name": "营业执照", "required": False, "condition": "已领取纸质执照的"},
                                {"name": "法定代表人身份证件", "form": "copy"}])
    register = make_item(catalog_admin, department, code="K-REG", name="有限责任公司设立登记",
                         materials=[{"name": "公司登记（备案）申请书"},
                                    {"name": "法定代表人身份证件", "form": "original"},
                                    {"name": "营业执照", "required": False, "condition": "已领取纸质执照的"}])
    return services.save_bundle(actor=catalog_admin, code="KBQY", name="开办企业一件事",
                                items=[register.item, seal.item, tax.item])


@pytest.mark.django_db
def test_the_services_are_listed_in_the_order_the_bundle_gives_them(kaiban):
    guide = selectors.bundle_guide("KBQY")
    assert [v.name for v in guide.versions] == ["有限责任公司设立登记", "公章刻制备案", "税务登记"]
    assert [m.name for m in guide.materials] == ["公司登记（备案）申请书", "法定代表人身份证件", "营业执照", "经办人身份证件"]
    assert guide.materials[2].items == ["有限责任公司设立登记", "公章刻制备案", "税务登记"]


@pytest.mark.django_db
def test_a_material_every_service_asks_for_only_in_some_cases_stays_conditional_with_all_its_conditions(kaiban):
    licence = next(m for m in selectors.bundle_guide("KBQY").materials if m.name == "营业执照")
    assert licence.required is False
    assert licence.conditions == ["已领取纸质执照的", "未实行多证合一的"]


@pytest.mark.django_db
def test_a_material_one_service_always_needs_is_required_in_the_bundle(catalog_admin, kaiban, department):
    transfer = make_item(catalog_admin, department, code="K-BANK", name="银行开户",
                         materials=[{"name": "营业执照"}])
    services.save_bundle(actor=catalog_admin, code="KBQY", name="开办企业一件事",
                         items=[transfer.item, *[e.item for e in kaiban.entries.order_by("position")]])
    licence = next(m for m in selectors.bundle_guide("KBQY").materials if m.name == "营业执照")
    assert licence.required is True and licence.conditions == []


@pytest.mark.django_db
def test_one_wants_the_original_and_another_a_copy_so_bring_both(kaiban):
    from django.utils import translation

    with translation.override("zh-hans"):
        card = next(m for m in selectors.bundle_guide("KBQY").materials if m.name == "法定代表人身份证件")
    assert card.form == "原件和复印件"


@pytest.mark.django_db
def test_the_bundle_page_shows_the_conditions_and_the_order(client, kaiban):
    page = client.get("/bundles/KBQY/").content.decode()
    assert page.index("有限责任公司设立登记") < page.index("公章刻制备案") < page.index("税务登记")
    row = page[page.index('<th scope="row">营业执照'):]
    row = row[:row.index("</tr>")]
    assert "已领取纸质执照的" in row and "未实行多证合一的" in row and ">必需<" not in row


@pytest.mark.django_db
def test_the_bundle_page(client, bundle):
    page = client.get("/bundles/KCG/").content.decode()
    assert page.count("<th scope=\"row\">居民身份证") == 1
    assert "食品经营许可" in page
    assert client.get("/bundles/NOPE/").status_code == 404


@pytest.mark.django_db
def test_the_bundle_page_keeps_its_query_count_however_many_services(client, kaiban, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get("/bundles/KBQY/").status_code == 200


@pytest.mark.django_db
def test_a_bundle_needs_published_distinct_items(catalog_admin, department):
    draft = make_item(catalog_admin, department, code="B-9", publish=False)
    with pytest.raises(ValidationError, match="Not published"):
        services.save_bundle(actor=catalog_admin, code="X", name="X", items=[draft.item])
    done = make_item(catalog_admin, department, code="B-8")
    with pytest.raises(ValidationError, match="twice"):
        services.save_bundle(actor=catalog_admin, code="X", name="X", items=[done.item, done.item])
    with pytest.raises(ValidationError, match="at least one"):
        services.save_bundle(actor=catalog_admin, code="X", name="X", items=[])
