"""Test voting over an outcome matrix (a pure core): tests that fail on the original vote for what they pass on."""

from __future__ import annotations

from dataclasses import dataclass

from reviewers.base import ORIGINAL, Candidate, PoolContext, Score, TestMatrix, TestStatus, Verdict

__all__ = ["VoteReviewer", "VoteTally", "tally"]


@dataclass
class VoteTally:
    """Who may vote, who was excluded and why, and each candidate's votes."""

    voters: list[str]
    ignored: dict[str, str]
    votes: dict[str, int]
    passed: dict[str, list[str]]


def _exclusion(matrix: TestMatrix, test: str, codes: list[str]) -> str | None:
    """Why `test` casts no vote, or None when it votes."""
    statuses = [matrix.get(test, code) for code in [ORIGINAL, *codes]]
    if TestStatus.FLAKY in statuses:
        return "flaky"
    original = matrix.get(test, ORIGINAL)
    if original is TestStatus.PASSED:
        return "passes on the original code, so it proves nothing"
    if original in (TestStatus.MISSING, TestStatus.SKIPPED):
        return f"no result on the original code ({original.value})"
    return None


def tally(matrix: TestMatrix, candidates: list[Candidate]) -> VoteTally:
    """Votes per candidate: the number of voting tests that pass on it."""
    codes = [c.id for c in candidates]
    voters: list[str] = []
    ignored: dict[str, str] = {}
    for test in matrix.tests():
        reason = _exclusion(matrix, test, codes)
        if reason is None:
            voters.append(test)
        else:
            ignored[test] = reason
    passed = {code: [t for t in voters if matrix.get(t, code) is TestStatus.PASSED] for code in codes}
    return VoteTally(voters, ignored, {code: len(tests) for code, tests in passed.items()}, passed)


class VoteReviewer:
    """Scores each candidate by the share of voting tests that pass on it."""

    name = "votes"

    def review(self, context: PoolContext) -> list[Verdict]:
        result = tally(context.matrix, context.candidates)
        total = len(result.voters)
        verdicts = []
        for candidate in context.candidates:
            votes = result.votes[candidate.id]
            value = votes / total if total else 0.0
            why = f"{votes} of {total} voting tests pass" if total else "no test fails on the original, so no votes"
            verdicts.append(Verdict(self.name, candidate.id, [Score("votes", value, why)]))
        return verdicts
