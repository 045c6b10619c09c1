"""Reads of the catalogue for pages and the API. Query counts stay constant however many
materials, fees or steps an item has."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.safestring import SafeString

from onetrip.accounts.models import Department
from onetrip.catalog import engine, hooks
from onetrip.catalog.models import (
    Bundle,
    BundleItem,
    ItemVersion,
    MaterialForm,
    MaterialRequirement,
    PublicationBatch,
    SearchQuery,
    ServiceItem,
)
from onetrip.catalog.services import CHILDREN, GUIDE_FIELDS


def publication_stamp() -> int:
    """Changes whenever anything is published: the number of published batches. (Not the
    newest batch's id: batches are created when proposed and may be approved in any order.)"""
    return PublicationBatch.objects.filter(status=PublicationBatch.Status.PUBLISHED).count()


def guide_stamp() -> str:
    """The guide pages' cache stamp: ``publication_stamp`` and (hashed, to keep the cache key
    short and plain) the stamps of the guide panels that apps registered
    (``hooks.guide_panel_stamps``), so that a panel never shows stale data."""
    panels = hooks.guide_panel_stamps()
    if not panels:
        return str(publication_stamp())
    return f"{publication_stamp()}-{hashlib.sha256(repr(panels).encode()).hexdigest()[:16]}"


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(current__isnull=False).select_related("current__department", "parent")


def _with_guide(qs: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return qs.select_related("department", "item", "item__parent", "batch").prefetch_related(
        "materials", "fees", "special_procedures", "steps"
    )


@dataclass
class Filters:
    q: str = ""
    department: str = ""
    kind: str = ""
    bundle: str = ""
    audience: str = ""
    online: bool | None = None


@dataclass
class Result:
    item: ServiceItem
    score: int = 0
    name_html: SafeString | str = ""
    matched_materials: list[SafeString] = field(default_factory=list)


@dataclass
class BundleResult:
    bundle: Bundle
    name_html: SafeString | str
    items: list[str]


@dataclass
class SearchPage:
    page: Page[Any]
    results: list[Result]
    query: engine.Analysis
    all_matched: bool
    bundles: list[BundleResult] = field(default_factory=list)


def _filtered(filters: Filters) -> QuerySet[ServiceItem]:
    qs = published_items()
    if filters.department:
        qs = qs.filter(current__department__code=filters.department)
    if filters.kind:
        qs = qs.filter(current__kind=filters.kind)
    if filters.bundle:
        qs = qs.filter(bundles__code=filters.bundle, bundles__is_published=True)
    if filters.audience in {"people", "companies"}:
        qs = qs.filter(current__audience__in=[filters.audience, "both"])
    if filters.online is not None:
        qs = qs.filter(current__online=filters.online)
    return qs


def find_items(filters: Filters, *, page: int = 1, per_page: int = 20) -> SearchPage:
    """The catalogue list: filtered, and ranked by the search engine when there is a query.
    Without filters, the bundles (一件事) the query names come first, beside the items."""
    qs = _filtered(filters)
    all_matched = True
    scores: dict[int, float] = {}
    bundles: list[BundleResult] = []
    analysis = engine.Analysis(raw="", words=(), actions=())
    if filters.q.strip():
        filtered = filters.department or filters.kind or filters.bundle or filters.audience or filters.online is not None
        within = {"item": set(qs.values_list("pk", flat=True))} if filtered else None
        found = engine.search(filters.q, kinds=("item",) if filtered else ("item", "bundle"), within=within,
                              limit=max(1, page) * per_page + 5)
        analysis, all_matched = found.analysis, found.all_matched
        ranked = _Ranked([(h.doc.ref, h.score) for h in found.hits if h.doc.kind == "item"],
                         found.totals.get("item", 0))
        paginator: Paginator[Any] = Paginator(ranked, per_page)
        page_obj = paginator.get_page(page)
        scores = dict(page_obj.object_list)
        items = {i.pk: i for i in qs.filter(pk__in=scores)}
        ordered = [items[pk] for pk in scores if pk in items]
        if page_obj.number == 1:
            bundles = _bundle_results(found, analysis)
    else:
        paginator = Paginator(qs.order_by("sort_order", "code"), per_page)
        page_obj = paginator.get_page(page)
        ordered = list(page_obj.object_list)
    results = [
        Result(item=i, score=round(scores.get(i.pk, 0)), name_html=engine.highlight(_current(i).name, analysis))
        for i in ordered
    ]
    if analysis and results:
        _attach_material_matches(results, analysis)
    return SearchPage(page=page_obj, results=results, query=analysis, all_matched=all_matched, bundles=bundles)


class _Ranked(Sequence[tuple[int, float]]):
    """The ranked items a page needs, with the number found in all (for the pager)."""

    def __init__(self, first: list[tuple[int, float]], total: int) -> None:
        self.first, self.total = first, max(total, len(first))

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, i: Any) -> Any:
        return self.first[i]


def _bundle_results(found: engine.Found, analysis: engine.Analysis, *, limit: int = 2) -> list[BundleResult]:
    """The bundles ranked among the first five results, at most two, with their items' names."""
    keys = [h.doc for h in found.hits[:5] if h.doc.kind == "bundle"][:limit]
    if not keys:
        return []
    by_pk = {b.pk: b for b in Bundle.objects.filter(pk__in=[d.ref for d in keys])}
    out = []
    for doc in keys:
        bundle = by_pk.get(doc.ref)
        if bundle is None:
            continue
        names = list(BundleItem.objects.filter(bundle=bundle, item__current__isnull=False).order_by(
            "position", "id").values_list("item__current__name", flat=True))
        out.append(BundleResult(bundle=bundle, name_html=engine.highlight(bundle.display_name, analysis), items=names))
    return out


def _current(item: ServiceItem) -> ItemVersion:
    assert item.current is not None  # only published items are listed
    return item.current


def _attach_material_matches(results: list[Result], query: engine.Analysis) -> None:
    """Show which materials matched (by word or by pinyin), highlighted; one query per page."""
    by_version: dict[int | None, list[str]] = {}
    for vid, name in MaterialRequirement.objects.filter(
        version_id__in=[r.item.current_id for r in results]
    ).values_list("version_id", "name"):
        by_version.setdefault(vid, []).append(name)
    for r in results:
        marked = (engine.highlight(n, query) for n in by_version.get(r.item.current_id, []))
        r.matched_materials = [m for m in marked if "<mark>" in m][:3]


def guide(code: str) -> ItemVersion | None:
    """The published guide of an item, with everything on it (a fixed number of queries)."""
    item = ServiceItem.objects.filter(code=code, current__isnull=False).only("current_id").first()
    if item is None or item.current_id is None:
        return None
    return _with_guide(ItemVersion.objects.filter(pk=item.current_id)).get()


def sub_items_of(item: ServiceItem) -> list[ServiceItem]:
    return list(published_items().filter(parent=item).order_by("sort_order", "code"))


def version(code: str, number: int) -> ItemVersion | None:
    return _with_guide(ItemVersion.objects.filter(item__code=code, number=number)).first()


def versions_of(code: str) -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(item__code=code).select_related("batch", "created_by").order_by("-number")
    )


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.annotate(
        item_count=Count("item_versions", filter=Q(item_versions__status=ItemVersion.Status.PUBLISHED))
    ).order_by("sort_order", "code")


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).annotate(item_count=Count("entries")).order_by("sort_order", "code")


