"""Which open PRs count as already working on an issue."""

from __future__ import annotations

import pytest

from bot.github.models import PullRequest
from bot.pipeline.etiquette import references_issue


def pull(title: str, body: str) -> PullRequest:
    return PullRequest(5, title, body, "open", False, False, "feature", "0" * 40, "main", "someone", "https://x/pull/5")


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Fix rounding", "Fixes #7", True),
        ("Fix rounding (#7)", "", True),
        ("Fix rounding", "see #70", False),
        ("Fix rounding", "other/repo#7", False),
        ("Fix rounding", "issue 7", False),
    ],
)
def test_references_issue(title: str, body: str, expected: bool) -> None:
    """`#7` counts as a reference to issue 7; `#70` and cross-repo references do not."""
    assert references_issue(pull(title, body), 7) is expected
