from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onetrip.accounts.permissions import Capability, can, require
from onetrip.catalog import excel, hooks, selectors, services
from onetrip.catalog.models import Audience, ItemKind, ItemVersion
from onetrip.core.pagecache import cached_for_visitors

_AUDIENCES = {"people", "companies"}


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {
            "departments": selectors.departments_with_counts(),
            "bundles": selectors.published_bundles(),
            "kinds": ItemKind.choices,
        },
    )


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    audience = params.get("audience", "")
    kind = params.get("kind", "")
    filters = selectors.Filters(
        q=params.get("q", ""),
        department=params.get("department", ""),
        kind=kind if kind in ItemKind.values else "",
        bundle=params.get("bundle", ""),
        audience=audience if audience in _AUDIENCES else "",
    )
    result = selectors.find_items(filters, page=_int(params.get("page")), per_page=settings.PAGE_SIZE)
    logged = None
    if filters.q.strip() and result.page.number == 1:
        logged = services.record_search(query=filters.q, results=result.page.paginator.count + len(result.bundles))
    query_without_page = params.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "catalog/item_list.html",
        {
            "result": result,
            "filters": filters,
            "departments": selectors.departments_with_counts(),
            "kinds": ItemKind.choices,
            "audiences": [(a, Audience(a).label) for a in ("people", "companies")],
            "base_query": query_without_page.urlencode(),
            "logged": logged,
        },
    )


@require_GET
def search_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A result link of a search: count the click for the query, then go to the document.
    Only documents in the index are reachable, so this never redirects anywhere else."""
    url = selectors.search_document_url(request.GET.get("to", ""))
    if url is None:
        raise Http404(_("That search result no longer exists."))
    services.record_click(query_id=pk)
    return redirect(url)


@require(Capability.EDIT_CATALOG)
@require_GET
def search_work(request: HttpRequest) -> HttpResponse:
    """What people searched for and did not find, or found and did not open: the catalogue
    admins' work list for the search dictionary."""
    return render(request, "catalog/search_work.html", {"work": selectors.search_work()})


@require(Capability.EDIT_CATALOG)
@require_POST
def search_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    query = selectors.search_query(pk)
    if query is None:
        raise Http404(_("No such search query."))
    services.dismiss_query(actor=request.user, query=query)  # type: ignore[arg-type]
    messages.success(request, _("“%(q)s” is off the list until people search for it again and find nothing.")
                     % {"q": query.query})
    return redirect("catalog:search-work")


def _guide_or_404(code: str) -> Any:
    version = selectors.guide(code)
    if version is None:
        raise Http404(_("No published item with code “%(code)s”.") % {"code": code})
    return version


def _guide_context(request: HttpRequest, code: str) -> dict[str, Any]:
    version = _guide_or_404(code)
    url = request.build_absolute_uri(reverse("catalog:item", args=[code]))
    import segno  # on first use

    qr = segno.make(url, error="m")
    return {
        "v": version,
        "item": version.item,
        "sub_items": selectors.sub_items_of(version.item),
        "guide_panels": hooks.guide_panels(version.item),
        "guide_url": url,
        "qr_svg": qr.svg_inline(scale=3, dark="#000", light="#fff", title=_("QR code of this guide")),
        "printed_at": timezone.localtime(),
    }


@require_GET
@cached_for_visitors(selectors.guide_stamp)
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "catalog/item_guide.html", _guide_context(request, code))


@require_GET
@cached_for_visitors(selectors.guide_stamp)
def item_print(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "catalog/item_print.html", _guide_context(request, code))


@require_GET
def item_qr(request: HttpRequest, code: str) -> HttpResponse:
    _guide_or_404(code)
    url = request.build_absolute_uri(reverse("catalog:item", args=[code]))
    response = HttpResponse(content_type="image/svg+xml")
    # A standalone SVG file needs the XML declaration and the svg namespace to show as an image.
    import segno  # on first use

    segno.make(url, error="m").save(response, kind="svg", scale=4, xmldecl=True,  # type: ignore[arg-type]
                                    svgns=True, title=_("QR code of this guide"))
    return response


@require_GET
def item_versions(request: HttpRequest, code: str) -> HttpResponse:
    versions = selectors.versions_of(code)
    visible = [v for v in versions if v.status != v.Status.DRAFT] if not _can_see_drafts(request) else versions
    if not visible:
        raise Http404(_("No published item with code “%(code)s”.") % {"code": code})
    return render(request, "catalog/item_versions.html", {"code": code, "versions": visible})


def _can_see_drafts(request: HttpRequest) -> bool:
    return can(request.user, Capability.VIEW_DRAFTS)


@require_GET
def item_diff(request: HttpRequest, code: str, old: int, new: int) -> HttpResponse:
    a, b = selectors.version(code, old), selectors.version(code, new)
    if a is None or b is None:
        raise Http404(_("No such version."))
    if "draft" in (a.status, b.status) and not _can_see_drafts(request):
        raise Http404(_("No such version."))
    return render(
        request, "catalog/item_diff.html", {"code": code, "old": a, "new": b, "changes": selectors.diff_versions(a, b)}
    )