@dataclass
class BundleMaterial:
    """One line of a merged checklist: a material named once for several items."""

    name: str
    form: str
    copies: int
    required: bool
    condition: str  # the conditions joined, for a material that is conditional everywhere
    registry: str
    items: list[str]
    conditions: list[str] = field(default_factory=list)


@dataclass
class BundleGuide:
    bundle: Bundle
    versions: list[ItemVersion]
    materials: list[BundleMaterial]
    total_promised_days: int
    max_visits: int


def material_key(name: str) -> str:
    """Two checklist lines are the same material when their names differ only in spaces or in
    full-width / half-width brackets."""
    return "".join(name.split()).replace("（", "(").replace("）", ")")


def merged_checklist(versions: Sequence[ItemVersion]) -> list[BundleMaterial]:
    """The materials of several item versions, each named once (一件事, or one application
    for several items). The rule:

    - the order is the order of ``versions`` (a bundle's position order), then each version's
      own checklist order; a material stands where it is first asked for;
    - a material required by any item is required;
    - it is conditional only if every item that asks for it asks conditionally, and then
      all their conditions are kept (``conditions``, in order, without repeats);
    - the most copies any item asks for; original + copy when one item wants the original
      and another a copy; held by a registry when any item says a registry holds it;
    - ``items`` names the versions that ask for it, in the same order.

    Pass versions with ``materials`` prefetched to keep the query count fixed."""
    return _merge([(v.name, list(v.materials.all())) for v in versions])


def merged_checklist_of(version_ids: Sequence[int]) -> list[BundleMaterial]:
    """``merged_checklist`` of these versions, in the order given, read in one query (an
    application's checklist, asked for on every upload and submission)."""
    by_version: dict[int, tuple[str, list[MaterialRequirement]]] = {}
    rows = MaterialRequirement.objects.filter(version_id__in=version_ids).select_related("version").only(
        *MATERIAL_FIELDS, "version__name").order_by("position", "id")
    for m in rows:
        by_version.setdefault(m.version_id, (m.version.name, []))[1].append(m)
    return _merge([by_version[pk] for pk in version_ids if pk in by_version])


