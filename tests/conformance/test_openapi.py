"""The OpenAPI checker catches wrong exchanges, and the stand-in records them as violations."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conformance.openapi import Spec
from tests.standin import render
from tests.standin.fixtures import Standin
from tests.standin.state import Comment

COMMENTS = "/repos/octo/widgets/issues/1/comments"
JSON_TYPE = "application/json; charset=utf-8"


def _good_comment(standin: Standin) -> dict[str, object]:
    state = standin.state
    state.add_installation(1, "octo")
    repo = state.add_repo("octo/widgets", installation_id=1)
    return render.comment(state, repo, Comment(5, 1, "hello", "maintainer"))


def test_faithful_response_passes(github_spec: Spec, standin: Standin) -> None:
    """A comment rendered by the stand-in matches the documented 201 response."""
    body = json.dumps(_good_comment(standin)).encode()
    assert github_spec.check_response("POST", COMMENTS, 201, JSON_TYPE, body) == []


@pytest.mark.parametrize(
    ("drop", "override", "expected"),
    [
        ("node_id", {}, "node_id"),
        ("", {"id": "five"}, "id"),
        ("", {"user": {"login": "x"}}, "user"),
        ("created_at", {}, "created_at"),
    ],
)
def test_wrong_response_is_caught(
    github_spec: Spec, standin: Standin, drop: str, override: dict[str, object], expected: str
) -> None:
    """A response with a missing required field or a wrong type is reported, naming the field."""
    bad = {k: v for k, v in _good_comment(standin).items() if k != drop} | override
    problems = github_spec.check_response("POST", COMMENTS, 201, JSON_TYPE, json.dumps(bad).encode())
    assert problems and any(expected in p for p in problems)


def test_undocumented_status_is_caught(github_spec: Spec) -> None:
    """A 418 is not a documented answer of the comment endpoint."""
    problems = github_spec.check_response("POST", COMMENTS, 418, JSON_TYPE, b"{}")
    template = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
    assert problems == [f"{template} -> 418: status not documented for this operation"]


def test_unknown_operation_is_caught(github_spec: Spec) -> None:
    """A path GitHub does not have is reported."""
    assert github_spec.check_request("GET", "/repos/o/r/frobnicate", None, b"") != []


def test_request_missing_required_field_is_caught(github_spec: Spec) -> None:
    """A comment request without `body` breaks the request schema."""
    problems = github_spec.check_request("POST", COMMENTS, "application/json", b'{"text": "hi"}')
    assert any("'body' is a required property" in p for p in problems)


def test_error_bodies_of_universal_statuses_are_checked(github_spec: Spec) -> None:
    """A 503 on any operation is allowed, but its body must still be a basic-error object."""
    assert github_spec.check_response("GET", "/repos/o/r/issues/1", 503, JSON_TYPE, b'{"message": "down"}') == []
    assert github_spec.check_response("GET", "/repos/o/r/issues/1", 503, JSON_TYPE, b'{"message": 5}') != []


def test_standin_records_a_bad_request_as_violation(standin: Standin) -> None:
    """A malformed request sent to the stand-in lands in state.violations (which would fail the test)."""
    _good_comment(standin)
    token = standin.state.mint_token(1).value
    headers = {"Authorization": f"token {token}"}
    httpx.post(standin.url + COMMENTS, json={"text": "no body"}, headers=headers)
    httpx.get(standin.url + "/repos/octo/widgets/frobnicate", headers=headers)
    found = list(standin.state.violations)
    standin.state.violations.clear()  # this test wants them; do not fail at teardown
    assert any("'body' is a required property" in v for v in found)
    assert any("frobnicate: not in the API description" in v for v in found)
