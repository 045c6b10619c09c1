"""Excel round trip: export, import back; any bad row → nothing imported, errors located."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from onetrip.accounts.models import Role
from onetrip.catalog import excel, services
from onetrip.catalog.models import ItemVersion, PublicationBatch, ServiceItem

from .conftest import make_item, make_user


def export_bytes() -> io.BytesIO:
    buf = io.BytesIO()
    excel.export_catalog(buf)
    buf.seek(0)
    return buf


# The file speaks Chinese: sheets and columns by the names a clerk sees in Excel.
ITEMS, MATERIALS = "事项", "申请材料"


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
def test_a_changed_row_becomes_a_draft_proposed_for_a_second_admin_to_publish(catalog_admin, two_items):
    buf = edit(export_bytes(), ITEMS, 2, "承诺办结时限（工作日）", 1)
    report = excel.import_catalog(buf, actor=catalog_admin, propose_as="Excel 批次")
    assert report.updated == ["X-1"] and report.proposed_batch.status == "proposed"
    item = ServiceItem.objects.get(code="X-1")
    assert item.current.number == 1  # nothing is public before the review
    services.approve_publication(actor=make_user(Role.CATALOG_ADMIN), batch=report.proposed_batch)
    item.refresh_from_db()
    assert item.current.number == 2 and item.current.promised_limit_days == 1
    assert item.current.fees.get().standard == "10元"


@pytest.mark.django_db
def test_new_items_in_the_file_are_created_as_drafts(catalog_admin, department, two_items):
    wb = load_workbook(export_bytes())
    row = [c.value for c in wb[ITEMS][2]]
    row[0] = "X-9"
    wb[ITEMS].append(row)
    wb[MATERIALS].append(["X-9", "申请书", "原件", 1, "是", "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = excel.import_catalog(buf, actor=catalog_admin)
    assert report.created == ["X-9"]
    assert ServiceItem.objects.get(code="X-9").versions.get().status == "draft"


@pytest.mark.django_db
def test_errors_name_sheet_row_and_column_and_nothing_is_imported(catalog_admin, two_items):
    buf = edit(export_bytes(), ITEMS, 2, "承诺办结时限（工作日）", 3)  # a valid change…
    buf = edit(buf, ITEMS, 3, "法定办结时限（工作日）", "十五")  # …and a bad number
    buf = edit(buf, MATERIALS, 3, "材料形式", "传真件")  # a bad choice
    buf = edit(buf, ITEMS, 4, "实施主体（部门编码）", "NOPE")  # an unknown department
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    where = {(e.sheet, e.row, e.column) for e in failed.value.errors}
    assert (ITEMS, 3, "法定办结时限（工作日）") in where
    assert (MATERIALS, 3, "材料形式") in where
    assert (ITEMS, 4, "实施主体（部门编码）") in where
    assert not ItemVersion.objects.filter(status="draft").exists()
    assert ServiceItem.objects.count() == 3


@pytest.mark.django_db
def test_a_promise_beyond_the_law_is_reported_on_its_row(catalog_admin, two_items):
    buf = edit(export_bytes(), ITEMS, 3, "承诺办结时限（工作日）", 99)
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    assert [(e.sheet, e.row, e.column) for e in failed.value.errors] == [(ITEMS, 3, "承诺办结时限（工作日）")]


@pytest.mark.django_db
def test_duplicate_codes_and_orphan_materials_are_reported(catalog_admin, two_items):
    buf = edit(export_bytes(), ITEMS, 3, "事项编码", "X-1")
    buf = edit(buf, MATERIALS, 2, "事项编码", "GHOST")
    with pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    messages = " ".join(str(e) for e in failed.value.errors)
    assert "事项!3 [事项编码]" in messages and "申请材料!2 [事项编码]" in messages


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_is_refused(catalog_admin, db):
    with pytest.raises(excel.ImportFailed, match="error"):
        excel.import_catalog(io.BytesIO(b"%PDF-1.4 not a workbook"), actor=catalog_admin)


@pytest.mark.django_db
def test_the_admin_page_round_trip(client, catalog_admin, two_items):
    client.force_login(catalog_admin)
    response = client.get("/manage/catalogue/export.xlsx")
    assert response.status_code == 200
    buf = edit(io.BytesIO(response.content), MATERIALS, 2, "份数", "two")
    buf.name = "catalogue.xlsx"
    response = client.post("/manage/catalogue/import/", {"file": buf})
    assert response.status_code == 400
    page = response.content.decode()
    assert "份数" in page and "未导入" in page


@pytest.mark.django_db
def test_the_commands(tmp_path, catalog_admin, two_items, capsys):
    path = tmp_path / "catalogue.xlsx"
    call_command("catalog_export", str(path))
    call_command("catalog_import", str(path), "--as", catalog_admin.username)
    assert "3 unchanged" in capsys.readouterr().out
    # --publish proposes: nothing public until a second admin approves.
    buf = edit(export_bytes(), ITEMS, 2, "承诺办结时限（工作日）", 1)
    path.write_bytes(buf.getvalue())
    call_command("catalog_import", str(path), "--as", catalog_admin.username, "--publish", "第三批")
    out = capsys.readouterr().out
    batch = PublicationBatch.objects.get(name="第三批")
    assert batch.status == "proposed" and f"/manage/catalogue/publications/{batch.pk}/" in out
    assert ServiceItem.objects.get(code="X-1").current.number == 1
    with pytest.raises(CommandError, match="not an active catalogue admin"):
        call_command("catalog_import", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("catalog_import", str(tmp_path / "missing.xlsx"), "--as", catalog_admin.username)


@pytest.mark.django_db
def test_the_export_has_chinese_sheets_headers_and_choices(catalog_admin, two_items):
    wb = load_workbook(export_bytes())
    assert wb.sheetnames == ["事项", "申请材料", "收费项目", "特别程序", "办理流程", "填写说明"]
    items = [[c.value for c in row] for row in wb[ITEMS].iter_rows()]
    assert items[0][:7] == ["事项编码", "主项编码", "排序", "事项名称", "英文名称", "事项类型", "实施主体（部门编码）"]
    row = dict(zip(items[0], items[1], strict=True))
    assert row["事项类型"] == "行政许可" and row["服务对象"] == "自然人、法人" and row["可全程网办"] == "是"
    materials = [[c.value for c in row] for row in wb[MATERIALS].iter_rows()]
    assert materials[0] == ["事项编码", "材料名称", "材料形式", "份数", "是否必需", "适用情形", "来源渠道", "由共享库提供",
                            "备注"]
    assert materials[2][2] == "复印件" and materials[2][7] == "人口信息库"


@pytest.mark.django_db
def test_a_wrong_choice_names_the_valid_ones_in_chinese(catalog_admin, two_items):
    from django.utils import translation

    buf = edit(export_bytes(), MATERIALS, 3, "材料形式", "传真件")
    buf = edit(buf, ITEMS, 2, "事项类型", "许可")
    with translation.override("zh-hans"), pytest.raises(excel.ImportFailed) as failed:
        excel.import_catalog(buf, actor=catalog_admin)
    errors = {(e.sheet, e.column): e.message for e in failed.value.errors}
    assert errors[(MATERIALS, "材料形式")] == "“传真件”不是有效选项，请填写以下之一：原件、复印件、原件和复印件、电子版"
    assert "行政许可、行政确认、行政征收" in errors[(ITEMS, "事项类型")]


@pytest.mark.django_db
def test_an_older_file_with_english_headers_and_codes_still_imports(catalog_admin, two_items):
    wb = load_workbook(export_bytes())
    for title, sheet in [("事项", "items"), ("申请材料", "materials"), ("收费项目", "fees"), ("特别程序", "special_procedures"),
                         ("办理流程", "steps")]:
        ws = wb[title]
        ws.title = sheet
        for cell, column in zip(ws[1], excel._columns(sheet), strict=True):
            cell.value = column
    wb["materials"].cell(row=3, column=3, value="copy")  # a choice code instead of its label
    wb["items"].cell(row=2, column=6, value="Administrative licensing (行政许可)")  # the English label
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = excel.import_catalog(buf, actor=catalog_admin)
    assert sorted(report.unchanged) == ["X-1", "X-2", "X-2-01"]
