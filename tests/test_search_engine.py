"""Search that understands how people speak (issue F §4), over the demo catalogue and its
search dictionary, as a citizen types and as a catalogue admin keeps the dictionary."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role
from onetrip.catalog import engine, selectors, services
from onetrip.catalog.engine import Document
from onetrip.catalog.models import SearchPhrase, SearchQuery, ServiceItem
from onetrip.core.models import TrailEntry
from onetrip.demo.services import load_catalog_data, load_search_dictionary

from .conftest import make_user

MARRIAGE = "430703-MZJ-001"


@pytest.fixture
def demo(db: Any) -> Any:
    """The demo district's catalogue (69 items, 8 bundles) and its search dictionary, loaded
    through the catalogue services, without the demo's cases."""
    from onetrip.accounts.models import Department, Division

    data = load_catalog_data()
    district = Division.objects.create(code="430703", name="常德市鼎城区", level=Division.Level.DISTRICT)
    for n, d in enumerate(data["departments"]):
        accounts.create_department(actor=None, division=district, sort_order=n + 1, **d)
    admin = make_user(Role.CATALOG_ADMIN)
    departments = {d.code: d for d in Department.objects.all()}
    drafts = []
    for n, raw in enumerate(data["items"]):
        raw = dict(raw)
        lists = {k: raw.pop(k, []) for k in ("materials", "fees", "special_procedures", "steps")}
        code, parent = raw.pop("code"), raw.pop("parent", None)
        raw["department"] = departments[raw["department"]]
        parent_item = ServiceItem.objects.get(code=parent) if parent else None
        drafts.append(services.create_item(actor=admin, code=code, guide=raw, parent=parent_item, sort_order=n + 1,
                                           **lists))
    services.publish_for_seeding(actor=admin, versions=drafts, name="演示事项")
    for n, b in enumerate(data["bundles"]):
        services.save_bundle(actor=admin, sort_order=n + 1, **{**b, "items": [
            ServiceItem.objects.get(code=c) for c in b["items"]]})
    load_search_dictionary(admin, data)
    return admin


def catalogue_kinds() -> list[str]:
    """Every kind but the knowledge base's articles (they have their own tests): the catalogue's
    items and bundles, and a test's decoys."""
    return [k for k in engine.sources() if k != "article"]


def top(q: str, n: int = 3) -> list[str]:
    return [h.doc.key.split(":", 1)[1] for h in engine.search(q, kinds=catalogue_kinds()).hits[:n]]


def titles(q: str, n: int = 3) -> list[str]:
    return [h.doc.title for h in engine.search(q, kinds=catalogue_kinds()).hits[:n]]


# --- what citizens type -----------------------------------------------------------------------

def test_a_people_word_finds_the_catalogue_item_first(demo):
    """个体户 is what people say; the catalogue says 个体工商户. The main item is applied for
    through its sub-items, so the new registration (设立) comes first."""
    assert titles("个体户", 1) == ["个体工商户设立登记"]
    assert top("社保卡", 1) == ["430703-RSJ-001"]
    assert top("退休", 1) == ["430703-RSJ-005"]


def test_a_homophone_typo_still_finds_the_item(demo):
    assert MARRIAGE in top("结昏登记")
    assert top("身分证", 1) == ["430703-GAFJ-001"]


def test_a_life_event_points_to_its_bundle_and_its_items_follow(demo):
    """开饭店 names no item; the dictionary says it is 开餐馆, the name of a bundle, whose
    items come right behind it, in the bundle's order."""
    assert top("开饭店") == ["BUNDLE-KCG", "430703-SCJGJ-001-01", "430703-SCJGJ-003-01"]
    page = selectors.find_items(selectors.Filters(q="开饭店"))
    assert [b.bundle.code for b in page.bundles] == ["BUNDLE-KCG"]
    assert page.results[0].item.code == "430703-SCJGJ-001-01"


def test_intent_words_point_to_the_right_sub_item(demo):
    assert titles("个体户注销", 1) == ["个体工商户注销登记"]
    assert titles("个体户不干了", 1) == ["个体工商户注销登记"]
    assert titles("结婚证丢了", 1) == ["补领婚姻登记证"]
    assert titles("食品许可证到期了", 1) == ["食品经营许可（延续）"]


def test_a_match_in_the_name_ranks_above_a_match_in_the_materials(demo):
    """营业执照 is on many checklists; the items whose names people mean come first."""
    assert set(top("营业执照", 2)) <= {"430703-SCJGJ-001-01", "430703-SCJGJ-002", "430703-SCJGJ-002-01"}


def test_the_demo_page_shows_people_words_highlighted_by_what_they_mean(client, demo):
    page = client.get("/items/", {"q": "结昏登记"}).content.decode()
    assert "内地居民<mark>结婚登记</mark>" in page


# --- the index is right in every process ------------------------------------------------------

