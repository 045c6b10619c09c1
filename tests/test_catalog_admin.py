"""The catalogue admin pages (审改办): drafts editable, published versions read-only, new drafts
through the services, publishing proposed for a second admin's review."""

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
def test_start_a_draft_and_propose_it_from_the_admin(client, catalog_admin, department):
    v = make_item(catalog_admin, department)
    client.force_login(catalog_admin)
    client.post("/admin/catalog/serviceitem/", {"action": "start_drafts", "_selected_action": [v.item.pk]})
    draft = ItemVersion.objects.get(item=v.item, status="draft")
    page = client.get(f"/admin/catalog/itemversion/{draft.pk}/change/")
    assert 'name="_save"' in page.content.decode()
    # The admin action no longer publishes: it opens the publication workbench with the draft ticked.
    response = client.post("/admin/catalog/itemversion/", {"action": "propose_selected", "_selected_action": [draft.pk]})
    assert response.status_code == 302 and response["Location"] == f"/manage/catalogue/publications/?draft={draft.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'value="{draft.pk}" id="draft-{draft.pk}" checked' in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not TrailEntry.objects.filter(action__startswith="catalog.publication").exists()


@pytest.mark.django_db
def test_a_draft_awaiting_review_is_read_only_in_the_admin(client, catalog_admin, department):
    from onetrip.catalog import services

    draft = make_item(catalog_admin, department, publish=False)
    services.propose_publication(actor=catalog_admin, versions=[draft], name="第一批")
    client.force_login(catalog_admin)
    page = client.get(f"/admin/catalog/itemversion/{draft.pk}/change/").content.decode()
    assert 'name="_save"' not in page


@pytest.mark.django_db
def test_a_supervisor_cannot_use_the_catalogue_admin(client, department):
    from .conftest import make_user

    client.force_login(make_user("supervisor"))
    assert client.get("/admin/catalog/itemversion/").status_code == 302
