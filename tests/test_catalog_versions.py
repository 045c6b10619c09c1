"""成熟一批、公布一批: drafts are edited, published versions are frozen, history is kept."""

import pytest
from django.core.exceptions import ValidationError

from onetrip.catalog import selectors, services
from onetrip.catalog.models import ItemVersion, ServiceItem
from onetrip.core.models import TrailEntry

from .conftest import MATERIALS, guide, make_item, publish_reviewed


@pytest.mark.django_db
def test_a_new_item_starts_as_a_draft_the_public_cannot_see(catalog_admin, department, client):
    draft = make_item(catalog_admin, department, code="430703-SCJGJ-001", publish=False)
    assert draft.status == "draft" and draft.number == 1
    assert selectors.guide("430703-SCJGJ-001") is None
    assert client.get("/items/430703-SCJGJ-001/").status_code == 404


@pytest.mark.django_db
def test_publishing_puts_drafts_in_a_dated_batch(catalog_admin, department):
    a = make_item(catalog_admin, department, publish=False)
    b = make_item(catalog_admin, department, publish=False, name="食品经营许可")
    batch = publish_reviewed(catalog_admin, [a, b], "第一批")
    assert sorted(batch.versions.values_list("pk", flat=True)) == sorted([a.pk, b.pk])
    for v in (a, b):
        v.refresh_from_db()
        assert v.status == "published" and v.published_at is not None
        assert v.item.current_id == v.pk
    assert TrailEntry.objects.filter(action="catalog.publication.propose", object_id=str(batch.pk)).exists()
    assert TrailEntry.objects.filter(action="catalog.publication.approve", object_id=str(batch.pk)).exists()


@pytest.mark.django_db
def test_a_published_version_cannot_be_changed(catalog_admin, department):
    v = make_item(catalog_admin, department)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.update_draft(actor=catalog_admin, version=v, guide={"promised_limit_days": 1})
    with pytest.raises(ValidationError):
        services.update_draft(actor=catalog_admin, version=v, materials=[{"name": "新增材料"}])
    v.refresh_from_db()
    assert v.promised_limit_days == 3
    assert v.materials.count() == len(MATERIALS)


@pytest.mark.django_db
def test_a_new_draft_copies_the_published_version_and_publishing_it_supersedes_the_old(catalog_admin, department):
    v1 = make_item(catalog_admin, department)
    v2 = services.start_draft(actor=catalog_admin, item=v1.item)
    assert v2.number == 2 and v2.status == "draft"
    assert [m.name for m in v2.materials.all()] == [m.name for m in v1.materials.all()]
    services.update_draft(actor=catalog_admin, version=v2, guide={"promised_limit_days": 1},
                          materials=[{"name": "个体工商户登记（备案）申请书"}])
    # The public still sees version 1 while version 2 is a draft.
    assert selectors.guide(v1.item.code).number == 1
    publish_reviewed(catalog_admin, [v2], "第二批")
    v1.refresh_from_db()
    assert v1.status == "superseded"
    current = selectors.guide(v1.item.code)
    assert current.number == 2 and current.promised_limit_days == 1
    # Version 1 is kept whole: a case applied under it still reads what it said.
    old = selectors.version(v1.item.code, 1)
    assert old.promised_limit_days == 3 and old.materials.count() == len(MATERIALS)


@pytest.mark.django_db
def test_the_diff_names_what_changed(catalog_admin, department):
    v1 = make_item(catalog_admin, department)
    v2 = services.start_draft(actor=catalog_admin, item=v1.item)
    v2 = services.update_draft(actor=catalog_admin, version=v2, guide={"promised_limit_days": 1},
                               materials=[*MATERIALS[:2], {"name": "委托书", "required": False, "condition": "委托他人办理时"}])
    changes = selectors.diff_versions(v1, v2)
    assert ("promised_limit_days", 3, 1) in [(c.field, c.old, c.new) for c in changes]
    material_changes = [(c.old, c.new) for c in changes if c.field == "materials"]
    assert ("经营场所使用证明", None) in material_changes
    assert (None, "委托书") in material_changes


@pytest.mark.django_db
def test_only_one_draft_at_a_time(catalog_admin, department):
    v1 = make_item(catalog_admin, department)
    services.start_draft(actor=catalog_admin, item=v1.item)
    with pytest.raises(ValidationError, match="already has a draft"):
        services.start_draft(actor=catalog_admin, item=v1.item)


@pytest.mark.django_db
def test_a_promise_longer_than_the_law_is_refused_and_nothing_is_written(catalog_admin, department):
    with pytest.raises(ValidationError, match="promised time limit"):
        services.create_item(actor=catalog_admin, code="X-1",
                             guide=guide(department, legal_limit_days=5, promised_limit_days=10),
                             materials=MATERIALS)
    assert not ServiceItem.objects.filter(code="X-1").exists()


@pytest.mark.django_db
def test_bad_material_rows_are_named_and_nothing_is_written(catalog_admin, department):
    with pytest.raises(ValidationError) as exc:
        services.create_item(actor=catalog_admin, code="X-2", guide=guide(department),
                             materials=[{"name": "申请书"}, {"name": "", "form": "fax"}])
    assert "materials[2].form" in exc.value.message_dict
    assert "materials[2].name" in exc.value.message_dict
    assert not ServiceItem.objects.filter(code="X-2").exists()
    assert not TrailEntry.objects.filter(action="catalog.item.create").exists()


@pytest.mark.django_db
def test_an_item_without_materials_cannot_be_published(catalog_admin, department):
    draft = make_item(catalog_admin, department, publish=False, materials=[])
    with pytest.raises(ValidationError, match="empty materials checklist"):
        services.propose_publication(actor=catalog_admin, versions=[draft], name="第一批")
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.django_db
def test_sub_items_hang_under_their_main_item_with_their_own_checklist(catalog_admin, department):
    main = make_item(catalog_admin, department, name="食品经营许可")
    sub = make_item(catalog_admin, department, name="食品经营许可（新办）", parent=main.item,
                    materials=[{"name": "食品安全管理制度"}])
    assert list(selectors.sub_items_of(main.item)) == [sub.item]
    assert [m.name for m in sub.materials.all()] == ["食品安全管理制度"]
    with pytest.raises(ValidationError, match="cannot have sub-items"):
        make_item(catalog_admin, department, parent=sub.item)


@pytest.mark.django_db
def test_discarding_a_draft_leaves_the_published_version(catalog_admin, department):
    v1 = make_item(catalog_admin, department)
    draft = services.start_draft(actor=catalog_admin, item=v1.item)
    services.discard_draft(actor=catalog_admin, version=draft)
    assert list(ItemVersion.objects.filter(item=v1.item).values_list("number", flat=True)) == [1]
    with pytest.raises(ValidationError):
        services.discard_draft(actor=catalog_admin, version=v1)
