"""The PR's words: commit titles in the repository's style, the body's sections."""

from __future__ import annotations

from typing import Any

import pytest

from bot.pipeline.writer import SECTIONS, commit_message, commit_title, file_changes, render_body

PREFIXED = {"title": {"conventional_commits": 0.9, "prefixes": ["docs", "money", "report"], "capitalized": 0.0}}
PLAIN = {"title": {"conventional_commits": 0.0, "capitalized": 0.9, "trailing_period": 0.0}}
DIFF = "--- a/ledger/money.py\n+++ b/ledger/money.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"


@pytest.mark.parametrize(
    ("conventions", "paths", "expected"),
    [
        (PREFIXED, ["ledger/money.py"], "money: fix split() loses cents"),
        (PREFIXED, ["ledger/other.py"], "money: fix split() loses cents"),
        (PLAIN, ["ledger/money.py"], "Fix split() loses cents"),
        ({"title": {**PLAIN["title"], "trailing_period": 0.8}}, [], "Fix split() loses cents."),
        ({}, [], "Fix split() loses cents"),
    ],
)
def test_commit_title_follows_the_repo_style(conventions: dict[str, Any], paths: list[str], expected: str) -> None:
    """Prefix, casing and trailing period come from the conventions profile."""
    assert commit_title(conventions, "split() loses cents", paths) == expected


def test_commit_message_references_the_issue() -> None:
    """The commit body closes the issue."""
    assert commit_message("money: fix it", 7) == "money: fix it\n\nFixes #7.\n"


def test_file_changes_count_lines_per_file() -> None:
    """One row per file with added and removed line counts."""
    assert file_changes(DIFF) == [("ledger/money.py", 1, 1)]


def _result(recall: dict[str, Any]) -> dict[str, Any]:
    """A pipeline result with one winning candidate and `recall` as memory's answer."""
    winner = {
        "candidate": 0,
        "diff": DIFF,
        "test_code": "def test_x():\n    assert False\n",
        "runs": [],
        "explanation": "y was wrong",
    }
    return {
        "winner": "candidate-0",
        "candidates": [winner],
        "guard_table": "G",
        "repro_table": "R",
        "scores_table": "S",
        "why": "it won",
        "notes": ["candidate-1 was left out"],
        "confidence": 0.9,
        "decision": "ready_pr",
        "pool": 1,
        "recall": recall,
        "environment": {"python": "3.12", "versions": {"pytest": "8.0"}},
    }


def test_body_has_eight_sections_and_ends_with_fixes() -> None:
    """Every section is present, in order, and the body ends with `Fixes #N`."""
    result = _result({"changes": [{"sha": "abc123", "title": "money: x"}]})
    body = render_body(
        result,
        title="money: fix",
        issue_number=3,
        repo_url="https://x/o/r",
        test_path="tests/test_x.py",
        spend=(1200, 0.01),
    )
    positions = [body.index(f"### {i}. {name}") for i, name in enumerate(SECTIONS, 1)]
    assert positions == sorted(positions)
    assert "[abc123](https://x/o/r/commit/abc123)" in body and "candidate-1 was left out" in body
    assert "1,200 tokens, $0.0100" in body
    assert body.rstrip().endswith("Fixes #3")


def test_the_test_folders_are_named_each_on_its_own() -> None:
    """Two test folders in the profile are two folders, not one path made of both."""
    recall = {"conventions": {"tests": {"dirs": ["tests", "src/pkg/tests"], "naming": "test_*", "files": 9}}}
    body = render_body(
        _result(recall),
        title="fix",
        issue_number=3,
        repo_url="https://x/o/r",
        test_path="tests/test_x.py",
        spend=(0, 0.0),
    )
    assert "`tests/test_x.py` is named `test_*`" in body
    assert "(`tests` or `src/pkg/tests`)" in body and "tests/src/pkg/tests" not in body
