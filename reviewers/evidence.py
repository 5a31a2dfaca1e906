"""Render the evidence record as markdown: the test matrix, the scores, and why the winner won (pure)."""

from __future__ import annotations

from reviewers.base import Decision, Evidence, TestMatrix, TestStatus

__all__ = ["DECISION_TEXT", "render_comment", "render_markdown"]

DECISION_TEXT = {
    Decision.READY_PR: "ready for review",
    Decision.DRAFT_PR: "opened as a draft: the evidence is not strong enough for a ready PR",
    Decision.COMMENT: "no pull request: no candidate was good enough",
}
MARK = {
    TestStatus.PASSED: "pass",
    TestStatus.FAILED: "FAIL",
    TestStatus.ERROR: "ERROR",
    TestStatus.SKIPPED: "skip",
    TestStatus.FLAKY: "flaky",
    TestStatus.MISSING: "-",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def matrix_table(matrix: TestMatrix, voting: list[str] | None = None) -> str:
    """A markdown table: one row per test, one column per code version; non-voting tests are marked."""
    if not matrix.cells:
        return "_no tests_"
    columns = matrix.columns()
    lines = ["| test | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for test in matrix.tests():
        label = f"`{_cell(test)}`" + ("" if voting is None or test in voting else " (no vote)")
        lines.append(f"| {label} | " + " | ".join(MARK[matrix.get(test, c)] for c in columns) + " |")
    return "\n".join(lines)


def scores_table(evidence: Evidence) -> str:
    """One row per candidate in ranking order: votes, organicity, cluster, rejection."""
    lines = ["| rank | candidate | votes | organicity | cluster | status |", "|---|---|---|---|---|---|"]
    for position, entry in enumerate(evidence.ranking.order, 1):
        status = f"rejected: {_cell(entry.rejected)}" if entry.rejected else "ok"
        lines.append(
            f"| {position} | {entry.id} | {entry.votes}/{len(evidence.voting_tests)} | {entry.organicity:.2f} "
            f"| {entry.cluster} ({entry.cluster_size}) | {status} |"
        )
    return "\n".join(lines)


def _reasons(evidence: Evidence, candidate: str) -> list[str]:
    return [
        f"- **{s.name}** {s.value:.2f}: {s.why}"
        for v in evidence.verdicts
        if v.candidate == candidate
        for s in v.scores
    ]


def render_markdown(evidence: Evidence) -> str:
    """The full record: decision and confidence, why the winner won, its scores, the matrices, the notes."""
    winner = evidence.ranking.winner
    parts = [
        f"**Decision:** {DECISION_TEXT[evidence.decision]} (confidence {evidence.confidence:.2f})",
        f"**Why:** {evidence.why}",
    ]
    if evidence.judge_used:
        parts.append(f"**Judge:** {evidence.judge_note}")
    if winner is not None:
        parts.append(f"### Scores of {winner.id}\n" + "\n".join(_reasons(evidence, winner.id)))
    parts.append("### Candidates\n" + scores_table(evidence))
    parts.append("### Reproduction tests\n" + matrix_table(evidence.matrix, evidence.voting_tests))
    parts.append("### Existing tests (regression guard)\n" + matrix_table(evidence.regression))
    if evidence.notes:
        parts.append("### Notes\n" + "\n".join(f"- {_cell(note)}" for note in evidence.notes))
    return "\n\n".join(parts) + "\n"


def render_comment(evidence: Evidence) -> str:
    """The comment posted instead of a PR: what was tried and why nothing was good enough."""
    lines = [
        f"I tried {len(evidence.candidates)} candidate fix(es) and none was good enough to open a pull request "
        f"(confidence {evidence.confidence:.2f}).",
        "",
        scores_table(evidence),
        "",
    ]
    rejected = [e for e in evidence.ranking.order if e.rejected]
    lines += [f"- {e.id} was rejected: {_cell(e.rejected or '')}" for e in rejected]
    if not evidence.voting_tests:
        lines.append("- no reproduction test failed on the original code, so no test could tell the candidates apart")
    lines += [f"- {_cell(note)}" for note in evidence.notes]
    return "\n".join(lines).rstrip() + "\n"
