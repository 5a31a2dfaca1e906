"""GitHub's published webhook examples, the overlays that bring old ones up to date, and their validators.

The examples live in `../shared/fixtures/github/webhooks/<event>/<name>.json` and are read in place, never
copied. An overlay `tests/webhooks/overlays/<event>/<name>.json` is an RFC 7386 JSON merge patch applied on
top of the example with the same relative path.

A merge patch cannot add a null (a null deletes the key). Where a required key is missing and only an object
can carry it, the overlays use a non-null value that fits the rest of the payload: `discussion.state_reason`
"reopened" (the discussions are open), a label archived by the event's sender. Keys inside arrays (which a
merge patch replaces whole) get their null. The one example where no non-null value is truthful (an unsigned
commit's `verification.verified_at`) is listed in test_overlays.NULL_ONLY_GAPS.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

OVERLAY_DIR = Path(__file__).resolve().parent / "overlays"
EXAMPLES = Path("fixtures/github/webhooks")
WEBHOOK_SPEC = Path("fixtures/github/openapi/webhooks.api.github.com.json")
SPEC_URI = "urn:github:webhooks-openapi"

# Examples whose schema name is not `<event>-<action>`: a repository_dispatch action is the caller's event_type.
SCHEMA_KEY_OVERRIDES = {"repository_dispatch": "repository-dispatch-sample.collected"}


@dataclass(frozen=True)
class Example:
    """One published example: its path relative to the examples folder and its parsed payload."""

    rel: str
    payload: dict[str, Any]

    @property
    def event(self) -> str:
        return self.rel.split("/", 1)[0]

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None


def example_paths(shared_dir: Path) -> list[str]:
    """Every example's `<event>/<name>.json`, sorted."""
    root = shared_dir / EXAMPLES
    return sorted(str(path.relative_to(root)) for path in root.glob("*/*.json"))


def load_example(shared_dir: Path, rel: str) -> Example:
    """The example as published, as a fresh dict."""
    return Example(rel, json.loads((shared_dir / EXAMPLES / rel).read_text()))


def overlay_paths() -> list[str]:
    """Every overlay's `<event>/<name>.json`, sorted."""
    return sorted(str(path.relative_to(OVERLAY_DIR)) for path in OVERLAY_DIR.glob("*/*.json"))


def load_overlay(rel: str) -> dict[str, Any] | None:
    """The merge patch for an example, or None when the example needs none."""
    path = OVERLAY_DIR / rel
    return json.loads(path.read_text()) if path.is_file() else None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: apply a JSON merge patch to a copy of `target` and return it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def current_payload(shared_dir: Path, rel: str) -> dict[str, Any]:
    """The example as GitHub's current schema describes it: the published file with its overlay applied."""
    example = load_example(shared_dir, rel)
    overlay = load_overlay(rel)
    return example.payload if overlay is None else dict(merge_patch(example.payload, overlay))


def githubkit_errors(event: str, payload: dict[str, Any]) -> list[str]:
    """githubkit's validation errors for the payload as `loc: type` strings; empty when its model accepts it."""
    from githubkit.webhooks import parse_obj
    from pydantic import ValidationError

    try:
        parse_obj(event, payload)
    except ValidationError as exc:
        return [f"{'.'.join(map(str, err['loc']))}: {err['type']}" for err in exc.errors()]
    return []


@cache
def _spec(spec_path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(spec_path.read_text())
    return spec


def schema_key(spec: dict[str, Any], event: str, action: str | None) -> str | None:
    """The spec's `webhooks` key describing this event and action, or None when the spec has none."""
    hooks = spec["webhooks"]
    if event in SCHEMA_KEY_OVERRIDES:
        return SCHEMA_KEY_OVERRIDES[event]
    base = event.replace("_", "-")
    if action is not None and f"{base}-{action.replace('_', '-')}" in hooks:
        return f"{base}-{action.replace('_', '-')}"
    return base if base in hooks else None


@cache
def _validator(spec_path: Path, ref: str) -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(_spec(spec_path), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return Draft202012Validator({"$ref": SPEC_URI + ref}, registry=registry)


def schema_errors(shared_dir: Path, event: str, payload: dict[str, Any]) -> list[str]:
    """Errors against GitHub's webhook OpenAPI schema for this event and action, as `path: message` strings."""
    spec_path = shared_dir / WEBHOOK_SPEC
    action = payload.get("action")
    key = schema_key(_spec(spec_path), event, action if isinstance(action, str) else None)
    if key is None:
        return [f"the webhook spec describes no {event!r} event"]
    ref = _spec(spec_path)["webhooks"][key]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    errors = _validator(spec_path, ref).iter_errors(payload)
    return [f"{'/'.join(map(str, err.absolute_path))}: {err.message[:200]}" for err in errors]
