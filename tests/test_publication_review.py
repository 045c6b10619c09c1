"""Two people publish (成熟一批、公布一批, with a second pair of eyes): one catalogue admin proposes a
batch of drafts, a second one approves it, and only then do the guides go public; or the second
admin sends it back with reasons."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from onetrip.accounts.models import Role
from onetrip.catalog import selectors, services
from onetrip.catalog.models import ItemVersion, PublicationBatch
from onetrip.core.models import TrailEntry

from .conftest import make_item, make_user


@pytest.fixture
def reviewer(department):
    return make_user(Role.CATALOG_ADMIN)


@pytest.fixture
def drafts(catalog_admin, department):
    return [make_item(catalog_admin, department, code="P-1", publish=False),
            make_item(catalog_admin, department, code="P-2", name="食品经营许可", publish=False)]


@pytest.fixture
def proposed(catalog_admin, drafts):
    return services.propose_publication(actor=catalog_admin, versions=drafts, name="第三批", note="请审核")


@pytest.mark.django_db
def test_a_proposed_batch_is_not_public_until_a_second_admin_approves_it(catalog_admin, reviewer, proposed):
    assert proposed.status == "proposed" and proposed.proposed_by == catalog_admin
    assert selectors.guide("P-1") is None and selectors.guide("P-2") is None
    services.approve_publication(actor=reviewer, batch=proposed)
    proposed.refresh_from_db()
    assert proposed.status == "published" and proposed.published_by == reviewer and proposed.published_on
    assert selectors.guide("P-1").batch == proposed and selectors.guide("P-2").number == 1
    actions = dict(TrailEntry.objects.filter(action__startswith="catalog.publication").values_list("action", "actor_id"))
    assert actions == {"catalog.publication.propose": catalog_admin.pk, "catalog.publication.approve": reviewer.pk}


@pytest.mark.django_db
def test_the_proposer_cannot_approve_their_own_batch(catalog_admin, proposed):
    with pytest.raises(ValidationError, match="second catalogue admin must approve"):
        services.approve_publication(actor=catalog_admin, batch=proposed)
    proposed.refresh_from_db()
    assert proposed.status == "proposed"
    assert not ItemVersion.objects.filter(status="published").exists()
    assert not TrailEntry.objects.filter(action="catalog.publication.approve").exists()


@pytest.mark.django_db
def test_the_database_refuses_a_batch_approved_by_its_proposer(catalog_admin, proposed):
    with pytest.raises(IntegrityError):
        PublicationBatch.objects.filter(pk=proposed.pk).update(status="published", published_by=catalog_admin,
                                                                published_on="2026-01-01")


@pytest.mark.django_db
def test_a_rejection_needs_reasons_and_gives_the_drafts_back(catalog_admin, reviewer, proposed, drafts):
    with pytest.raises(ValidationError, match="Say why"):
        services.reject_publication(actor=reviewer, batch=proposed, reasons="  ")
    services.reject_publication(actor=reviewer, batch=proposed, reasons="P-2 的收费依据未填写")
    proposed.refresh_from_db()
    assert proposed.status == "rejected" and proposed.reviewed_by == reviewer
    assert proposed.review_note == "P-2 的收费依据未填写"
    assert not ItemVersion.objects.filter(status="published").exists()
    # The drafts can be corrected and proposed again.
    services.update_draft(actor=catalog_admin, version=drafts[1], guide={"promised_limit_days": 2})
    again = services.propose_publication(actor=catalog_admin, versions=drafts, name="第三批（修改后）")
    assert again.status == "proposed"
    assert TrailEntry.objects.filter(action="catalog.publication.reject", actor=reviewer).exists()


@pytest.mark.django_db
def test_the_proposer_cannot_reject_but_can_withdraw(catalog_admin, reviewer, proposed):
    with pytest.raises(ValidationError, match="withdraw it instead"):
        services.reject_publication(actor=catalog_admin, batch=proposed, reasons="不要了")
    with pytest.raises(ValidationError, match="Only the admin who proposed"):
        services.withdraw_publication(actor=reviewer, batch=proposed)
    services.withdraw_publication(actor=catalog_admin, batch=proposed)
    proposed.refresh_from_db()
    assert proposed.status == "withdrawn"
    with pytest.raises(ValidationError, match="no longer awaiting review"):
        services.approve_publication(actor=reviewer, batch=proposed)


@pytest.mark.django_db
def test_a_draft_under_review_is_frozen_and_in_one_batch_only(catalog_admin, proposed, drafts):
    with pytest.raises(ValidationError, match="awaiting review"):
        services.update_draft(actor=catalog_admin, version=drafts[0], guide={"promised_limit_days": 1})
    with pytest.raises(ValidationError, match="awaiting review"):
        services.discard_draft(actor=catalog_admin, version=drafts[0])
    with pytest.raises(ValidationError, match="already awaiting review"):
        services.propose_publication(actor=catalog_admin, versions=[drafts[0]], name="又一批")
    assert PublicationBatch.objects.count() == 1


@pytest.mark.django_db
def test_only_catalogue_admins_propose_and_approve(department, catalog_admin, proposed, drafts):
    officer = make_user(Role.OFFICER, department)
    with pytest.raises(PermissionDenied):
        services.approve_publication(actor=officer, batch=proposed)
    with pytest.raises(PermissionDenied):
        services.propose_publication(actor=officer, versions=drafts, name="x")


@pytest.mark.django_db
def test_public_pages_change_when_batches_are_approved_in_any_order(catalog_admin, reviewer, department):
    first = services.propose_publication(actor=catalog_admin, name="甲",
                                         versions=[make_item(catalog_admin, department, publish=False)])
    second = services.propose_publication(actor=catalog_admin, name="乙",
                                          versions=[make_item(catalog_admin, department, publish=False)])
    before = selectors.publication_stamp()
    services.approve_publication(actor=reviewer, batch=second)
    middle = selectors.publication_stamp()
    services.approve_publication(actor=reviewer, batch=first)
    assert len({before, middle, selectors.publication_stamp()}) == 3


# --- the pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_propose_on_the_workbench(client, catalog_admin, drafts):
    client.force_login(catalog_admin)
    page = client.get("/manage/catalogue/publications/").content.decode()
    assert "发布审核" in page and "P-1" in page
    response = client.post("/manage/catalogue/publications/", {"draft": [drafts[0].pk], "name": "第三批", "note": "急"})
    batch = PublicationBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/manage/catalogue/publications/{batch.pk}/"
    assert list(batch.proposed_versions.all()) == [drafts[0]] and batch.note == "急"
    # Your own proposal: no approve button, a withdraw button instead.
    page = client.get(response["Location"]).content.decode()
    assert "/approve/" not in page and "撤回" in page


@pytest.mark.django_db
def test_a_proposal_without_a_name_or_drafts_is_answered_with_the_problem(client, catalog_admin, drafts):
    client.force_login(catalog_admin)
    response = client.post("/manage/catalogue/publications/", {"name": "第三批"})
    assert response.status_code == 400 and "请至少选择一份要发布的草稿" in response.content.decode()
    response = client.post("/manage/catalogue/publications/", {"draft": [drafts[0].pk], "name": " "})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    assert not PublicationBatch.objects.exists()


@pytest.mark.django_db
def test_approving_on_the_page_asks_for_confirmation_first(client, reviewer, proposed):
    client.force_login(reviewer)
    page = client.get(f"/manage/catalogue/publications/{proposed.pk}/").content.decode()
    assert f'href="/manage/catalogue/publications/{proposed.pk}/approve/"' in page
    confirm = client.get(f"/manage/catalogue/publications/{proposed.pk}/approve/")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "发布前请核对" in text and "确认立即发布" in text
    proposed.refresh_from_db()
    assert proposed.status == "proposed"  # looking at the confirmation publishes nothing
    response = client.post(f"/manage/catalogue/publications/{proposed.pk}/approve/", {"comment": "同意"})
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "published" and proposed.review_note == "同意"
    assert client.get("/items/P-1/").status_code == 200


@pytest.mark.django_db
def test_the_proposer_cannot_approve_on_the_page_either(client, catalog_admin, proposed):
    client.force_login(catalog_admin)
    response = client.post(f"/manage/catalogue/publications/{proposed.pk}/approve/")
    assert response.status_code == 400
    assert "需由另一名目录管理员审核" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


@pytest.mark.django_db
def test_reject_on_the_page(client, reviewer, proposed):
    client.force_login(reviewer)
    url = f"/manage/catalogue/publications/{proposed.pk}/reject/"
    response = client.post(url, {"reasons": ""})
    assert response.status_code == 400 and 'href="#reasons"' in response.content.decode()
    response = client.post(url, {"reasons": "材料清单不全"})
    assert response.status_code == 302
    page = client.get(f"/manage/catalogue/publications/{proposed.pk}/").content.decode()
    assert "已退回" in page and "材料清单不全" in page


@pytest.mark.django_db
def test_the_workbench_is_for_catalogue_admins(client, citizen, department):
    client.force_login(citizen)
    assert client.get("/manage/catalogue/publications/").status_code == 403
    client.logout()
    assert client.get("/manage/catalogue/publications/").status_code == 302


@pytest.mark.django_db
def test_a_batch_page_lists_its_guides_also_for_a_batch_loaded_without_review(client, catalog_admin, department):
    v = make_item(catalog_admin, department, code="S-1", name="结婚登记")  # seeded, as the demo loads its history
    client.force_login(catalog_admin)
    page = client.get(f"/manage/catalogue/publications/{v.batch_id}/").content.decode()
    assert "结婚登记" in page and "初始导入（未经审核）" in page and "本批次共 1 个办事指南" in page


# --- the API ------------------------------------------------------------------------------------


def _token(client, user):
    from .conftest import PASSWORD

    r = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                    content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


@pytest.mark.django_db
def test_propose_and_approve_over_the_api_with_two_people(client, catalog_admin, reviewer, drafts):
    from .openapi import assert_matches

    spec = client.get("/api/openapi.json").json()
    proposer = _token(client, catalog_admin)
    r = client.post("/api/v1/publications", {"drafts": [d.pk for d in drafts], "name": "第三批"},
                    content_type="application/json", **proposer)
    batch = assert_matches(spec, "/api/v1/publications", "post", r)
    assert r.status_code == 201 and batch["status"] == "proposed" and len(batch["items"]) == 2
    path = f"/api/v1/publications/{batch['id']}/approve"
    r = client.post(path, {}, content_type="application/json", **proposer)
    assert r.status_code == 403 and "另一名目录管理员" in r.json()["detail"]
    r = client.post(path, {"comment": "同意"}, content_type="application/json", **_token(client, reviewer))
    done = assert_matches(spec, "/api/v1/publications/{pk}/approve", "post", r)
    assert r.status_code == 200 and done["status"] == "published" and done["published_by"] == reviewer.username
    assert client.get("/api/v1/items/P-1").status_code == 200


@pytest.mark.django_db
def test_the_api_refuses_non_admins_and_unnamed_batches(client, citizen, catalog_admin, drafts):
    r = client.get("/api/v1/publications", **_token(client, citizen))
    assert r.status_code == 403
    r = client.post("/api/v1/publications", {"drafts": [drafts[0].pk], "name": ""}, content_type="application/json",
                    **_token(client, catalog_admin))
    assert r.status_code == 400 and "name" in r.json()["errors"]
    assert not PublicationBatch.objects.exists()