MATERIAL_FIELDS = ("id", "version_id", "name", "copies", "required", "condition", "registry", "form", "position")


def _merge(versions: Sequence[tuple[str, Sequence[MaterialRequirement]]]) -> list[BundleMaterial]:
    merged: dict[str, BundleMaterial] = {}
    forms: dict[str, list[str]] = {}
    for version_name, materials in versions:
        for m in materials:
            key = material_key(m.name)
            line = merged.get(key)
            if line is None:
                line = merged[key] = BundleMaterial(
                    name=m.name, form="", copies=m.copies, required=m.required, condition="",
                    registry=m.registry, items=[],
                )
                forms[key] = []
            if version_name not in line.items:
                line.items.append(version_name)
            line.copies = max(line.copies, m.copies)
            line.required = line.required or m.required
            line.registry = line.registry or m.registry
            if not m.required and m.condition and m.condition not in line.conditions:
                line.conditions.append(m.condition)
            if m.form not in forms[key]:
                forms[key].append(m.form)
    for key, line in merged.items():
        if line.required:
            line.conditions = []
        line.condition = "；".join(line.conditions)
        line.form = _merged_form(forms[key])
    return list(merged.values())


def _merged_form(forms: list[str]) -> str:
    paper = {MaterialForm.ORIGINAL, MaterialForm.COPY, MaterialForm.ORIGINAL_AND_COPY}
    if len(forms) > 1 and set(forms) <= paper and (
        MaterialForm.ORIGINAL_AND_COPY in forms or {MaterialForm.ORIGINAL, MaterialForm.COPY} <= set(forms)
    ):
        forms = [MaterialForm.ORIGINAL_AND_COPY] + [f for f in forms if f not in paper]
    return " / ".join(str(MaterialForm(f).label) for f in forms)


def versions_in_order(version_ids: Sequence[int], *, guide: bool = True) -> list[ItemVersion]:
    """Load these versions in the order given, in a fixed number of queries: with their whole
    guides, or (``guide=False``) with just their checklists, enough for ``merged_checklist``."""
    qs = ItemVersion.objects.filter(pk__in=version_ids)
    qs = _with_guide(qs) if guide else qs.only("id", "name").prefetch_related("materials")
    by_id = {v.pk: v for v in qs}
    return [by_id[pk] for pk in version_ids if pk in by_id]


def bundle_guide(code: str) -> BundleGuide | None:
    bundle = Bundle.objects.filter(code=code, is_published=True).first()
    if bundle is None:
        return None
    entries = BundleItem.objects.filter(bundle=bundle, item__current__isnull=False).order_by("position", "id")
    versions = versions_in_order(list(entries.values_list("item__current_id", flat=True)))
    return BundleGuide(
        bundle=bundle,
        versions=versions,
        materials=merged_checklist(versions),
        total_promised_days=max((v.promised_limit_days for v in versions), default=0),
        max_visits=max((v.max_visits for v in versions), default=0),
    )


@dataclass
class Change:
    field: str
    label: str
    old: Any
    new: Any


def diff_versions(old: ItemVersion, new: ItemVersion) -> list[Change]:
    """What changed between two versions of an item: guide fields, then each list by row."""
    changes: list[Change] = []
    for name in GUIDE_FIELDS:
        field_obj = ItemVersion._meta.get_field(name)
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            display = getattr(old, f"get_{name}_display", None)
            if display:
                a, b = display(), getattr(new, f"get_{name}_display")()
            changes.append(Change(name, str(getattr(field_obj, "verbose_name", name)), a, b))
    for relation, (model, fields) in CHILDREN.items():
        label = str(model._meta.verbose_name_plural)
        rows_a = {r.name: r for r in getattr(old, relation).all()}
        rows_b = {r.name: r for r in getattr(new, relation).all()}
        for name in rows_a.keys() - rows_b.keys():
            changes.append(Change(relation, label, name, None))
        for name in rows_b.keys() - rows_a.keys():
            changes.append(Change(relation, label, None, name))
        for name in rows_a.keys() & rows_b.keys():
            diffs = [f for f in fields if str(getattr(rows_a[name], f)) != str(getattr(rows_b[name], f))]
            if diffs:
                before = "; ".join(f"{f}={getattr(rows_a[name], f)}" for f in diffs)
                after = "; ".join(f"{f}={getattr(rows_b[name], f)}" for f in diffs)
                changes.append(Change(relation, f"{label}: {name}", before, after))
    return changes


# --- Publication review (two people) -----------------------------------------------------------


def drafts_to_propose() -> list[ItemVersion]:
    """Drafts not waiting in a proposed batch, newest first."""
    return list(
        ItemVersion.objects.filter(status=ItemVersion.Status.DRAFT)
        .exclude(proposals__status=PublicationBatch.Status.PROPOSED)
        .select_related("item", "department", "created_by")
        .annotate(n_materials=Count("materials"))
        .order_by("-created_at", "-id")
    )


