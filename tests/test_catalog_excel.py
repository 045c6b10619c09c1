"""Excel round trip: export, import back; any bad row → nothing imported, errors located."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from onetrip.catalog import excel
from onetrip.catalog.models import ItemVersion, ServiceItem

from .conftest import make_item


def export_bytes() -> io.BytesIO:
    buf = io.BytesIO()
    excel.export_catalog(buf)
    buf.seek(0)
    return buf


def edit(buf, sheet, row, column, value) -> io.BytesIO:
    wb = load_workbook(buf)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.fixture
def two_items(catalog_admin, department):
    a = make_item(catalog_admin, department, code="X-1", fees=[{"name": "工本费", "standard": "10元", "basis": "某文件"}])
    b = make_item(catalog_admin, department, code="X-2", name="食品经营许可")
    make_item(catalog_admin, department, code="X-2-01", name="食品经营许可（新办）", parent=b.item)
    return a, b


@pytest.mark.django_db
def test_an_unchanged_export_imports_as_unchanged(catalog_admin, two_items):
    report = excel.import_catalog(export_bytes(), actor=catalog_admin)
    assert sorted(report.unchanged) == ["X-1", "X-2", "X-2-01"]
    assert not report.created and not report.updated
    assert not ItemVersion.objects.filter(status="draft").exists()


@pytest.mark.django_db
def test_a_changed_row_becomes_a_draft_and_publishes(catalog_admin, two_items):
    buf = edit(export_bytes(), "items", 2, "promised_limit_days", 1)
    report = excel.import_catalog(buf, actor=catalog_admin, publish_as="Excel 批次")
    assert report.updated == ["X-1"] and report.published_batch
    item = ServiceItem.objects.get(code="X-1")
    assert item.current.number == 2 and item.current.promised_limit_days == 1
    assert item.current.fees.get().standard == "10元"


@pytest.mark.django_db
def test_new_items_in_the_file_are_created_as_drafts(catalog_admin, department, two_items):
    wb = load_workbook(export_bytes())
    row = [c.value for c in wb["items"][2]]
    row[0] = "X-9"
    wb["items"].append(row)
    wb["materials"].append(["X-9", "申请书", "original", 1, True, "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = excel.import_catalog(buf, actor=catalog_admin)
    assert report.created == ["X-9"]
    assert ServiceItem.objects.get(code="X-9").versions.get().status == "draft"


@pytest.mark.django_db
def test_errors_name_sheet_row_and_column_and_nothing_is_imported(catalog_admin, two_items):
    buf = edit(export_bytes(), "items", 2, "promised_limit_days", 3)  # a valid change…
    buf = edit(buf, "items", 3, "legal_limit_days", "十五")  # …and a bad number
    buf = edit(buf, "materials", 3, "form", "fax")  # a bad choice
    buf = edit(buf, "items", 4, "department", "NOPE")  # an unknown department
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    where = {(e.sheet, e.row, e.column) for e in failed.value.errors}
    assert ("items", 3, "legal_limit_days") in where
    assert ("materials", 3, "form") in where
    assert ("items", 4, "department") in where
    assert not ItemVersion.objects.filter(status="draft").exists()
    assert ServiceItem.objects.count() == 3


@pytest.mark.django_db
def test_a_promise_beyond_the_law_is_reported_on_its_row(catalog_admin, two_items):
    buf = edit(export_bytes(), "items", 3, "promised_limit_days", 99)
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    assert [(e.sheet, e.row, e.column) for e in failed.value.errors] == [("items", 3, "promised_limit_days")]


@pytest.mark.django_db
def test_duplicate_codes_and_orphan_materials_are_reported(catalog_admin, two_items):
    buf = edit(export_bytes(), "items", 3, "code", "X-1")
    buf = edit(buf, "materials", 2, "item_code", "GHOST")
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    messages = " ".join(str(e) for e in failed.value.errors)
    assert "items!3 [code]" in messages and "materials!2 [item_code]" in messages


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_is_refused(catalog_admin, db):
    with pytest.raises(excel.ImportFailed, match="error"):
        excel.import_catalog(io.BytesIO(b"%PDF-1.4 not a workbook"), actor=catalog_admin)


@pytest.mark.django_db
def test_the_admin_page_round_trip(client, catalog_admin, two_items):
    client.force_login(catalog_admin)
    response = client.get("/manage/catalogue/export.xlsx")
    assert response.status_code == 200
    buf = edit(io.BytesIO(response.content), "materials", 2, "copies", "two")
    buf.name = "catalogue.xlsx"
    response = client.post("/manage/catalogue/import/", {"file": buf})
    assert response.status_code == 400
    page = response.content.decode()
    assert "copies" in page and ("nothing was imported" in page.lower() or "未导入" in page)


@pytest.mark.django_db
def test_the_commands(tmp_path, catalog_admin, two_items, capsys):
    path = tmp_path / "catalogue.xlsx"
    call_command("catalog_export", str(path))
    call_command("catalog_import", str(path), "--as", catalog_admin.username)
    assert "3 unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not an active catalogue admin"):
        call_command("catalog_import", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("catalog_import", str(tmp_path / "missing.xlsx"), "--as", catalog_admin.username)
