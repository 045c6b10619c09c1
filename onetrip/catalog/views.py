from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onetrip.accounts.permissions import Capability, can, require
from onetrip.catalog import excel, selectors
from onetrip.catalog.models import Audience, ItemKind
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
        },
    )


def _guide_or_404(code: str) -> Any:
    version = selectors.guide(code)
    if version is None:
        raise Http404(_("No published item with code “%(code)s”.") % {"code": code})
    return version


def _guide_context(request: HttpRequest, code: str) -> dict[str, Any]:
    version = _guide_or_404(code)
    url = request.build_absolute_uri(reverse("catalog:item", args=[code]))
    qr = segno.make(url, error="m")
    return {
        "v": version,
        "item": version.item,
        "sub_items": selectors.sub_items_of(version.item),
        "guide_url": url,
        "qr_svg": qr.svg_inline(scale=3, dark="#000", light="#fff", title=_("QR code of this guide")),
        "printed_at": timezone.localtime(),
    }


@require_GET
@cached_for_visitors(selectors.publication_stamp)
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "catalog/item_guide.html", _guide_context(request, code))


@require_GET
@cached_for_visitors(selectors.publication_stamp)
def item_print(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "catalog/item_print.html", _guide_context(request, code))


@require_GET
def item_qr(request: HttpRequest, code: str) -> HttpResponse:
    _guide_or_404(code)
    url = request.build_absolute_uri(reverse("catalog:item", args=[code]))
    response = HttpResponse(content_type="image/svg+xml")
    # A standalone SVG file needs the XML declaration and the svg namespace to show as an image.
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


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception.args[0]) if exception and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "404.html", {"message": message}, status=404)
