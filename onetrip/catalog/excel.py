"""Excel round trip of the catalogue (openpyxl).

Export writes one sheet per list (items, materials, fees, special procedures, steps) with
field names as headers, plus a sheet that explains the columns. Import reads the same
layout, checks every row, and writes nothing unless every row is valid; errors name the
sheet, row, column and what is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from onetrip.accounts.models import Department, User
from onetrip.catalog import services
from onetrip.catalog.models import ItemVersion, ServiceItem

ITEM_COLUMNS = ("code", "parent", "sort_order", *services.GUIDE_FIELDS)
CHILD_SHEETS = {
    "materials": ("item_code", *[f for f in services.CHILDREN["materials"][1] if f != "sample"]),
    "fees": ("item_code", *services.CHILDREN["fees"][1]),
    "special_procedures": ("item_code", *services.CHILDREN["special_procedures"][1]),
    "steps": ("item_code", *services.CHILDREN["steps"][1]),
}
INT_FIELDS = {"sort_order", "legal_limit_days", "promised_limit_days", "max_visits", "copies", "max_days", "limit_days"}
BOOL_FIELDS = {"online", "postable", "required", "excluded_from_limit"}
NULLABLE = {"max_days", "limit_days", "parent"}
_TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "", "×"}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.row}" if self.row else self.sheet
        col = f" [{self.column}]" if self.column else ""
        return f"{where}{col}: {self.message}" if where else self.message


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published_batch: str | None = None


def _version_for_export(item: ServiceItem) -> ItemVersion | None:
    return item.current or item.versions.order_by("-number").first()


def export_catalog(target: IO[bytes] | Any) -> int:
    """Write the catalogue (published versions; drafts for never-published items) as .xlsx."""
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "items"
    sheet.append(list(ITEM_COLUMNS))
    child_sheets = {name: wb.create_sheet(name) for name in CHILD_SHEETS}
    for name, columns in CHILD_SHEETS.items():
        child_sheets[name].append(list(columns))
    items = ServiceItem.objects.select_related("parent", "current__department").order_by("parent_id", "sort_order", "code")
    # Main items before sub-items so that the file imports in order.
    ordered = sorted(items, key=lambda i: (i.parent_id is not None, i.sort_order, i.code))
    versions = {i.pk: _version_for_export(i) for i in ordered}
    ids = [v.pk for v in versions.values() if v is not None]
    prefetched = {
        v.pk: v
        for v in ItemVersion.objects.filter(pk__in=ids)
        .select_related("department")
        .prefetch_related("materials", "fees", "special_procedures", "steps")
    }
    count = 0
    for item in ordered:
        stub = versions[item.pk]
        if stub is None:
            continue
        v = prefetched[stub.pk]
        row: list[Any] = [item.code, item.parent.code if item.parent else "", item.sort_order]
        for f in services.GUIDE_FIELDS:
            row.append(v.department.code if f == "department" else getattr(v, f))
        sheet.append(row)
        for name, columns in CHILD_SHEETS.items():
            for child in getattr(v, name).all():
                child_sheets[name].append([item.code, *[getattr(child, c) for c in columns[1:]]])
        count += 1
    help_sheet = wb.create_sheet("README")
    help_sheet.append(["sheet", "column", "meaning"])
    for f in ITEM_COLUMNS:
        label = f if f in {"code", "parent", "sort_order"} else str(
            getattr(ItemVersion._meta.get_field(f), "verbose_name", f))
        help_sheet.append(["items", f, label])
    help_sheet.append(["*", "booleans", "是/否, yes/no, 1/0"])
    help_sheet.append(["items", "department", "department code, e.g. SCJGJ"])
    wb.save(target)
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _convert(column: str, raw: Any) -> Any:
    text = _cell(raw)
    if column in INT_FIELDS:
        if text == "" and column in NULLABLE:
            return None
        try:
            number = int(text)
        except ValueError:
            raise ValueError(_("“%(v)s” is not a whole number") % {"v": text}) from None
        if number < 0:
            raise ValueError(_("must not be negative"))
        return number
    if column in BOOL_FIELDS:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(_("“%(v)s” is not yes/no (是/否)") % {"v": text})
    return text


def _read_sheet(wb: Any, name: str, columns: tuple[str, ...], errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    if name not in wb.sheetnames:
        if name == "items":
            errors.append(RowError(name, 0, "", _("The workbook has no “items” sheet.")))
        return []
    ws = wb[name]
    rows = ws.iter_rows(values_only=True)
    header = [(_cell(h)) for h in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        errors.append(RowError(name, 1, ", ".join(missing), _("Missing columns.")))
        return []
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        errors.append(RowError(name, 1, ", ".join(unknown), _("Unknown columns.")))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            errors.append(RowError(name, number, "", _("Too many rows.")))
            break
        if values is None or all(_cell(v) == "" for v in values):
            continue
        data: dict[str, Any] = {}
        for column, raw in zip(header, values, strict=False):
            if not column:
                continue
            try:
                data[column] = _convert(column, raw)
            except ValueError as exc:
                errors.append(RowError(name, number, column, str(exc)))
        out.append((number, data))
    return out


def import_catalog(source: IO[bytes] | Any, *, actor: User, publish_as: str | None = None) -> ImportReport:
    """Import the workbook as drafts (and publish them as one batch when ``publish_as`` is
    given). All or nothing: any invalid row raises ImportFailed and nothing is written."""
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailed([RowError("", 0, "", _("This is not a readable .xlsx file (%(e)s).") % {"e": exc})]) from None
    errors: list[RowError] = []
    item_rows = _read_sheet(wb, "items", ITEM_COLUMNS, errors)
    child_rows = {name: _read_sheet(wb, name, cols, errors) for name, cols in CHILD_SHEETS.items()}
    wb.close()

    codes_in_file: dict[str, int] = {}
    for number, data in item_rows:
        code = data.get("code", "")
        if not code:
            errors.append(RowError("items", number, "code", _("The item code is empty.")))
        elif code in codes_in_file:
            errors.append(RowError("items", number, "code", _("Code %(c)s already appears in row %(r)s.") % {
                "c": code, "r": codes_in_file[code]}))
        else:
            codes_in_file[code] = number
    children: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in child_rows.items():
        for number, data in rows:
            code = data.pop("item_code", "")
            if code not in codes_in_file:
                errors.append(RowError(name, number, "item_code", _("No item with code “%(c)s” in the items sheet.") % {
                    "c": code}))
                continue
            children[code][name].append((number, data))
    departments = {d.code: d for d in Department.objects.all()}
    report = ImportReport()
    try:
        with transaction.atomic():
            drafts = []
            for number, data in item_rows:
                code = data.get("code", "")
                if not code or codes_in_file.get(code) != number:
                    continue
                version = _import_item(number, data, children[code], departments, actor, errors, report)
                if version is not None:
                    drafts.append(version)
            if errors:
                raise ImportFailed(errors)
            if publish_as and drafts:
                batch = services.publish(actor=actor, versions=drafts, name=publish_as)
                report.published_batch = str(batch)
    except ValidationError as exc:  # from publish
        raise ImportFailed([RowError("", 0, "", m) for m in exc.messages]) from None
    return report


def _import_item(
    number: int,
    data: dict[str, Any],
    lists: dict[str, list[tuple[int, dict[str, Any]]]],
    departments: dict[str, Department],
    actor: User,
    errors: list[RowError],
    report: ImportReport,
) -> ItemVersion | None:
    code = data.pop("code")
    parent_code = data.pop("parent", "") or ""
    sort_order = data.pop("sort_order", 0) or 0
    dept_code = data.get("department", "")
    if dept_code not in departments:
        errors.append(RowError("items", number, "department", _("Unknown department code “%(c)s”.") % {"c": dept_code}))
        return None
    data["department"] = departments[dept_code]
    parent = None
    if parent_code:
        parent = ServiceItem.objects.filter(code=parent_code).first()
        if parent is None:
            errors.append(RowError("items", number, "parent", _("Unknown main item “%(c)s” (main items must come first).") % {
                "c": parent_code}))
            return None
    rows = {name: [d for _n, d in lists.get(name, [])] for name in CHILD_SHEETS}
    row_numbers = {name: [n for n, _d in lists.get(name, [])] for name in CHILD_SHEETS}
    item = ServiceItem.objects.filter(code=code).first()
    try:
        with transaction.atomic():
            if item is None:
                version = services.create_item(actor=actor, code=code, guide=data, parent=parent,
                                               sort_order=sort_order, **rows)
                report.created.append(code)
                return version
            if _same_as_current(item, data, rows):
                report.unchanged.append(code)
                return None
            draft = item.versions.filter(status=ItemVersion.Status.DRAFT).first()
            if draft is None:
                draft = services.start_draft(actor=actor, item=item)
            version = services.update_draft(actor=actor, version=draft, guide=data, **rows)
            report.updated.append(code)
            return version
    except ValidationError as exc:
        for key, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
            errors.extend(_locate(number, key, message, row_numbers) for message in messages)
        return None


def _locate(item_row: int, key: str, message: str, row_numbers: dict[str, list[int]]) -> RowError:
    """Turn a service error key like ``materials[3].form`` into the sheet row it came from."""
    if "[" in key:
        relation, rest = key.split("[", 1)
        index_text, _sep, column = rest.partition("]")
        index = int(index_text) - 1
        rows = row_numbers.get(relation, [])
        row = rows[index] if 0 <= index < len(rows) else 0
        return RowError(relation, row, column.lstrip("."), message)
    column = "" if key in {"", "__all__"} else key
    return RowError("items", item_row, column, message)


def _same_as_current(item: ServiceItem, data: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> bool:
    current = item.current
    if current is None:
        return False
    for key, value in data.items():
        if getattr(current, key) != value:
            return False
    for name, new_rows in rows.items():
        _model, fields = services.CHILDREN[name]
        old = [{f: getattr(o, f) for f in fields if f != "sample"} for o in getattr(current, name).all()]
        normalized = [{f: r.get(f, old_default(name, f)) for f in fields if f != "sample"} for r in new_rows]
        if old != normalized:
            return False
    return True


def old_default(relation: str, field_name: str) -> Any:
    model, _fields = services.CHILDREN[relation]
    field = model._meta.get_field(field_name)
    return field.get_default() if isinstance(field, Field) else None
