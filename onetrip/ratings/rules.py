"""The rules of 好差评, one named function each.

Sources: the five levels and the sub-ratings (二级指标) are those of the national 政务服务
"好差评" system (国务院办公厅《关于建立政务服务“好差评”制度提高政务服务水平的意见》,
国办发〔2019〕51号, and GB/T 39734-2020《政务服务评价工作指南》): 非常满意, 满意, 基本满意,
不满意, 非常不满意; online 整体满意度, 办事效率, 办事指南精确度, 办事便捷度, 平台操作性; on
site 整体满意度, 服务效率, 服务水平, 服务态度. 不满意 and 非常不满意 are the poor ratings
(差评) that must be put right; the other three are good ratings (好评).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onetrip.accounts.models import Role
from onetrip.ratings.models import Channel, Level

# The sub-ratings beside 整体满意度 (which is the rating's level), per channel.
ASPECTS: dict[str, list[tuple[str, Any]]] = {
    Channel.ONLINE: [("efficiency", _("Efficiency of handling")), ("guide", _("Accuracy of the service guide")),
                     ("convenience", _("Convenience")), ("platform", _("Ease of use of the platform"))],
    Channel.ONSITE: [("efficiency", _("Efficiency")), ("competence", _("Competence")), ("attitude", _("Attitude"))],
}
COMMENT_MAX = 500
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED)
POOR_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
DEFAULT_LEVEL = Level.SATISFIED
DEFAULT_AFTER_DAYS = 15
RECTIFICATION_WORKDAYS = 5
PAD_RECENT_MINUTES = 30


def valid_level(value: Any) -> bool:
    """五级评价: a level is one of 5 (非常满意) … 1 (非常不满意)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in Level.values


def clean_aspects(channel: str, aspects: Mapping[str, Any] | None) -> dict[str, int]:
    """The sub-ratings of the channel (二级指标), each optional, each a level; anything else is
    refused (``ValueError`` naming the key)."""
    known = {k for k, _label in ASPECTS[channel]}
    out: dict[str, int] = {}
    for key, value in (aspects or {}).items():
        if key not in known:
            raise ValueError(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            raise ValueError(key)
        try:
            level = int(value)
        except (TypeError, ValueError):
            raise ValueError(key) from None
        if not valid_level(level):
            raise ValueError(key)
        out[key] = level
    return out


def is_poor(level: int) -> bool:
    """差评: 不满意 or 非常不满意 — each opens a rectification (整改)."""
    return level in POOR_LEVELS


def default_after_days() -> int:
    """默认评价: a case not rated within this many days of its invitation (sent when the case is
    closed) gets the default rating. Setting ``RATINGS_DEFAULT_AFTER_DAYS``, default 15 days."""
    return int(getattr(settings, "RATINGS_DEFAULT_AFTER_DAYS", DEFAULT_AFTER_DAYS))


def default_level() -> Level:
    """默认好评: a case not rated in time counts as 满意 (the practice of the provincial 好差评
    systems under 国办发〔2019〕51号); it is stored with ``is_default`` and shown as a default
    rating, never as one the citizen gave."""
    return DEFAULT_LEVEL


def invitation_open(expires_at: dt.datetime, now: dt.datetime) -> bool:
    """An invitation link rates only before the period is over (then the default applies)."""
    return now < expires_at


def rectification_workdays() -> int:
    """差评整改时限: working days the department has to put a poor rating right, counted after the
    day it opened on the working-day clock (weekends and public holidays off, make-up days on:
    ``workcalendar.clock.deadline``). Setting ``RATINGS_RECTIFICATION_WORKDAYS``, default 5."""
    return int(getattr(settings, "RATINGS_RECTIFICATION_WORKDAYS", RECTIFICATION_WORKDAYS))


def works_for(user: Any, department_id: int | None) -> bool:
    """The department's own staff (officers and head) work its rectifications."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role in (Role.OFFICER, Role.DEPARTMENT_HEAD)
                and department_id is not None and user.department_id == department_id)


def may_decide_void(user: Any) -> bool:
    """恶意差评作废: only a supervisor (电子监察) decides whether a rating is voided."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.SUPERVISOR)


def may_watch(user: Any) -> bool:
    """Supervisors and system admins see every department's ratings and rectifications."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role in (Role.SUPERVISOR, Role.SYSTEM_ADMIN))


_DIGITS = re.compile(r"\d[\d\s-]{5,}[\dXx]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """评价公开 (anonymised): text published about a rectification keeps no phone, ID or case
    number, nor an e-mail address (any run of six or more digits is masked), nor the names of
    the people it is about (the applicant, the clerk), which are masked to their first character."""
    text = _EMAIL.sub("***", text or "")
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return _DIGITS.sub("***", text)


def satisfaction(counts: Mapping[int, int]) -> float | None:
    """满意率 over counts per level: (非常满意 + 满意 + 基本满意) / all ratings; None when there are
    none. Voided ratings are not counted; default ratings are."""
    total = sum(counts.get(level, 0) for level in Level.values)
    if total == 0:
        return None
    return sum(counts.get(level, 0) for level in GOOD_LEVELS) / total
