"""What apps above the catalogue do when guides are published, without the catalogue knowing
them: each registers a listener (in its ``AppConfig.ready``) that is called inside the
publication's transaction with the versions just made current. A listener that raises rolls
the publication back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetrip.catalog.models import ItemVersion

Listener = Callable[[Sequence["ItemVersion"]], None]

_LISTENERS: dict[str, Listener] = {}


def on_published(name: str, listener: Listener) -> None:
    _LISTENERS[name] = listener


def forget(name: str) -> None:
    _LISTENERS.pop(name, None)


def published(versions: Sequence[ItemVersion]) -> None:
    for listener in list(_LISTENERS.values()):
        listener(versions)
