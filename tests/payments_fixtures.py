"""An item with fees (统一支付) for the payments and delivery tests."""

from __future__ import annotations

from typing import Any

from onetrip.catalog import services as catalog

from .conftest import MATERIALS, guide

CODE = "430703-SCJGJ-001"

FIXED = {"name": "登记费", "standard": "每件12.50元", "basis": "《行政事业性收费标准》（演示）",
         "amount_rule": "fixed", "amount_fen": 1250, "due_at": "approval", "blocks_result": True, "refundable": True}
ON_ACCEPTANCE = {**FIXED, "name": "工本费", "standard": "每本5元", "amount_fen": 500, "due_at": "acceptance"}
PER_UNIT = {"name": "检测费", "standard": "每平方米0.35元", "basis": "《检测收费标准》（演示）", "amount_rule": "per_unit",
            "amount_fen": 35, "unit_field": "area", "unit_label": "平方米", "due_at": "acceptance",
            "blocks_result": True, "refundable": False}


def fee_item(admin: Any, department: Any, fees: list[dict[str, Any]], **overrides: Any) -> Any:
    """个体工商户设立登记 (as the ``item`` fixture), with these fees."""
    version = catalog.create_item(actor=admin, code=CODE, guide=guide(department, **overrides), materials=MATERIALS,
                                  fees=fees)
    catalog.publish_for_seeding(actor=admin, versions=[version], name="测试批次")
    version.refresh_from_db()
    return version
