"""Check HTTP exchanges against GitHub's published OpenAPI description (OpenAPI 3.0, validated with jsonschema).

Usage:
    spec = load_spec(path)                       # cached per path: the file is ~13 MB, loaded once a session
    problems = spec.check_request("POST", "/repos/o/r/issues/1/comments", "application/json", body)
    problems += spec.check_response("POST", "/repos/o/r/issues/1/comments", 201, "application/json", body)

Each check returns a list of human-readable violations; an empty list means the exchange conforms.
Operations are found by path template and method; templates with more literal segments win.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

__all__ = ["ANY_OPERATION_STATUSES", "Operation", "Spec", "load_spec"]

# Statuses GitHub may answer on any operation, documented or not: bad credentials, rate limits, server faults.
ANY_OPERATION_STATUSES = frozenset({401, 403, 429, 500, 502, 503, 504})
_GREEDY_PARAMS = frozenset({"ref", "path"})


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    regex: re.Pattern[str]
    literals: int
    spec: dict[str, Any]


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    parts = []
    literals = 0
    for segment in template.strip("/").split("/"):
        match = re.fullmatch(r"\{(\w+)\}", segment)
        if match:
            parts.append(".+" if match.group(1) in _GREEDY_PARAMS else "[^/]+")
        else:
            parts.append(re.escape(segment))
            literals += 1
    return re.compile("/" + "/".join(parts)), literals


class Spec:
    """One loaded OpenAPI document with an operation index and cached schema validators."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = document["components"]
        _allow_null_in_nullable_enums(self.components)
        self.operations: dict[str, list[Operation]] = {}
        for template, item in document["paths"].items():
            regex, literals = _compile(template)
            for method, op in item.items():
                if method in {"parameters", "summary", "description", "servers"}:
                    continue
                entry = Operation(method.upper(), template, regex, literals, op)
                self.operations.setdefault(method.upper(), []).append(entry)
        for ops in self.operations.values():
            ops.sort(key=lambda op: -op.literals)
        self._validators: dict[str, OAS30Validator] = {}

    def find(self, method: str, path: str) -> Operation | None:
        """The operation whose template matches `path` (most literal segments first), or None."""
        for op in self.operations.get(method.upper(), []):
            if op.regex.fullmatch(path):
                return op
        return None

    def check_request(self, method: str, path: str, content_type: str | None, body: bytes) -> list[str]:
        """Violations of the operation's request body schema (and of the path/method being documented)."""
        op = self.find(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the API description"]
        request_body = self._deref(op.spec.get("requestBody"))
        if not body:
            if request_body and request_body.get("required"):
                return [f"{method} {op.template}: request body is required"]
            return []
        if request_body is None:
            return [f"{method} {op.template}: sends a body the operation does not take"]
        return self._check_body(f"{method} {op.template} request", request_body.get("content", {}), content_type, body)

    def check_response(self, method: str, path: str, status: int, content_type: str | None, body: bytes) -> list[str]:
        """Violations of the documented response for `status` (undocumented statuses are violations too)."""
        op = self.find(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the API description"]
        where = f"{method} {op.template} -> {status}"
        responses = op.spec.get("responses", {})
        response = self._deref(responses.get(str(status)) or responses.get(f"{str(status)[0]}XX"))
        if response is None:
            if status in ANY_OPERATION_STATUSES:
                return self._check_schema(where, {"$ref": "#/components/schemas/basic-error"}, body)
            return [f"{where}: status not documented for this operation"]
        content = response.get("content")
        if not content:
            return [f"{where}: documented without a body, but one was sent"] if body.strip() else []
        return self._check_body(where, content, content_type, body)

    def _check_body(self, where: str, content: dict[str, Any], content_type: str | None, body: bytes) -> list[str]:
        media = (content_type or "").split(";")[0].strip()
        if media not in content:
            json_like = "application/json" in content and (media.endswith("json") or media == "")
            if not json_like:
                return [f"{where}: media type {media!r} not among {sorted(content)}"]
            media = "application/json"
        schema = content[media].get("schema")
        if schema is None or not media.endswith("json"):
            return []
        return self._check_schema(where, schema, body)

    def _check_schema(self, where: str, schema: dict[str, Any], body: bytes) -> list[str]:
        try:
            instance = json.loads(body)
        except ValueError:
            return [f"{where}: body is not JSON"]
        validator = self._validator(schema)
        return [
            f"{where}: {'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message[:300]}"
            for error in validator.iter_errors(instance)
        ]

    def _validator(self, schema: dict[str, Any]) -> OAS30Validator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            wrapped = {"allOf": [schema], "components": self.components}
            self._validators[key] = OAS30Validator(wrapped, format_checker=oas30_format_checker)
        return self._validators[key]

    def _deref(self, node: dict[str, Any] | None) -> dict[str, Any] | None:
        while node is not None and "$ref" in node:
            _, section, name = node["$ref"].removeprefix("#/").split("/", 2)
            node = self.components[section][name]
        return node


def _allow_null_in_nullable_enums(node: Any) -> None:
    """`nullable: true` beside an `enum` means null is allowed (as GitHub sends it, e.g. a running check's
    `conclusion`); the strict OpenAPI 3.0.3 reading would also need null inside the enum."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("nullable") is True and isinstance(item.get("enum"), list) and None not in item["enum"]:
                item["enum"].append(None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@functools.cache
def load_spec(path: Path) -> Spec:
    """Load and index the description once per process."""
    return Spec(json.loads(path.read_text()))