def test_a_dictionary_change_is_seen_at_the_next_search_without_restarting(demo):
    """The index lives in each process; a change anywhere replaces a token in the database,
    which every process reads before searching."""
    assert top("小龙虾") == []
    before = engine.index()
    services.save_phrase(actor=demo, phrase="小龙虾", targets="餐馆、食品经营")
    assert engine.current_stamp() != before.stamp
    assert "BUNDLE-KCG" in top("小龙虾")
    entry = SearchPhrase.objects.get(phrase="小龙虾")
    assert TrailEntry.objects.filter(action="catalog.search_phrase.create", object_id=str(entry.pk)).exists()
    services.delete_phrase(actor=demo, entry=entry)
    assert top("小龙虾") == []


def test_a_published_item_is_found_at_once(demo):
    from .conftest import make_item

    assert top("电动自行车") == []
    department = ServiceItem.objects.get(code=MARRIAGE).current.department
    make_item(demo, department, code="430703-T-EBIKE", name="电动自行车登记")
    assert top("电动自行车", 1) == ["430703-T-EBIKE"]


def test_an_upper_app_registers_its_documents_without_the_catalogue_importing_it(demo):
    """The hotline's knowledge base (a later app, upper floor) plugs in like this."""
    articles = [Document(key="article:1", kind="article", title="社保卡丢了怎么补办？", url="/kb/1/",
                         body="带上身份证到人社窗口或在网上申请补领社会保障卡。")]
    previous = engine.sources().get("article")  # the knowledge base's own, put back afterwards
    engine.register_source("article", lambda: articles, stamp="test-articles", label="Article")
    try:
        engine.touch("test-articles")
        found = engine.search("社保卡丢了")
        assert {"article:1", "item:430703-RSJ-001"} <= {h.doc.key for h in found.hits[:3]}
        assert [h.doc.kind for h in engine.search("社保卡", kinds=["article"]).hits] == ["article"]
    finally:
        engine.unregister_source("article")
        if previous is not None:
            engine.register_source(previous.kind, previous.documents, stamp=previous.stamp, label=previous.label,
                                   corroborates=previous.corroborates)


# --- the search log: zero results and clicks, without personal data ------------------------------

def test_a_zero_result_search_is_logged_without_personal_data(client, demo):
    client.get("/items/", {"q": "摩托车驾照年审"})
    logged = SearchQuery.objects.get(query="摩托车驾照年审")
    assert (logged.searches, logged.zero_results, logged.last_results) == (1, 1, 0)
    # an ID number, a mobile (however spaced), an e-mail typed into the box are never stored
    for q in ("430703199001011234", "查进度 139 0736 0001", "zhang@example.com 低保", "４３０７０３１９９００１０１１２３Ｘ"):
        client.get("/items/", {"q": q})
    stored = list(SearchQuery.objects.values_list("query", flat=True))
    assert not [s for s in stored if any(c.isdigit() for c in s) or "@" in s], stored
    assert {"#", "查进度 #", "# 低保"} <= set(stored)
    # nothing about who searched: the model has no field for it
    fields = {f.name for f in SearchQuery._meta.get_fields()}
    assert fields == {"id", "query", "searches", "zero_results", "clicks", "last_results", "first_seen", "last_seen",
                      "dismissed_at"}


def test_result_links_count_the_click_and_go_only_to_indexed_documents(client, demo):
    page = client.get("/items/", {"q": "社保卡"}).content.decode()
    logged = SearchQuery.objects.get(query="社保卡")
    link = f"{reverse('catalog:search-open', args=[logged.pk])}?to=item:430703-RSJ-001"
    assert link.replace("&", "&amp;") in page or link in page
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/items/430703-RSJ-001/"
    logged.refresh_from_db()
    assert logged.clicks == 1
    for bad in ("https://evil.example/", "item:NOPE", "//evil.example"):
        assert client.get(reverse("catalog:search-open", args=[logged.pk]), {"to": bad}).status_code == 404
    logged.refresh_from_db()
    assert logged.clicks == 1


def test_catalogue_admins_see_zero_result_and_low_click_queries_as_work_to_do(client, demo):
    for _ in range(2):
        client.get("/items/", {"q": "摩托车驾照年审"})
    for _ in range(5):
        client.get("/items/", {"q": "登记"})  # found, never opened
    admin_client = client_for(demo)
    page = admin_client.get(reverse("catalog:search-work")).content.decode()
    assert "摩托车驾照年审" in page and "登记" in page
    # the admin teaches the search the word; the list shows at once what it finds now
    services.save_phrase(actor=demo, phrase="摩托车驾照年审", targets="机动车维修")
    assert "机动车维修经营备案" in admin_client.get(reverse("catalog:search-work")).content.decode()
    # and dismisses the line
    q = SearchQuery.objects.get(query="摩托车驾照年审")
    assert admin_client.post(reverse("catalog:search-dismiss", args=[q.pk])).status_code == 302
    work = selectors.search_work()
    assert q.pk not in [line.query.pk for line in work.zero]
    assert TrailEntry.objects.filter(action="catalog.search_query.dismiss", object_id=str(q.pk)).exists()


def test_citizens_cannot_see_the_work_list(client, demo, citizen):
    client.force_login(citizen)
    assert client.get(reverse("catalog:search-work")).status_code == 403


