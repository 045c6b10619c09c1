"""Check API responses against the published OpenAPI schema."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    operation = spec["paths"][path][method]
    content = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return {**content, "components": spec["components"]}


def assert_matches(spec: dict[str, Any], path: str, method: str, response: Any) -> Any:
    data = response.json()
    Draft202012Validator(response_schema(spec, path, method, response.status_code)).validate(data)
    return data
