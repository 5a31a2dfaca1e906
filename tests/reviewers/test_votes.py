"""The vote matrix, a pure core."""

from __future__ import annotations

import pytest

from reviewers.base import ORIGINAL, Candidate, TestMatrix, TestStatus
from reviewers.votes import tally

P, F, E, K = TestStatus.PASSED, TestStatus.FAILED, TestStatus.ERROR, TestStatus.FLAKY


def matrix(rows: dict[str, tuple[TestStatus, TestStatus, TestStatus]]) -> TestMatrix:
    m = TestMatrix()
    for test, cells in rows.items():
        for code, status in zip((ORIGINAL, "a", "b"), cells, strict=True):
            m.set(test, code, status)
    return m


POOL = [Candidate("a", ""), Candidate("b", "")]


@pytest.mark.parametrize(
    ("rows", "votes", "ignored"),
    [
        ({"t1": (F, P, F)}, {"a": 1, "b": 0}, {}),
        ({"t1": (F, P, P), "t2": (E, F, P)}, {"a": 1, "b": 2}, {}),
        ({"t1": (P, P, F)}, {"a": 0, "b": 0}, {"t1": "passes on the original code, so it proves nothing"}),
        ({"t1": (F, K, P)}, {"a": 0, "b": 0}, {"t1": "flaky"}),
        ({"t1": (K, P, P), "t2": (F, F, P)}, {"a": 0, "b": 1}, {"t1": "flaky"}),
        ({}, {"a": 0, "b": 0}, {}),
    ],
)
def test_tally(
    rows: dict[str, tuple[TestStatus, TestStatus, TestStatus]], votes: dict[str, int], ignored: dict[str, str]
) -> None:
    """Only tests failing on the original, and not flaky, vote for the candidates they pass on."""
    result = tally(matrix(rows), POOL)
    assert result.votes == votes
    assert result.ignored == ignored
