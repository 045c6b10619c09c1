"""Excel round trip of the catalogue (openpyxl).

Export writes one sheet per list (事项, 申请材料, 收费项目, 特别程序, 办理流程) with Chinese
column headers, choices as their Chinese labels (行政许可, 复印件…) and yes/no as 是/否, plus a
sheet that explains the columns. Import reads the same layout; it also accepts the English
headers and sheet names, the field names of earlier exports, and choice codes. It checks
every row and writes nothing unless every row is valid; errors name the sheet, row, column
(as the file names them) and what is wrong, and a wrong choice lists the valid ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetrip.accounts.models import Department, User
from onetrip.catalog import services
from onetrip.catalog.models import ItemVersion, PublicationBatch, ServiceItem

FILE_LANGUAGE = "zh-hans"  # the language of exported headers and choice labels

ITEM_COLUMNS = ("code", "parent", "sort_order", *services.GUIDE_FIELDS)
CHILD_SHEETS = {
    "materials": ("item_code", *[f for f in services.CHILDREN["materials"][1] if f != "sample"]),
    "fees": ("item_code", *services.CHILDREN["fees"][1]),
    "special_procedures": ("item_code", *services.CHILDREN["special_procedures"][1]),
    "steps": ("item_code", *services.CHILDREN["steps"][1]),
}
SHEET_TITLES = {
    "items": gettext_lazy("Items"),
    "materials": gettext_lazy("Application materials"),
    "fees": gettext_lazy("Fee items"),
    "special_procedures": gettext_lazy("Special procedures"),
    "steps": gettext_lazy("Process steps"),
}
# Headers that are not simply the model field's verbose name.
_HEADER_OVERRIDES = {
    ("items", "code"): gettext_lazy("item code"),
    ("items", "parent"): gettext_lazy("main item code"),
    ("items", "name"): gettext_lazy("item name"),
    ("items", "department"): gettext_lazy("implementing department (code)"),
    ("*", "item_code"): gettext_lazy("item code"),
    ("materials", "name"): gettext_lazy("material name"),
    ("materials", "required"): gettext_lazy("required?"),
}


def _model_of(sheet: str) -> type[Model]:
    return ItemVersion if sheet == "items" else services.CHILDREN[sheet][0]


def _label(sheet: str, column: str) -> str:
    """The header of a column in the current language."""
    override = _HEADER_OVERRIDES.get((sheet, column)) or _HEADER_OVERRIDES.get(("*", column))
    if override is not None:
        return str(override)
    if sheet == "items" and column == "sort_order":
        return str(getattr(ServiceItem._meta.get_field(column), "verbose_name", column))
    return str(getattr(_model_of(sheet)._meta.get_field(column), "verbose_name", column))


def _file_label(sheet: str, column: str) -> str:
    with translation.override(FILE_LANGUAGE):
        return _label(sheet, column)


def _sheet_title(sheet: str) -> str:
    with translation.override(FILE_LANGUAGE):
        return str(SHEET_TITLES[sheet])


def _columns(sheet: str) -> tuple[str, ...]:
    return ITEM_COLUMNS if sheet == "items" else CHILD_SHEETS[sheet]


def _header_aliases(sheet: str) -> dict[str, str]:
    """Every header accepted for a column: the Chinese one, the English one, the field name."""
    aliases: dict[str, str] = {}
    for column in _columns(sheet):
        aliases[column] = column
        for language in (FILE_LANGUAGE, "en"):
            with translation.override(language):
                aliases[_label(sheet, column)] = column
    return {_norm(k): v for k, v in aliases.items()}


def _sheet_names(sheet: str) -> set[str]:
    names = {sheet}
    for language in (FILE_LANGUAGE, "en"):
        with translation.override(language):
            names.add(str(SHEET_TITLES[sheet]))
    return names


def _norm(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")").lower()


def _choices(sheet: str, column: str) -> list[tuple[str, str]]:
    field_obj = _model_of(sheet)._meta.get_field(column)
    return [(str(v), str(lbl)) for v, lbl in getattr(field_obj, "choices", None) or []]


def _choice_label(sheet: str, column: str, value: Any) -> Any:
    if value == "":
        return ""
    with translation.override(FILE_LANGUAGE):
        labels = dict(_choices(sheet, column))
    return labels.get(value, value)


def _cell_out(sheet: str, column: str, value: Any) -> Any:
    """What an exported cell holds: Chinese labels for choices, 是/否 for yes/no."""
    if column in BOOL_FIELDS:
        return "是" if value else "否"
    if column in CHOICE_FIELDS.get(sheet, ()):
        return _choice_label(sheet, column, value)
    return value


def _parse_choice(sheet: str, column: str, text: str) -> str:
    """A choice cell: its code, its Chinese label or its English label."""
    if text == "" and getattr(_model_of(sheet)._meta.get_field(column), "blank", False):
        return ""
    accepted: dict[str, str] = {}
    for language in ("en", FILE_LANGUAGE):
        with translation.override(language):
            accepted.update({_norm(label): code for code, label in _choices(sheet, column)})
    accepted.update({_norm(code): code for code, _label in _choices(sheet, column)})
    if _norm(text) in accepted:
        return accepted[_norm(text)]
    with translation.override(FILE_LANGUAGE):
        valid = "、".join(label for code, label in _choices(sheet, column) if code)
    raise ValueError(_("“%(v)s” is not a valid choice; use one of: %(choices)s") % {"v": text, "choices": valid})


INT_FIELDS = {"sort_order", "legal_limit_days", "promised_limit_days", "max_visits", "copies", "max_days", "limit_days",
              "amount_fen"}
BOOL_FIELDS = {"online", "postable", "required", "excluded_from_limit", "blocks_result", "refundable"}
NULLABLE = {"max_days", "limit_days", "parent"}
_TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "", "×"}
MAX_ROWS = 200_000
CHOICE_FIELDS = {
    "items": ("kind", "exercise_level", "audience"),
    "materials": ("form", "registry"),
    "steps": ("role",),
    "fees": ("amount_rule", "due_at"),
}


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
    proposed_batch: PublicationBatch | None = None


def _version_for_export(item: ServiceItem) -> ItemVersion | None:
    return item.current or item.versions.order_by("-number").first()


def export_catalog(target: IO[bytes] | Any) -> int:
    """Write the catalogue (published versions; drafts for never-published items) as .xlsx,
    with Chinese sheet names, headers and choice labels."""
    from openpyxl import Workbook  # on first use, as the other heavy libraries

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = _sheet_title("items")
    sheet.append([_file_label("items", c) for c in ITEM_COLUMNS])
    child_sheets = {name: wb.create_sheet(_sheet_title(name)) for name in CHILD_SHEETS}
    for name, columns in CHILD_SHEETS.items():
        child_sheets[name].append([_file_label(name, c) for c in columns])
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
            row.append(v.department.code if f == "department" else _cell_out("items", f, getattr(v, f)))
        sheet.append(row)
        for name, columns in CHILD_SHEETS.items():
            for child in getattr(v, name).all():
                child_sheets[name].append(
                    [item.code, *[_cell_out(name, c, getattr(child, c)) for c in columns[1:]]])
        count += 1
    with translation.override(FILE_LANGUAGE):
        help_sheet = wb.create_sheet(str(_("Read me")))
        help_sheet.append([_("Sheet"), _("Column"), _("What to fill in")])
        for name in ("items", *CHILD_SHEETS):
            for column in _columns(name):
                hint = ""
                if column in BOOL_FIELDS:
                    hint = "是 / 否"
                elif column in CHOICE_FIELDS.get(name, ()):
                    hint = "、".join(label for code, label in _choices(name, column) if code)
                elif column == "department":
                    hint = _("the department's code, e.g. SCJGJ")
                help_sheet.append([str(SHEET_TITLES[name]), _label(name, column), hint])
    wb.save(target)
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _convert(sheet: str, column: str, raw: Any) -> Any:
    text = _cell(raw)
    if column in CHOICE_FIELDS.get(sheet, ()):
        return _parse_choice(sheet, column, text)
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
    title = _sheet_title(name)
    found = [s for s in wb.sheetnames if s in _sheet_names(name)]
    if not found:
        if name == "items":
            errors.append(RowError(title, 0, "", _("The workbook has no “%(s)s” sheet.") % {"s": title}))
        return []
    ws = wb[found[0]]
    rows = ws.iter_rows(values_only=True)
    aliases = _header_aliases(name)
    raw_header = [_cell(h) for h in next(rows, ())]
    header = [aliases.get(_norm(h), "") if h else "" for h in raw_header]
    missing = [_file_label(name, c) for c in columns if c not in header]
    if missing:
        errors.append(RowError(title, 1, "、".join(missing), _("Missing columns.")))
        return []
    unknown = [h for h, c in zip(raw_header, header, strict=True) if h and not c]
    if unknown:
        errors.append(RowError(title, 1, "、".join(unknown), _("Unknown columns.")))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            errors.append(RowError(title, number, "", _("Too many rows.")))
            break
        if values is None or all(_cell(v) == "" for v in values):
            continue
        data: dict[str, Any] = {}
        for column, raw in zip(header, values, strict=False):
            if not column:
                continue
            try:
                data[column] = _convert(name, column, raw)
            except ValueError as exc:
                errors.append(RowError(title, number, _file_label(name, column), str(exc)))
        out.append((number, data))
    return out


def _error(sheet: str, row: int, column: str, message: str) -> RowError:
    """An error located by the sheet and column names the file shows."""
    return RowError(_sheet_title(sheet), row, _file_label(sheet, column) if column else "", message)


def import_catalog(source: IO[bytes] | Any, *, actor: User, propose_as: str | None = None) -> ImportReport:
    """Import the workbook as drafts (and propose them for publication as one batch named
    ``propose_as``: a second catalogue admin approves it before anything goes public).
    All or nothing: any invalid row raises ImportFailed and nothing is written."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

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
            errors.append(_error("items", number, "code", _("The item code is empty.")))
        elif code in codes_in_file:
            errors.append(_error("items", number, "code", _("Code %(c)s already appears in row %(r)s.") % {
                "c": code, "r": codes_in_file[code]}))
        else:
            codes_in_file[code] = number
    children: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in child_rows.items():
        for number, data in rows:
            code = data.pop("item_code", "")
            if code not in codes_in_file:
                errors.append(_error(name, number, "item_code", _("No item with code “%(c)s” in the items sheet.") % {
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
            if propose_as and drafts:
                report.proposed_batch = services.propose_publication(actor=actor, versions=drafts, name=propose_as)
    except ValidationError as exc:  # from the proposal
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
        errors.append(_error("items", number, "department", _("Unknown department code “%(c)s”.") % {"c": dept_code}))
        return None
    data["department"] = departments[dept_code]
    parent = None
    if parent_code:
        parent = ServiceItem.objects.filter(code=parent_code).first()
        if parent is None:
            errors.append(_error("items", number, "parent", _("Unknown main item “%(c)s” (main items must come first).") % {
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
        column = column.lstrip(".")
        known = column in CHILD_SHEETS.get(relation, ())
        return RowError(_sheet_title(relation), row, _file_label(relation, column) if known else column, message)
    column = "" if key in {"", "__all__"} else key
    return _error("items", item_row, column, message) if column in ITEM_COLUMNS or not column else RowError(
        _sheet_title("items"), item_row, column, message)


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
