"""The knowledge base's rules, each in one function (docs/knowledge.md).

- 现行 (current): an article reaches operators, citizens and chat channels only while it is
  published and today lies inside its validity dates (``is_current``).
- 指南变更复核 (review on guide change): a written or promoted article linked to an item is
  flagged for review when a new version of the item's guide is published; articles written
  from the guide are rewritten instead (``flagged_by_new_guide``).
- 工单转知识 (promotion): an operator proposes a ticket's answer; the owner department approves
  it before anyone else sees it (``may_approve``).
- 提问意图 (topic asked): the words of a question that say which topic is asked about (what to
  bring, how long, where, fees, online), to put that article first (``topics_asked``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from onetrip.accounts.permissions import Capability, can
from onetrip.knowledge.models import Article, ArticleState, Source, Topic


def is_current(article: Article, on: dt.date) -> bool:
    """Published, and ``on`` lies inside its validity dates (either end open)."""
    return (article.state == ArticleState.PUBLISHED
            and (article.valid_from is None or article.valid_from <= on)
            and (article.valid_to is None or on <= article.valid_to))


def flagged_by_new_guide(article: Article) -> bool:
    """Which articles linked to an item a new guide puts up for review: those people wrote
    (written or promoted), still published or proposed; the guide's own are rewritten."""
    return article.source != Source.CATALOGUE and article.state in (ArticleState.PUBLISHED,
                                                                      ArticleState.PROPOSED)


def may_edit(user: Any) -> bool:
    """The hotline centre and the catalogue admins write and look after articles."""
    return can(user, Capability.EDIT_KNOWLEDGE)


def may_approve(user: Any, article: Article) -> bool:
    """Only a member of the article's owner department approves or rejects its proposal."""
    return (article.state == ArticleState.PROPOSED and can(user, Capability.APPROVE_KNOWLEDGE)
            and article.owner_id is not None and getattr(user, "department_id", None) == article.owner_id)


def may_change(article: Article) -> bool:
    """Articles written from a guide change only with the guide."""
    return article.source != Source.CATALOGUE


TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    Topic.MATERIALS: ("材料", "带什么", "带啥", "证件", "准备什么", "准备啥", "要带", "bring", "documents", "materials"),
    Topic.TIME: ("多久", "多长时间", "几天", "时间", "时限", "多快", "how long", "days"),
    Topic.WHERE: ("在哪", "哪里", "哪儿", "地址", "窗口", "地点", "电话", "where", "address"),
    Topic.FEES: ("多少钱", "收费", "费用", "要钱", "花钱", "免费", "cost", "fee", "free"),
    Topic.ONLINE: ("网上", "在线", "线上", "手机", "不用跑", "online", "internet"),
}
_SPACES = re.compile(r"\s+")


def topics_asked(text: str) -> set[str]:
    """The topics a question asks about, from its words (none when it names none)."""
    t = _SPACES.sub(" ", (text or "").lower())
    return {topic for topic, words in TOPIC_WORDS.items() if any(w in t for w in words)}
