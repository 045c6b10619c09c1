from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class Error(Schema):
    """Every error answer: a sentence in ``detail``; per-field messages in ``errors`` for bad
    input; a machine-readable ``code`` where one helps the client (a case refusal, ``busy``);
    ``retry_after`` (seconds, also in the Retry-After header) when a log-in is locked out."""

    detail: str
    code: str | None = None
    errors: dict[str, list[str]] | None = None
    retry_after: int | None = None


# Statuses any operation may answer, beyond its own:
BAD_INPUT = 400  # a parameter or body the schema refuses (or malformed JSON)
NO_AUTH = 401  # no, or an unknown, bearer token and no logged-in session
FORBIDDEN = 403  # not this user's business; or a logged-in session without its CSRF token (POST)
NOT_FOUND = 404
CONFLICT = 409
THROTTLED = 429
BUSY = 503  # the database stayed locked: nothing was changed, retry (Retry-After)


def answers(ok: dict[int, Any], *errors: int) -> dict[Any, Any]:
    """A ``response=`` for django-ninja: the success bodies plus the ``Error`` body for each error
    status, and 503 (busy) which any operation may answer."""
    return {**ok, tuple(sorted({*errors, BUSY})): Error}


def text(*, min_length: int = 1, max_length: int | None = None, description: str = "", **extra: Any) -> Any:
    """A required string that must not be empty or blank (the pattern asks for one non-space
    character; JSON Schema's and pydantic's patterns both search rather than match)."""
    return Field(..., min_length=min_length, max_length=max_length, pattern=r"\S", description=description,
                 **extra)


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


class SearchHitOut(Schema):
    kind: str = Field(description="item, bundle, or a kind an upper app registers (a knowledge-base article).")
    kind_label: str
    code: str = Field(description="The item's or bundle's code (the document's own key within its kind).")
    title: str
    url: str


class SearchOut(Schema):
    count: int = Field(description="How many documents were found in all.")
    all_matched: bool = Field(description="False when nothing matched every word and the closest are shown.")
    results: list[SearchHitOut]


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
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1)
    name: str = Field("", max_length=100, description="What the token is for (shown in the token list).")


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    username: str
    role: str
    real_name: str
    mobile: str
    resident_id: str
    department: str | None
