"""Search in Chinese: words (jieba), pinyin and pinyin initials, ranked, highlighted."""

import pytest

from onetrip.catalog import engine, selectors

from .conftest import make_department, make_item


@pytest.fixture
def catalogue(catalog_admin, department, district):
    health = make_department(district, code="WJJ", name="常德市鼎城区卫生健康局")
    items = {
        "license": make_item(catalog_admin, department, code="A-1", name="营业执照遗失补领"),
        "individual": make_item(catalog_admin, department, code="A-2", name="个体工商户设立登记",
                                materials=[{"name": "申请书"}, {"name": "营业执照"}]),
        "food": make_item(catalog_admin, department, code="A-3", name="食品经营许可",
                          name_en="Food business licence", materials=[{"name": "营业执照"}, {"name": "食品安全管理制度"}]),
        "marriage": make_item(catalog_admin, department, code="A-4", name="结婚登记", name_en="Marriage registration",
                              materials=[{"name": "户口簿"}, {"name": "居民身份证"}]),
        "clinic": make_item(catalog_admin, health, code="A-5", name="医疗机构执业登记",
                            materials=[{"name": "设置医疗机构批准书"}]),
    }
    return items


def codes(q, **filters):
    return [r.item.code for r in selectors.find_items(selectors.Filters(q=q, **filters)).results]


@pytest.mark.django_db
def test_a_word_in_the_name_ranks_above_the_same_word_in_the_materials(catalogue):
    found = codes("营业执照")
    assert found[0] == "A-1"
    assert set(found) == {"A-1", "A-2", "A-3"}


@pytest.mark.django_db
def test_pinyin_initials_find_the_item(catalogue):
    assert codes("yyzz")[0] == "A-1"
    assert codes("jhdj") == ["A-4"]


@pytest.mark.django_db
def test_full_pinyin_and_a_pinyin_prefix_find_the_item(catalogue):
    assert codes("jiehun") == ["A-4"]
    assert codes("jieh") == ["A-4"]


@pytest.mark.django_db
def test_words_of_a_material_find_the_item(catalogue):
    assert codes("户口簿") == ["A-4"]


@pytest.mark.django_db
def test_the_department_name_finds_its_items(catalogue):
    assert codes("卫生健康局") == ["A-5"]


@pytest.mark.django_db
def test_every_word_must_match_and_filler_words_are_ignored(catalogue):
    assert codes("怎么办理食品经营许可") == ["A-3"]
    assert codes("食品 营业执照") == ["A-3"]


@pytest.mark.django_db
def test_when_no_item_matches_every_word_the_closest_are_shown(catalogue):
    result = selectors.find_items(selectors.Filters(q="结婚 火箭发射"))
    assert not result.all_matched
    assert [r.item.code for r in result.results] == ["A-4"]


@pytest.mark.django_db
def test_english_words_find_items_by_their_english_name(catalogue):
    assert codes("marriage") == ["A-4"]


@pytest.mark.django_db
def test_filters_narrow_the_search(catalogue):
    assert codes("登记", department="WJJ") == ["A-5"]
    assert "A-5" not in codes("登记", department="SCJGJ")


@pytest.mark.django_db
def test_nothing_is_found_for_nonsense(catalogue):
    assert codes("qqqqxx") == []


@pytest.mark.django_db
def test_unpublished_items_are_not_found(catalog_admin, department):
    make_item(catalog_admin, department, code="D-1", name="道路货物运输经营许可", publish=False)
    assert codes("道路货物运输") == []


def test_highlighting_marks_the_words_and_the_characters_the_initials_spell():
    assert str(engine.highlight("营业执照遗失补领", engine.analyse("营业执照"))) == "<mark>营业执照</mark>遗失补领"
    assert str(engine.highlight("个体工商户营业执照", engine.analyse("yyzz"))) == "个体工商户<mark>营业执照</mark>"
    assert str(engine.highlight("结婚登记", engine.analyse("jiehun"))) == "<mark>结婚</mark>登记"


def test_highlighting_escapes_html():
    assert str(engine.highlight("<b>许可</b>", engine.analyse("许可"))) == "&lt;b&gt;<mark>许可</mark>&lt;/b&gt;"
