"""Other matters e-supervision cards, besides cases: apps on this floor or above (the 12345 hotline)
register a source here in their ``AppConfig.ready``; the card job (``services.issue_cards``) asks
each source what is due and issues each card once, by its key. Supervision imports none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CardDue:
    """One card a source says is due. ``key`` must be unique and stable (it makes the card once)."""

    key: str
    colour: str  # CardColour
    reason: str  # CardReason
    department_id: int
    detail: str = ""
    officer_id: int | None = None


Source = Callable[[dt.date, int], Iterable[CardDue]]
SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add a source of cards; registering one name twice with another function is an error."""
    old = SOURCES.get(name)
    if old is not None and old is not source:
        raise ValueError(f"two card sources are named {name!r}")
    SOURCES[name] = source
