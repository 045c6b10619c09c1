"""The monthly report as files: a PDF (A4, Chinese layout, the figures with their formulas, the
departments ranked, and charts drawn with reportlab's own graphics) and an Excel workbook (the
figures, the departments, the daily rollup rows). The content comes from ``reports.selectors``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onetrip.cases.documents import RED, _esc, _font, _style
from onetrip.reports import metrics


def _fmt(metric: metrics.Metric, value: Any) -> str:
    if value is None:
        return "—"
    if metric.percent:
        return f"{value * 100:.1f}%"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _department_chart(departments: list[tuple[Any, dict[str, Any]]]) -> Drawing:
    """The departments' one-trip rates as horizontal bars, with the Zhejiang 2017 reference line."""
    shown = departments[:12]
    height = 30 + 16 * max(len(shown), 1)
    d = Drawing(160 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 70 * mm, 15, 80 * mm, height - 25
    chart.data = [[round((f["one_trip_rate"] or 0) * 100, 1) for _dep, f in reversed(shown)] or [0]]
    chart.categoryAxis.categoryNames = [dep.short_name or dep.name for dep, _f in reversed(shown)] or [""]
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1d5e20")
    d.add(chart)
    ref = chart.x + chart.width * 0.879
    d.add(Line(ref, chart.y, ref, chart.y + chart.height, strokeColor=RED, strokeWidth=1))
    d.add(String(ref + 2, chart.y + chart.height + 2, "87.9%", fontName=_font(), fontSize=7, fillColor=RED))
    return d


def _trend_chart(months: list[tuple[dt.date, dict[str, Any]]]) -> Drawing:
    """The one-trip and on-time rates month by month."""
    d = Drawing(160 * mm, 60 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 12 * mm, 135 * mm, 40 * mm
    chart.data = [[round((f["one_trip_rate"] or 0) * 100, 1) for _m, f in months] or [0],
                  [round((f["on_time_rate"] or 0) * 100, 1) for _m, f in months] or [0]]
    chart.categoryAxis.categoryNames = [f"{m:%Y-%m}" for m, _f in months] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = colors.HexColor("#1d5e20")
    chart.lines[1].strokeColor = colors.HexColor("#0b3d75")
    d.add(chart)
    d.add(String(15 * mm, 55 * mm, _("green: at most one trip · blue: decided on time"), fontName=_font(), fontSize=7))
    return d


def build_pdf(*, title: str, period: str, figures: dict[str, Any], departments: list[tuple[Any, dict[str, Any]]],
              months: list[tuple[dt.date, dict[str, Any]]]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=16 * mm, title=title, creator="OneTrip")
    h1 = _style("rep-title", 18, align=TA_CENTER, leading=28, color=RED)
    h2 = _style("rep-h2", 13, leading=22)
    cell = _style("rep-cell", 9, leading=13)
    small = _style("rep-small", 9, align=TA_CENTER, leading=14)
    story: list[Any] = [Paragraph(_esc(title), h1), Paragraph(_esc(period), small), Spacer(1, 8),
                        Paragraph(_esc(_("Reform metrics")), h2)]
    rows = [[Paragraph(_esc(_("Metric")), cell), Paragraph(_esc(_("Value")), cell),
             Paragraph(_esc(_("How it is counted")), cell)]]
    rows += [[Paragraph(_esc(str(m.label)), cell), Paragraph(_esc(_fmt(m, figures[m.code])), cell),
              Paragraph(_esc(str(m.formula)), cell)] for m in metrics.METRICS]
    table = Table(rows, colWidths=[45 * mm, 25 * mm, 100 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [table, Spacer(1, 10), Paragraph(_esc(_("Departments: at most one trip")), h2),
              _department_chart(departments), Spacer(1, 6)]
    drows = [[Paragraph(_esc(x), cell) for x in (_("Rank"), _("Department"), _("Cases finished"),
                                                  _("At most one trip"), _("Decided on time"))]]
    by_code = {m.code: m for m in metrics.METRICS}
    for n, (dep, f) in enumerate(departments, 1):
        drows.append([Paragraph(str(n), cell), Paragraph(_esc(dep.name), cell), Paragraph(str(f["finished"]), cell),
                      Paragraph(_fmt(by_code["one_trip_rate"], f["one_trip_rate"]), cell),
                      Paragraph(_fmt(by_code["on_time_rate"], f["on_time_rate"]), cell)])
    dtable = Table(drows, colWidths=[12 * mm, 78 * mm, 25 * mm, 28 * mm, 28 * mm], repeatRows=1)
    dtable.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
    story += [dtable, Spacer(1, 10), Paragraph(_esc(_("Month by month")), h2), _trend_chart(months)]
    doc.build(story)
    return out.getvalue()


def build_xlsx(*, title: str, figures: dict[str, Any], departments: list[tuple[Any, dict[str, Any]]],
               rollups: list[Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Metrics")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Metric"), _("Value"), _("How it is counted")])
    for m in metrics.METRICS:
        value = figures[m.code]
        ws.append([str(m.label), round(value, 4) if isinstance(value, float) else value, str(m.formula)])
    deps = wb.create_sheet(_("Departments")[:31])
    deps.append([_("Rank"), _("Department")] + [str(m.label) for m in metrics.METRICS])
    for n, (dep, f) in enumerate(departments, 1):
        deps.append([n, dep.name] + [round(f[m.code], 4) if isinstance(f[m.code], float) else f[m.code]
                                     for m in metrics.METRICS])
    raw = wb.create_sheet(_("Daily rollup")[:31])
    raw.append(["day", "department", "item", *metrics.COUNTERS])
    for r in rollups:
        raw.append([r.day, r.department.name, r.item.code, *[getattr(r, c) for c in metrics.COUNTERS]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