def pending_batches() -> list[PublicationBatch]:
    return list(
        PublicationBatch.objects.filter(status=PublicationBatch.Status.PROPOSED)
        .select_related("proposed_by")
        .prefetch_related("proposed_versions__item", "proposed_versions__department")
        .order_by("proposed_at", "id")
    )


def recent_decisions(limit: int = 10) -> list[PublicationBatch]:
    return list(
        PublicationBatch.objects.exclude(status=PublicationBatch.Status.PROPOSED)
        .select_related("proposed_by", "published_by", "reviewed_by")
        .annotate(n_proposed=Count("proposed_versions", distinct=True), n_published=Count("versions", distinct=True))
        .order_by("-reviewed_at", "-id")[:limit]
    )


@dataclass
class ProposedVersion:
    version: ItemVersion
    current: ItemVersion | None
    changes: list[Change]


@dataclass
class BatchReview:
    batch: PublicationBatch
    lines: list[ProposedVersion]


def batch_review(pk: int) -> BatchReview | None:
    """A batch with each proposed draft beside the version the public sees now, and what changes."""
    batch = PublicationBatch.objects.select_related("proposed_by", "published_by", "reviewed_by").filter(pk=pk).first()
    if batch is None:
        return None
    # Batches loaded by the demo (publish_for_seeding) were never proposed: show what they published.
    chosen = batch.proposed_versions.all() if batch.proposed_by_id else batch.versions.all()
    proposed = list(_with_guide(chosen).order_by("item__sort_order", "item__code"))
    current_ids = [v.item.current_id for v in proposed if v.item.current_id and v.item.current_id != v.pk]
    current = {v.pk: v for v in _with_guide(ItemVersion.objects.filter(pk__in=current_ids))}
    lines = []
    for v in proposed:
        now = current.get(v.item.current_id or 0)
        lines.append(ProposedVersion(version=v, current=now, changes=diff_versions(now, v) if now else []))
    return BatchReview(batch=batch, lines=lines)


# --- The search work list ------------------------------------------------------------------------

LOW_CLICK_MIN_SEARCHES = 3
LOW_CLICK_RATE = 0.2


def search_documents(q: str, *, kind: str = "", limit: int = 20) -> engine.Found:
    """Every registered kind of document (or one kind), best first."""
    return engine.search(q, kinds=(kind,) if kind else None, limit=limit)


def kind_label(kind: str) -> Any:
    source = engine.sources().get(kind)
    return source.label if source else kind


def search_document_url(key: str) -> str | None:
    """The address of an indexed document ("item:CODE"), or None if there is none."""
    idx = engine.index()
    n = idx.by_key.get(key)
    return idx.docs[n].url if n is not None else None


def search_query(pk: int) -> SearchQuery | None:
    return SearchQuery.objects.filter(pk=pk).first()


@dataclass
class WorkLine:
    query: SearchQuery
    now_finds: list[str]  # the names of the first results the query finds today
    rate: int | None = None  # percentage of searches after which a result was opened

    @property
    def numbers_only(self) -> bool:
        """Only numbers were typed (stored as #): nothing for the dictionary."""
        return not self.query.query.replace("#", "").strip()


@dataclass
class SearchWork:
    zero: list[WorkLine]
    low_click: list[WorkLine]


def _open(qs: QuerySet[SearchQuery]) -> QuerySet[SearchQuery]:
    """Not dismissed, or searched again since it was dismissed."""
    from django.db.models import F

    return qs.filter(Q(dismissed_at__isnull=True) | Q(last_seen__gt=F("dismissed_at")))


def search_work(*, limit: int = 50) -> SearchWork:
    """Zero-result queries (their last search found nothing), most frequent first; and
    low-click queries: searched at least three times, with a result opened after fewer than one
    search in five. Each with what it finds today, so that a fix shows at once."""
    from django.db.models import F

    zero = _open(SearchQuery.objects.filter(last_results=0, zero_results__gt=0)).order_by(
        "-zero_results", "-last_seen")[:limit]
    low = _open(SearchQuery.objects.filter(
        last_results__gt=0, searches__gte=LOW_CLICK_MIN_SEARCHES,
        clicks__lt=F("searches") * LOW_CLICK_RATE)).order_by("-searches", "-last_seen")[:limit]

    def line(q: SearchQuery) -> WorkLine:
        hits = engine.search(q.query).hits[:3] if q.query.strip("#") else []
        return WorkLine(query=q, now_finds=[h.doc.title for h in hits],
                        rate=round(100 * q.clicks / q.searches) if q.searches else None)

    return SearchWork(zero=[line(q) for q in zero], low_click=[line(q) for q in low])
