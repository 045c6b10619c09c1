"""The catalogue admin pages (审改办): drafts editable, published versions read-only, publishing
and new drafts through the services."""

import pytest

from onetrip.catalog.models import ItemVersion
from onetrip.core.models import TrailEntry

from .conftest import make_item


@pytest.mark.django_db
def test_a_published_version_is_read_only_in_the_admin(client, catalog_admin, department):
    v = make_item(catalog_admin, department)
    client.force_login(catalog_admin)
    page = client.get(f"/admin/catalog/itemversion/{v.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    r = client.post(f"/admin/catalog/itemversion/{v.pk}/change/", {"name": "改名"})
    assert r.status_code == 403
    v.refresh_from_db()
    assert v.name == "个体工商户设立登记"


@pytest.mark.django_db
def test_start_a_draft_and_publish_it_from_the_admin(client, catalog_admin, department):
    v = make_item(catalog_admin, department)
    client.force_login(catalog_admin)
    client.post("/admin/catalog/serviceitem/", {"action": "start_drafts", "_selected_action": [v.item.pk]})
    draft = ItemVersion.objects.get(item=v.item, status="draft")
    page = client.get(f"/admin/catalog/itemversion/{draft.pk}/change/")
    assert 'name="_save"' in page.content.decode()
    client.post("/admin/catalog/itemversion/", {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    v.refresh_from_db()
    assert draft.status == "published" and v.status == "superseded"
    assert TrailEntry.objects.filter(action="catalog.publish").count() == 2


@pytest.mark.django_db
def test_a_supervisor_cannot_use_the_catalogue_admin(client, department):
    from .conftest import make_user

    client.force_login(make_user("supervisor"))
    assert client.get("/admin/catalog/itemversion/").status_code == 302
