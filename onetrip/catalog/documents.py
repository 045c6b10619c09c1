"""The catalogue's documents for the search engine: published items and published bundles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onetrip.catalog.engine import Document, register_source
from onetrip.catalog.models import Bundle, BundleItem, MaterialRequirement, ServiceItem

CATALOG = "catalog"  # the stamp touched whenever anything is published or a bundle changes


def item_key(code: str) -> str:
    return f"item:{code}"


def bundle_key(code: str) -> str:
    return f"bundle:{code}"


def _urls(name: str) -> Callable[[str], str]:
    """Addresses of guides by code, without resolving the URL pattern 10 000 times."""
    before, _marker, after = reverse(name, args=["~code~"]).partition("~code~")
    return lambda code: f"{before}{quote(code, safe='')}{after}"


def item_documents() -> Iterator[Document]:
    """Each published item: its name; English name, code and result (what it issues: 结婚证) as
    keywords; its materials and department as the body. Two queries however many items."""
    rows = list(
        ServiceItem.objects.filter(current__isnull=False).values_list(
            "id", "code", "sort_order", "parent__code", "parent__current_id", "current_id", "current__name",
            "current__name_en", "current__result_name", "current__department__name")
    )
    materials: dict[int, list[str]] = {}
    for vid, name in MaterialRequirement.objects.filter(version__item__current__isnull=False).filter(
        version_id__in=[r[5] for r in rows]
    ).values_list("version_id", "name").order_by("version_id", "position", "id"):
        materials.setdefault(vid, []).append(name)
    url = _urls("catalog:item")
    for pk, code, order, parent_code, parent_current, vid, name, name_en, result, department in rows:
        yield Document(
            key=item_key(code), kind="item", title=name, url=url(code),
            body="；".join([*materials.get(vid, []), department]), keywords=f"{name_en} {code} {result}".strip(), ref=pk,
            parent=item_key(parent_code) if parent_code and parent_current else "", order=order,
        )


def bundle_documents() -> Iterator[Document]:
    """Each published bundle (一件事): its name, its description and its items' names, and its
    items in order, which follow it when a query names it."""
    bundles = list(Bundle.objects.filter(is_published=True))
    entries: dict[int, list[tuple[str, str]]] = {}
    for bid, code, name in BundleItem.objects.filter(bundle__in=bundles, item__current__isnull=False).order_by(
        "bundle_id", "position", "id"
    ).values_list("bundle_id", "item__code", "item__current__name"):
        entries.setdefault(bid, []).append((code, name))
    url = _urls("catalog:bundle")
    for b in bundles:
        members = entries.get(b.pk, [])
        yield Document(
            key=bundle_key(b.code), kind="bundle", title=b.name, url=url(b.code),
            body="；".join([b.description, *(n for _c, n in members)]), keywords=f"{b.name_en} {b.code}", ref=b.pk,
            members=tuple(item_key(c) for c, _n in members), order=b.sort_order, group_suffix="一件事",
        )


def register() -> None:
    register_source("item", item_documents, stamp=CATALOG, label=_("Service"), corroborates=True)
    register_source("bundle", bundle_documents, stamp=CATALOG, label=_("Life-event bundle"))