@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/bundle_list.html", {"bundles": selectors.published_bundles()})


@require_GET
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    guide = selectors.bundle_guide(code)
    if guide is None:
        raise Http404(_("No published bundle with code “%(code)s”.") % {"code": code})
    return render(request, "catalog/bundle_guide.html", {"g": guide})


@require(Capability.EXCHANGE_CATALOG)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="onetrip-catalogue-{stamp}.xlsx"'
    excel.export_catalog(response)
    return response


@require(Capability.EXCHANGE_CATALOG)
def import_xlsx(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [excel.RowError("", 0, "", _("Choose an .xlsx file to import."))]
        else:
            try:
                report = excel.import_catalog(upload, actor=request.user)  # type: ignore[arg-type]
            except excel.ImportFailed as failed:
                context["errors"] = failed.errors
            except ValidationError as exc:
                context["errors"] = [excel.RowError("", 0, "", m) for m in exc.messages]
            else:
                context["report"] = report
    return render(request, "catalog/import.html", context, status=400 if context.get("errors") else 200)


# --- Publication review: one admin proposes, a second approves ------------------------------------


def _workbench(request: HttpRequest, *, errors: list[str] | None = None, form: Any = None,
               status: int = 200) -> HttpResponse:
    chosen = {int(x) for x in (form.getlist("draft") if form is not None else request.GET.getlist("draft"))
              if str(x).isdigit()}
    return render(request, "catalog/publications.html", {
        "drafts": selectors.drafts_to_propose(),
        "pending": selectors.pending_batches(),
        "recent": selectors.recent_decisions(),
        "errors": errors or [],
        "chosen": chosen,
        "form": form if form is not None else {},
    }, status=status)


@require(Capability.PUBLISH_CATALOG)
def publications(request: HttpRequest) -> HttpResponse:
    """The publication workbench: propose drafts as a batch; review what others proposed."""
    if request.method != "POST":
        return _workbench(request)
    ids = [int(x) for x in request.POST.getlist("draft") if x.isdigit()]
    try:
        batch = services.propose_publication(
            actor=request.user,  # type: ignore[arg-type]
            versions=list(ItemVersion.objects.filter(pk__in=ids, status=ItemVersion.Status.DRAFT)),
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        return _workbench(request, errors=exc.messages, form=request.POST, status=400)
    messages.success(request, _("Batch “%(b)s” is proposed. A second catalogue admin must approve it before it "
                                "goes public.") % {"b": batch.name})
    return redirect("catalog:publication", pk=batch.pk)


def _review_or_404(pk: int) -> selectors.BatchReview:
    review = selectors.batch_review(pk)
    if review is None:
        raise Http404(_("No such publication batch."))
    return review


def _batch_page(request: HttpRequest, review: selectors.BatchReview, *, errors: list[str] | None = None,
                reasons: str = "", status: int = 200) -> HttpResponse:
    return render(request, "catalog/publication.html", {
        "review": review, "b": review.batch, "errors": errors or [], "reasons": reasons,
        "mine": review.batch.proposed_by_id == request.user.pk,
    }, status=status)


@require(Capability.PUBLISH_CATALOG)
@require_GET
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_page(request, _review_or_404(pk))


@require(Capability.PUBLISH_CATALOG)
def publication_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Check-your-answers before the approval: what goes public, then the one button."""
    review = _review_or_404(pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.approve_publication(actor=request.user, batch=review.batch,  # type: ignore[arg-type]
                                         comment=request.POST.get("comment", ""))
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Batch “%(b)s” is published: %(n)s guide(s) are public now.") % {
                "b": review.batch.name, "n": len(review.lines)})
            return redirect("catalog:publication", pk=pk)
    return render(request, "catalog/publication_approve.html", {
        "review": review, "b": review.batch, "errors": errors,
        "mine": review.batch.proposed_by_id == request.user.pk,
    }, status=400 if errors else 200)


@require(Capability.PUBLISH_CATALOG)
@require_POST
def publication_reject(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_or_404(pk)
    reasons = request.POST.get("reasons", "")
    try:
        services.reject_publication(actor=request.user, batch=review.batch, reasons=reasons)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _batch_page(request, review, errors=exc.messages, reasons=reasons, status=400)
    messages.success(request, _("Batch “%(b)s” is sent back to its proposer with your reasons.") % {
        "b": review.batch.name})
    return redirect("catalog:publication", pk=pk)


@require(Capability.PUBLISH_CATALOG)
@require_POST
def publication_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_or_404(pk)
    try:
        services.withdraw_publication(actor=request.user, batch=review.batch)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _batch_page(request, review, errors=exc.messages, status=400)
    messages.success(request, _("Batch “%(b)s” is withdrawn; its drafts can be edited again.") % {
        "b": review.batch.name})
    return redirect("catalog:publications")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception.args[0]) if exception and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "404.html", {"message": message}, status=404)
