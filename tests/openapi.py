"""Check API responses against the published OpenAPI schema.

A response whose status the operation does not document fails, and so does a body with a field
the schema does not name (response objects are checked as closed), or a content type the status
does not list."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator


def _closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to other ones."""
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


def operation(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"][path][method]
    return operation


def documented(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = operation(spec, path, method)["responses"]
    assert str(status) in responses, (
        f"{method.upper()} {path} answered {status}, which its schema does not document "
        f"(documented: {', '.join(sorted(responses))})")
    answer: dict[str, Any] = responses[str(status)]
    return answer


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    content = documented(spec, path, method, status)["content"]["application/json"]["schema"]
    return {**content, "components": copy.deepcopy(spec["components"])}


def assert_matches(spec: dict[str, Any], path: str, method: str, response: Any) -> Any:
    """The response's status is documented for the operation and its body is what the schema
    says for that status; returns the parsed JSON body (or the raw bytes of a file)."""
    answer = documented(spec, path, method, response.status_code)
    content_type = response["Content-Type"].split(";")[0].strip()
    assert content_type in answer.get("content", {}), (
        f"{method.upper()} {path} answered {response.status_code} as {content_type}, which is not documented")
    if content_type != "application/json":
        return b"".join(response.streaming_content) if response.streaming else response.content
    data = response.json()
    schema = _closed(response_schema(spec, path, method, response.status_code))
    Draft202012Validator(schema).validate(data)
    return data
