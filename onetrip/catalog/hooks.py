"""What apps above the catalogue add to it, without the catalogue knowing them.

- **Publication listeners** (``on_published``): each registers a listener (in its
  ``AppConfig.ready``) that is called inside the publication's transaction with the versions just
  made current. A listener that raises rolls the publication back.
- **Guide panels** (``register_guide_panel``): a section of an item's public guide, rendered from
  the app's template with the context its function gives for the item (see ``GuidePanel``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onetrip.catalog.models import ItemVersion, ServiceItem

Listener = Callable[[Sequence["ItemVersion"]], None]

_LISTENERS: dict[str, Listener] = {}


def on_published(name: str, listener: Listener) -> None:
    _LISTENERS[name] = listener


def forget(name: str) -> None:
    _LISTENERS.pop(name, None)


def published(versions: Sequence[ItemVersion]) -> None:
    for listener in list(_LISTENERS.values()):
        listener(versions)


# --- guide panels -------------------------------------------------------------------------------
#
# A section an app above the catalogue adds to an item's public guide (and its printed copy), as
# ``cases.hooks.register_panel`` does for case pages: the agencies app lists the intermediary
# services an item needs. The guide pages are cached for visitors under a stamp
# (``selectors.guide_stamp``); a panel whose data can change without a publication gives a
# ``stamp`` (a cheap value that changes whenever what it shows changes), which is part of the key.


@dataclass(frozen=True)
class GuidePanel:
    """``context(item)`` returns the template's context (a mapping) or None to show nothing; it
    must read a bounded number of rows (the guide page's query count stays fixed). ``stamp()``
    changes whenever what any item's panel shows changes (None: the panel only shows published,
    immutable data)."""

    name: str
    template: str
    context: Callable[[ServiceItem], Mapping[str, Any] | None]
    stamp: Callable[[], Any] | None = None
    position: int = 100


_GUIDE_PANELS: dict[str, GuidePanel] = {}


def register_guide_panel(panel: GuidePanel) -> None:
    """Add a panel to every item's guide (once per name: registering a name again replaces it)."""
    _GUIDE_PANELS[panel.name] = panel


def forget_guide_panel(name: str) -> None:
    _GUIDE_PANELS.pop(name, None)


def guide_panels(item: ServiceItem) -> list[dict[str, Any]]:
    """The panels to show on ``item``'s guide, in position order: ``{"name", "template", "context"}``."""
    shown = []
    for panel in sorted(_GUIDE_PANELS.values(), key=lambda p: (p.position, p.name)):
        context = panel.context(item)
        if context is not None:
            shown.append({"name": panel.name, "template": panel.template, "context": context})
    return shown


def guide_panel_stamps() -> tuple[Any, ...]:
    """The panels' stamps, for the guide pages' cache key."""
    return tuple((p.name, p.stamp()) for p in sorted(_GUIDE_PANELS.values(), key=lambda p: p.name) if p.stamp)
