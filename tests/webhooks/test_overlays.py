"""The overlays: every example, overlaid, validates against githubkit's models and GitHub's webhook schema;
every overlay is needed, and every piece of it is needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.webhooks.examples import (
    EXAMPLES,
    current_payload,
    example_paths,
    githubkit_errors,
    load_example,
    load_overlay,
    merge_patch,
    overlay_paths,
    schema_errors,
)

PUBLISHED_EXAMPLES = 273

# A merge patch cannot add a null (RFC 7386: null deletes the key), so a required key whose only truthful value
# is null stays missing. Here: an unsigned commit (`verified: false`) has `verified_at: null`, nothing else.
NULL_ONLY_GAPS: dict[str, dict[str, list[str]]] = {
    "status/with-author-committer-null.payload.json": {
        "githubkit": ["commit.commit.verification.verified_at: missing"],
        "schema": ["commit/commit/verification: 'verified_at' is a required property"],
    },
}

OVERLAYS = overlay_paths()


def all_errors(shared_dir: Path, event: str, payload: dict[str, Any]) -> list[str]:
    return githubkit_errors(event, payload) + schema_errors(shared_dir, event, payload)


def expected_gaps(rel: str) -> list[str]:
    gaps = NULL_ONLY_GAPS.get(rel, {})
    return gaps.get("githubkit", []) + gaps.get("schema", [])


def removable_pieces(patch: dict[str, Any], original: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of the overlay's smallest pieces: a key the example lacks, or a replaced scalar or array."""
    for key, value in patch.items():
        below = original.get(key) if isinstance(original, dict) else None
        if isinstance(value, dict) and isinstance(below, dict):
            yield from removable_pieces(value, below, (*path, key))
        else:
            yield (*path, key)


def without(patch: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A copy of the patch with one piece (and any object it leaves empty) taken out."""
    head, *rest = path
    if not rest:
        return {k: v for k, v in patch.items() if k != head}
    inner = without(patch[head], tuple(rest))
    return {k: v for k, v in patch.items() if k != head} | ({head: inner} if inner else {})


def null_keys(patch: dict[str, Any], path: str = "") -> Iterator[str]:
    for key, value in patch.items():
        if value is None:
            yield f"{path}/{key}"
        elif isinstance(value, dict):
            yield from null_keys(value, f"{path}/{key}")


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7386, Appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target: Any, patch: Any, result: Any) -> None:
    """merge_patch gives the results of RFC 7386's worked examples and leaves its input unchanged."""
    before = repr(target)
    assert merge_patch(target, patch) == result
    assert repr(target) == before


def test_every_published_example_is_found(shared_dir: Path) -> None:
    """All 273 published examples are found, across every event folder (an empty glob must not pass vacuously)."""
    paths = example_paths(shared_dir)
    assert len(paths) == PUBLISHED_EXAMPLES
    assert {path.split("/", 1)[0] for path in paths} == {
        d.name for d in (shared_dir / EXAMPLES).iterdir() if d.is_dir()
    }


def test_example_with_overlay_fits_githubkit_model(example_rel: str, shared_dir: Path) -> None:
    """githubkit's webhook model accepts the example once its overlay is applied."""
    payload = current_payload(shared_dir, example_rel)
    expected = NULL_ONLY_GAPS.get(example_rel, {}).get("githubkit", [])
    assert githubkit_errors(example_rel.split("/", 1)[0], payload) == expected


def test_example_with_overlay_fits_webhook_schema(example_rel: str, shared_dir: Path) -> None:
    """GitHub's webhook OpenAPI schema for the event and action accepts the example once its overlay is applied."""
    payload = current_payload(shared_dir, example_rel)
    expected = NULL_ONLY_GAPS.get(example_rel, {}).get("schema", [])
    assert schema_errors(shared_dir, example_rel.split("/", 1)[0], payload) == expected


def test_null_only_gap_is_just_the_missing_null(shared_dir: Path) -> None:
    """With the one null that a merge patch cannot add put in by hand, the unsigned-commit example validates fully."""
    rel = "status/with-author-committer-null.payload.json"
    payload = current_payload(shared_dir, rel)
    assert payload["commit"]["commit"]["verification"]["verified"] is False
    payload["commit"]["commit"]["verification"]["verified_at"] = None
    assert all_errors(shared_dir, rel.split("/", 1)[0], payload) == []


@pytest.mark.parametrize("rel", OVERLAYS)
def test_overlay_is_needed(rel: str, shared_dir: Path) -> None:
    """An overlay names an existing example that fails validation as published, and changes it."""
    example = load_example(shared_dir, rel)
    overlay = load_overlay(rel)
    assert isinstance(overlay, dict) and overlay
    assert merge_patch(example.payload, overlay) != example.payload
    assert all_errors(shared_dir, example.event, example.payload) != expected_gaps(rel)


@pytest.mark.parametrize("rel", OVERLAYS)
def test_overlay_only_adds_or_replaces(rel: str) -> None:
    """No overlay deletes a key: a null in a merge patch would silently remove the field it seems to set."""
    overlay = load_overlay(rel)
    assert overlay is not None
    assert list(null_keys(overlay)) == []


@pytest.mark.parametrize("rel", OVERLAYS)
def test_overlay_is_minimal(rel: str, shared_dir: Path) -> None:
    """Taking any one piece out of an overlay makes githubkit or the webhook schema reject the example again."""
    example = load_example(shared_dir, rel)
    overlay = load_overlay(rel)
    assert overlay is not None
    for piece in removable_pieces(overlay, example.payload):
        smaller = merge_patch(example.payload, without(overlay, piece))
        assert all_errors(shared_dir, example.event, smaller) != [], f"{'.'.join(piece)} is not needed"