def test_the_dictionary_is_edited_in_the_admin_and_the_search_learns_it(demo):
    c = client_for(demo)
    response = c.post(reverse("admin:catalog_searchphrase_add"), {
        "phrase": "办健康证", "kind": "synonym", "targets": "公共场所卫生许可", "note": "热线常问"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert top("办健康证", 1) == ["430703-WJJ-003"]


def test_the_api_searches_every_kind_of_document(client, demo):
    data = client.get("/api/v1/search", {"q": "开饭店"}).json()
    first = data["results"][0]
    assert (first["kind"], first["code"], first["title"]) == ("bundle", "BUNDLE-KCG", "开餐馆一件事")
    assert first["url"].endswith("/bundles/BUNDLE-KCG/")


def client_for(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db(transaction=True)
def test_a_web_process_warms_its_index_in_the_background(settings, monkeypatch):
    """onetrip/wsgi.py starts the warm-up (SEARCH_WARM_AT_START); warm() builds the index this
    process's first search then finds ready."""
    import importlib

    from onetrip.catalog import engine

    started: list[bool] = []
    monkeypatch.setattr(engine, "warm_in_background", lambda: started.append(True))
    settings.SEARCH_WARM_AT_START = False
    import onetrip.wsgi

    importlib.reload(onetrip.wsgi)
    assert started == []
    settings.SEARCH_WARM_AT_START = True
    importlib.reload(onetrip.wsgi)
    assert started == [True]
    engine._CACHE.clear()
    engine.warm()
    assert "index" in engine._CACHE


# --- a name match of the real thing wins over names that merely contain the query -----------

class decoys:
    """Documents named like the padded benchmark's generated items (three catalogue words run
    together: 运输结婚登记), each with a checklist of common materials and no result: they contain
    the query in their names as much as the real item does."""

    MATERIALS = "申请书；居民身份证；营业执照；户口簿；结婚证；常德市鼎城区交通运输局"

    def __init__(self, *names: str) -> None:
        self.docs = [Document(key=f"decoy:{n}", kind="decoy", title=name, url=f"/decoy/{n}/", body=self.MATERIALS)
                     for n, name in enumerate(names)]

    def __enter__(self) -> decoys:
        engine.register_source("decoy", lambda: self.docs, stamp="test-decoys", label="Decoy")
        engine.touch("test-decoys")
        return self

    def __exit__(self, *exc: object) -> None:
        engine.unregister_source("decoy")


def test_an_item_whose_result_and_materials_speak_of_the_query_beats_names_that_only_contain_it(demo):
    """Shorter names used to win a tie of equal name matches. The real item's other fields
    corroborate its name (it issues 结婚证; 公共场所卫生许可申请表 is on its checklist); the
    decoys hold the words only in their names (and 结婚证 as one common material among others)."""
    with decoys("运输结婚登记", "零售结婚登记", "结婚登记税务", "药品卫生许可", "卫生许可迁移", "零售卫生许可"):
        assert top("结婚登记", 1) == [MARRIAGE]
        assert top("结昏登记", 1) == [MARRIAGE]
        assert MARRIAGE in top("jiehun", 2)  # pinyin: jiehunzheng, its result (补领婚姻登记证 issues one too)
        assert top("卫生许可", 1) == ["430703-WJJ-003"]


def test_a_dictionary_word_finds_the_items_that_issue_it_before_names_that_contain_it(demo):
    """营业执照 → 个体工商户设立 (the dictionary); the items that issue a business licence come
    before decoys named with the word that merely ask for one."""
    with decoys("零售药品营业执照", "营业执照结婚转移", "参保施工营业执照"):
        assert set(top("营业执照", 2)) <= {"430703-SCJGJ-001-01", "430703-SCJGJ-002", "430703-SCJGJ-002-01"}


def test_a_material_on_every_checklist_corroborates_little(demo):
    """A pair that many documents' bodies hold is worth less than a rare one (inverse document
    frequency; in a catalogue of 10 000, a pair held by at most 1 % of them counts in full)."""
    idx = engine.index()
    common = next(d for w, d in idx.support_exact["身份"] if w == engine.W_BODY)  # 居民身份证: most checklists
    assert len(common) > 0.3 * idx.evidence_docs == 0.3 * sum(d.kind == "item" for d in idx.docs)
    assert engine._rarity(idx, engine.W_BODY, common) < 0.5 * engine.CORROBORATION
    rare = next(d for w, d in idx.support_exact["宅基"] if w == engine.W_BODY)
    assert engine._rarity(idx, engine.W_BODY, rare) > 3 * engine._rarity(idx, engine.W_BODY, common)
    assert engine._rarity(idx, engine.W_KEYWORDS, rare) == 2 * engine._rarity(idx, engine.W_BODY, rare)


def test_an_item_result_is_one_of_its_keywords(demo):
    """What an item issues is searched like its keywords (结婚证 → marriage registration)."""
    idx = engine.index()
    assert "结婚证" in idx.docs[idx.by_key[f"item:{MARRIAGE}"]].keywords
    assert MARRIAGE in top("结婚证", 3)
