"""一件事: one bundle, one material list in which each material appears once."""

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


@pytest.mark.django_db
def test_the_bundle_page(client, bundle):
    page = client.get("/bundles/KCG/").content.decode()
    assert page.count("<th scope=\"row\">居民身份证") == 1
    assert "食品经营许可" in page
    assert client.get("/bundles/NOPE/").status_code == 404


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
