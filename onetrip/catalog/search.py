"""Where Latin input (pinyin, pinyin initials, English) falls on Chinese text, for highlighting
what a search matched. The search itself is ``onetrip.catalog.engine``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from onetrip.catalog.engine import _HAN


def highlight_marks(text: str, tokens: list[str]) -> list[bool]:
    """For each character of ``text``: does one of the Latin tokens spell it (by pinyin
    initials or full pinyin, from a Han character), or match it as a Latin word?"""
    marked = [False] * len(text)
    lower = text.lower()
    initials, fulls = _char_pinyin(text)
    for token in tokens:
        for start in range(len(text)):
            if not _HAN.match(text[start]):
                continue
            end = _spell(initials, start, token) or _spell(fulls, start, token)
            if end:
                for i in range(start, end):
                    marked[i] = True
                break
        else:
            start_en = lower.find(token)
            if start_en != -1:
                for i in range(start_en, start_en + len(token)):
                    marked[i] = True
    return marked


def _blanks(chars: str) -> Any:
    """pypinyin's error handler: one empty syllable for each character without pinyin."""
    return [""] * len(chars)


@lru_cache(maxsize=50_000)
def _char_pinyin(text: str) -> tuple[list[str], list[str]]:
    """Initials and full pinyin of each character ("" for characters that have none). Names
    of materials repeat across thousands of items, so this is memoised."""
    from pypinyin import Style, lazy_pinyin  # on first use: about 55 MB of phrase tables

    def per_char(style: Style) -> list[str]:
        out = lazy_pinyin(text, style=style, errors=_blanks)
        if len(out) != len(text):  # segmentation did not keep one syllable a character
            out = [(lazy_pinyin(c, style=style, errors="ignore") or [""])[0] for c in text]
        return out

    return per_char(Style.FIRST_LETTER), per_char(Style.NORMAL)


def _spell(parts: list[str], start: int, token: str) -> int:
    """If the pinyin pieces from ``start`` spell ``token``, return the end index."""
    spelled = ""
    i = start
    while i < len(parts) and len(spelled) < len(token):
        if not parts[i]:
            return 0
        spelled += parts[i]
        i += 1
        if not token.startswith(spelled[: len(token)]):
            return 0
    return i if spelled.startswith(token) or (spelled == token) else 0
