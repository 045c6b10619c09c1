"""知识库 (the knowledge base), as the guide to it reads (docs/knowledge.md): articles written from
each published guide and rewritten with each new version; written articles flagged for review
when their item's guide changes; answers promoted from tickets published only once the owner
department approves; validity dates; suggestions in the order a question asks; "did it help"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onetrip.accounts.models import Role
from onetrip.catalog import services as catalog
from onetrip.core.models import TrailEntry
from onetrip.knowledge import rules, selectors, services
from onetrip.knowledge.models import Article, ArticleState, Feedback, Source, Topic

from .conftest import make_item, make_user, publish_reviewed
from .hotline_fixtures import build_centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(department: Any) -> Any:
    return build_centre(department)


@pytest.fixture
def published(catalog_admin: Any, department: Any) -> Any:
    return make_item(catalog_admin, department, "430703-SCJGJ-001",
                     fees=[{"name": "工本费", "standard": "每本10元", "basis": "湘发改价费〔2020〕1号"}])


def _of(version: Any) -> dict[str, Article]:
    return {a.topic: a for a in Article.objects.filter(from_item=version.item, source=Source.CATALOGUE)}


def _new_version(admin: Any, version: Any, **guide: Any) -> Any:
    draft = catalog.start_draft(actor=admin, item=version.item)
    catalog.update_draft(actor=admin, version=draft, guide=guide)
    publish_reviewed(admin, [draft])
    draft.refresh_from_db()
    return draft


def test_publishing_a_guide_writes_its_five_articles(published):
    articles = _of(published)
    assert set(articles) == {Topic.MATERIALS, Topic.TIME, Topic.WHERE, Topic.FEES, Topic.ONLINE}
    materials = articles[Topic.MATERIALS]
    assert "个体工商户设立登记" in materials.question
    assert "个体工商户登记（备案）申请书" in materials.answer
    assert "经营场所使用证明" in materials.answer and "租赁场所时提供" in materials.answer
    assert "15" in articles[Topic.TIME].answer and "3" in articles[Topic.TIME].answer
    assert "每本10元" in articles[Topic.FEES].answer
    assert all(a.state == ArticleState.PUBLISHED and a.owner == published.department for a in articles.values())
    assert list(materials.items.all()) == [published.item]
    assert TrailEntry.objects.filter(action="knowledge.guide_articles", object_id=str(published.item.pk)).exists()


def test_a_new_version_rewrites_the_articles_in_place(published, catalog_admin):
    before = _of(published)
    Article.objects.filter(pk=before[Topic.TIME].pk).update(helped=4)
    v2 = _new_version(catalog_admin, published, promised_limit_days=1)
    after = _of(v2)
    assert {t: a.pk for t, a in after.items()} == {t: a.pk for t, a in before.items()}
    assert after[Topic.TIME].from_version == v2
    assert "1" in after[Topic.TIME].answer and after[Topic.TIME].answer != before[Topic.TIME].answer
    assert after[Topic.TIME].helped == 4  # the same article: what people said of it stays
    assert not any(a.needs_review for a in after.values())  # the guide's own are rewritten, not flagged


def test_a_written_article_about_the_item_is_flagged_when_its_guide_changes(published, catalog_admin, centre):
    written = services.create_article(actor=centre.operator, question="个体户执照丢了怎么办？", answer="先登报声明。",
                                      items=[published.item])
    unrelated = services.create_article(actor=centre.operator, question="公积金怎么提取？", answer="带身份证。")
    v2 = _new_version(catalog_admin, published, promised_limit_days=2)
    written.refresh_from_db()
    unrelated.refresh_from_db()
    assert written.needs_review and f"version {v2.number}" in written.review_reason
    assert not unrelated.needs_review
    assert [a.pk for a in selectors.review_queue()] == [written.pk]
    services.mark_reviewed(actor=centre.operator, article=written)
    assert not Article.objects.get(pk=written.pk).needs_review
    with pytest.raises(ValidationError):
        services.mark_reviewed(actor=centre.operator, article=written)


def test_articles_written_from_the_guide_change_only_with_the_guide(published, centre):
    a = _of(published)[Topic.FEES]
    with pytest.raises(ValidationError, match="change the guide"):
        services.update_article(actor=centre.operator, article=a, question="改一下", answer="不收费")
    with pytest.raises(ValidationError, match="change the guide"):
        services.retire(actor=centre.operator, article=a, reason="不要了")
    assert Article.objects.get(pk=a.pk).answer == a.answer


def test_only_writers_write(published, centre, citizen):
    for who in (citizen, centre.officer):
        with pytest.raises(PermissionDenied):
            services.create_article(actor=who, question="问", answer="答")
    assert not Article.objects.filter(question="问").exists()


def test_bad_input_is_refused_with_the_field_named_and_nothing_written(centre):
    with pytest.raises(ValidationError) as exc:
        services.create_article(actor=centre.operator, question="  ", answer="", valid_from=dt.date(2026, 5, 1),
                                valid_to=dt.date(2026, 4, 1))
    assert set(exc.value.message_dict) == {"question", "answer", "valid_to"}
    with pytest.raises(ValidationError) as exc:
        services.create_article(actor=centre.operator, question="问" * 201, answer="答")
    assert "question" in exc.value.message_dict
    assert not Article.objects.exists()


def test_suggestions_put_the_topic_asked_first(published):
    by_topic = _of(published)
    for question, topic in [("个体工商户设立登记要带什么材料", Topic.MATERIALS),
                            ("个体工商户设立登记多久能办好", Topic.TIME),
                            ("个体工商户设立登记在哪里办", Topic.WHERE),
                            ("个体工商户设立登记收费吗", Topic.FEES),
                            ("个体工商户设立登记可以网上办吗", Topic.ONLINE)]:
        found = selectors.suggest(question)
        assert found and found[0].article.pk == by_topic[topic].pk, question
        assert found[0].topic_matched


def test_suggestions_understand_typos_through_pinyin(published):
    found = selectors.suggest("个体工商户设立登计要带什么")  # 计 for 记
    assert found and found[0].article.pk == _of(published)[Topic.MATERIALS].pk


def test_only_current_articles_are_suggested(centre):
    today = dt.date.today()
    services.create_article(actor=centre.operator, question="冬季供暖补贴怎么申请？", answer="去年的答案",
                            valid_to=today - dt.timedelta(days=1))
    future = services.create_article(actor=centre.operator, question="明年供暖补贴怎么申请？", answer="明年的答案",
                                     valid_from=today + dt.timedelta(days=1))
    now = services.create_article(actor=centre.operator, question="今年供暖补贴怎么申请？", answer="今年的答案",
                                  valid_from=today, valid_to=today)
    assert [s.article.pk for s in selectors.suggest("供暖补贴")] == [now.pk]
    assert rules.is_current(future, today + dt.timedelta(days=1)) and not rules.is_current(future, today)
    retired = services.retire(actor=centre.operator, article=now, reason="政策到期")
    assert retired.state == ArticleState.RETIRED and selectors.suggest("供暖补贴") == []


def test_a_promoted_answer_is_used_only_once_its_department_approves(centre):
    a = services.propose_from_ticket(actor=centre.operator, ticket_number="RX20261128-0001",
                                     question="烧烤摊油烟扰民找谁？", answer="由区城管局和市场监管局依职责处理。",
                                     owner=centre.department)
    assert a.state == ArticleState.PROPOSED and a.source == Source.TICKET
    assert selectors.suggest("烧烤油烟") == []
    with pytest.raises(PermissionDenied):  # another department's officer
        services.decide(actor=centre.other_officer, article=a, approve=True)
    with pytest.raises(PermissionDenied):  # the centre proposes; it does not approve
        services.decide(actor=centre.operator, article=a, approve=True)
    assert Article.objects.get(pk=a.pk).state == ArticleState.PROPOSED
    services.decide(actor=centre.officer, article=a, approve=True, note="可以")
    assert [s.article.pk for s in selectors.suggest("烧烤油烟")] == [a.pk]
    with pytest.raises(ValidationError, match="not waiting"):
        services.decide(actor=centre.officer, article=a, approve=False, note="再看看")


def test_a_rejection_needs_reasons(centre):
    a = services.propose_from_ticket(actor=centre.operator, ticket_number="RX1", question="问？", answer="答。",
                                     owner=centre.department)
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=centre.head, article=a, approve=False, note=" ")
    assert "note" in exc.value.message_dict
    services.decide(actor=centre.head, article=a, approve=False, note="答复不准确，请按最新政策改写")
    a.refresh_from_db()
    assert a.state == ArticleState.REJECTED and a.decided_by == centre.head
    with pytest.raises(ValidationError):
        services.propose_from_ticket(actor=centre.operator, ticket_number="RX2", question="问？", answer="答。",
                                     owner=None)


def test_feedback_is_counted_without_personal_data_and_limited_per_address(published, settings):
    settings.KNOWLEDGE_FEEDBACK_PER_HOUR = 2
    a = _of(published)[Topic.MATERIALS]
    services.record_feedback(article=a, helped=True, where=Feedback.Where.WEB, client="10.0.0.1")
    services.record_feedback(article=a, helped=False, where=Feedback.Where.WEB, client="10.0.0.1")
    with pytest.raises(services.Throttled):
        services.record_feedback(article=a, helped=True, where=Feedback.Where.WEB, client="10.0.0.1")
    a.refresh_from_db()
    assert (a.helped, a.not_helped) == (1, 1)
    assert {f.name for f in Feedback._meta.get_fields()} == {"id", "article", "helped", "where", "at"}


def test_feedback_on_an_article_no_longer_in_use_is_refused(centre):
    a = services.create_article(actor=centre.operator, question="问？", answer="答。")
    services.retire(actor=centre.operator, article=a, reason="过时")
    with pytest.raises(ValidationError):
        services.record_feedback(article=a, helped=True, where=Feedback.Where.WEB)
    assert not Feedback.objects.exists()


def test_the_topic_words(published):
    assert rules.topics_asked("开饭店要带什么证件") == {Topic.MATERIALS}
    assert rules.topics_asked("多少钱，网上能办吗") == {Topic.FEES, Topic.ONLINE}
    assert rules.topics_asked("个体户") == set()


def test_who_may_approve(centre):
    a = services.propose_from_ticket(actor=centre.operator, ticket_number="RX3", question="问？", answer="答。",
                                     owner=centre.department)
    assert rules.may_approve(centre.officer, a) and rules.may_approve(centre.head, a)
    assert not rules.may_approve(centre.other_officer, a)
    assert not rules.may_approve(make_user(Role.SUPERVISOR), a)
