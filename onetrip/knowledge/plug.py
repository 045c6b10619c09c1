"""How the knowledge base plugs in (called from ``KnowledgeConfig.ready``): its published
articles are a kind of document in the one search engine (``catalog.engine``), and each
publication of guides rewrites the articles written from them (``catalog.hooks``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onetrip.catalog import hooks
from onetrip.catalog.engine import Document, register_source
from onetrip.catalog.models import ItemVersion
from onetrip.knowledge.models import Article, ArticleState, Source

KIND = "article"
ITEM = "item"  # the catalogue's kind: an item found stands for the articles written from its guide


def article_key(pk: int) -> str:
    return f"{KIND}:{pk}"


def article_documents() -> Iterator[Document]:
    """Each published article people wrote (those written from a guide are found through their
    item's own document, ``selectors.suggest``): its question as the title, its tags and its items' names and
    results (营业执照, 食品经营许可证) as keywords, its answer as the body. Two queries however many articles. Validity dates are
    checked when a search's hits are read, so that a date passing needs no rebuild."""
    published = Article.objects.filter(state=ArticleState.PUBLISHED).exclude(source=Source.CATALOGUE)
    rows = list(published.values_list("id", "question", "answer", "tags"))
    names: dict[int, list[str]] = defaultdict(list)
    for aid, name, result in Article.items.through.objects.filter(
            article__in=published, serviceitem__current__isnull=False).values_list(
            "article_id", "serviceitem__current__name", "serviceitem__current__result_name"):
        names[aid] += [name, result]
    before, _marker, after = reverse("knowledge:article", args=[0]).rpartition("0")
    for pk, question, answer, tags in rows:
        yield Document(key=article_key(pk), kind=KIND, title=question, url=f"{before}{pk}{after}", body=answer,
                       keywords=" ".join([tags, *names.get(pk, [])]), ref=pk)


def _rewrite(versions: Sequence[ItemVersion]) -> None:
    from onetrip.knowledge import services

    services.write_from_guides(versions)


def connect() -> None:
    from onetrip.knowledge.services import KNOWLEDGE

    register_source(KIND, article_documents, stamp=KNOWLEDGE, label=_("Answer"))
    hooks.on_published("knowledge.guide_articles", _rewrite)
