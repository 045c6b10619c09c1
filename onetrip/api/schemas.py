from __future__ import annotations

from ninja import Schema


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    short_name: str
    uscc: str
    phone: str
    address: str
    item_count: int


class ItemSummary(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    kind_label: str
    department: str
    department_code: str
    legal_limit_days: int
    promised_limit_days: int
    max_visits: int
    online: bool
    parent: str | None
    version: int


class ItemPage(Schema):
    count: int
    page: int
    pages: int
    next: int | None
    previous: int | None
    results: list[ItemSummary]


class MaterialOut(Schema):
    name: str
    form: str
    copies: int
    required: bool
    condition: str
    source: str
    registry: str
    sample_url: str | None
    notes: str


class FeeOut(Schema):
    name: str
    standard: str
    basis: str


class SpecialProcedureOut(Schema):
    name: str
    max_days: int | None
    excluded_from_limit: bool


class StepOut(Schema):
    name: str
    actor: str
    limit_days: int | None
    description: str


class SubItemOut(Schema):
    code: str
    name: str


class ItemGuide(ItemSummary):
    exercise_level: str
    audience: str
    legal_basis: str
    acceptance_conditions: str
    on_the_spot: bool
    postable: bool
    free: bool
    location: str
    window: str
    office_hours: str
    consultation_phone: str
    complaint_phone: str
    result_name: str
    published_at: str | None
    batch: str | None
    materials: list[MaterialOut]
    fees: list[FeeOut]
    special_procedures: list[SpecialProcedureOut]
    steps: list[StepOut]
    sub_items: list[SubItemOut]


class BundleSummary(Schema):
    code: str
    name: str
    name_en: str
    audience: str
    item_count: int


class BundleMaterialOut(Schema):
    name: str
    form: str
    copies: int
    required: bool
    condition: str
    registry: str
    items: list[str]
    conditions: list[str]


class BundleGuideOut(BundleSummary):
    description: str
    items: list[ItemSummary]
    materials: list[BundleMaterialOut]
    max_promised_limit_days: int
    max_visits: int


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    username: str
    role: str
    real_name: str
    mobile: str
    resident_id: str
    department: str | None
