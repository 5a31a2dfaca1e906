"""The evidence record rendered as markdown: decision, test matrix, scores, why, and the comment."""

from __future__ import annotations

from reviewers.base import (
    ORIGINAL,
    Candidate,
    Decision,
    Evidence,
    RankedCandidate,
    Ranking,
    Score,
    TestMatrix,
    TestStatus,
    Verdict,
)
from reviewers.evidence import DECISION_TEXT, matrix_table, render_comment, render_markdown


def evidence(decision: Decision, rejected: str | None = None) -> Evidence:
    matrix = TestMatrix()
    matrix.set("t::repro", ORIGINAL, TestStatus.FAILED)
    matrix.set("t::repro", "a", TestStatus.PASSED)
    matrix.set("t::repro", "b", TestStatus.FAILED)
    matrix.set("t::old", ORIGINAL, TestStatus.PASSED)
    ranking = Ranking([RankedCandidate("a", 1, 0.9, "a", 1), RankedCandidate("b", 0, 0.5, "b", 1, rejected)])
    return Evidence(
        issue="issue",
        candidates=[Candidate("a", ""), Candidate("b", "")],
        matrix=matrix,
        voting_tests=["t::repro"],
        regression=TestMatrix(),
        verdicts=[Verdict("votes", "a", [Score("votes", 1.0, "1 of 1 voting tests pass")])],
        ranking=ranking,
        confidence=0.91,
        decision=decision,
        signals={},
        why="a won: 1 of 1 voting tests pass",
        notes=["t::old casts no vote: passes on the original code | so it proves nothing"],
    )


def test_matrix_table_marks_tests_that_do_not_vote() -> None:
    """One row per test, one column per code version, non-voters marked."""
    table = matrix_table(evidence(Decision.READY_PR).matrix, ["t::repro"])
    assert table.splitlines() == [
        "| test | original | a | b |",
        "|---|---|---|---|",
        "| `t::old` (no vote) | pass | - | - |",
        "| `t::repro` | FAIL | pass | FAIL |",
    ]


def test_markdown_states_decision_confidence_why_and_scores() -> None:
    """The PR body leads with the decision and confidence, then why the winner won and its scores."""
    text = render_markdown(evidence(Decision.READY_PR))
    assert text.startswith(f"**Decision:** {DECISION_TEXT[Decision.READY_PR]} (confidence 0.91)")
    assert "**Why:** a won: 1 of 1 voting tests pass" in text
    assert "- **votes** 1.00: 1 of 1 voting tests pass" in text
    assert "| 1 | a | 1/1 | 0.90 | a (1) | ok |" in text


def test_cells_with_pipes_are_escaped() -> None:
    """A note containing '|' does not break the markdown table or list."""
    assert "passes on the original code \\| so it proves nothing" in render_markdown(evidence(Decision.DRAFT_PR))


def test_comment_lists_rejections_and_says_nothing_was_good_enough() -> None:
    """The comment posted instead of a PR names each rejected candidate and why."""
    text = render_comment(evidence(Decision.COMMENT, rejected="regression: breaks t::old"))
    assert text.startswith("I tried 2 candidate fix(es) and none was good enough")
    assert "- b was rejected: regression: breaks t::old" in text
