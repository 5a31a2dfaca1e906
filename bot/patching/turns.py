"""The steps of one candidate turn after the model answered, each giving the feedback for the next turn."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.patching.context import feedback_prompt
from bot.patching.edits import Edit, EditResult
from bot.patching.feedback import describe_failures
from bot.patching.proving import Prover, judge, record_of
from bot.patching.trajectory import TurnRecord, TurnVerdict
from bot.patching.versions import BLOCKING, VersionOracle, describe_findings
from bot.patching.workspace import diff_paths, read_texts
from bot.patching.worktree import apply_to_worktree
from sandbox.runner import TestRun

__all__ = [
    "BAD_TEST_PATH",
    "MALFORMED_REPORT",
    "NOT_APPLIED_REPORT",
    "NO_TEST_REPORT",
    "PROOF_REPORTS",
    "VERSION_REPORT",
    "TurnOutcome",
    "assess_edits",
    "assess_proof",
    "assess_versions",
    "bad_test_path",
    "malformed",
    "no_test",
    "run_summary",
]

MALFORMED_REPORT = (
    "Your answer could not be parsed, so nothing was applied:\n{errors}\n"
    'Use exactly the answer format: one <edits> section of SEARCH/REPLACE blocks and one <test path="..."> section.'
)
NOT_APPLIED_REPORT = (
    "Some edit blocks did not apply (details in the data below); all others were applied. "
    "Resend only the failed blocks, corrected, with SEARCH lines copied exactly from the current file."
)
VERSION_REPORT = (
    "Your edit calls library APIs that do not exist in the installed versions, or calls them in a way "
    "that does not bind to their real signatures:\n{findings}\nUse the real APIs named above."
)
BAD_TEST_PATH = (
    "The test path {path!r} is not usable: the reproduction test must be a new pytest file named "
    "test_*.py or *_test.py that does not exist in the repository."
)
NO_TEST_REPORT = (
    'Your edits were applied, but there is no reproduction test. Add a <test path="tests/test_....py"> section: '
    "a pytest file that fails on the original code because of the issue and passes with your fix."
)
PROOF_REPORTS = {
    TurnVerdict.PROVES_NOTHING: (
        "Your reproduction test PASSES on the original code, so it proves nothing about the issue. "
        "Rewrite it so that it fails on the original code because of the issue (outputs below)."
    ),
    TurnVerdict.STILL_FAILS: (
        "Your reproduction test does not pass on the edited code (outputs below). "
        "Fix the code, or the test if the test is wrong."
    ),
    TurnVerdict.REGRESSION: (
        "Your reproduction test passes, but these existing tests now fail: {regressions}. "
        "Change the edit so that they pass again (outputs below)."
    ),
    TurnVerdict.PROVEN: (
        "Proven: the reproduction test fails on the original code and passes on the edited code, "
        "and the nearest tests pass."
    ),
}
MAX_TEST_MESSAGE_CHARS = 1500


@dataclass(frozen=True)
class TurnOutcome:
    """What a turn concluded: our own `report`, and untrusted texts (`data`) to show fenced."""

    verdict: TurnVerdict
    report: str
    data: tuple[tuple[str, str], ...] = field(default=())

    @property
    def proven(self) -> bool:
        return self.verdict is TurnVerdict.PROVEN

    def prompt(self, candidate: int, turn: int) -> str:
        return feedback_prompt(self.report, self.data, candidate, turn)


def malformed(errors: Sequence[str]) -> TurnOutcome:
    listed = "\n".join(f"- {e}" for e in errors) or "- no usable edit"
    return TurnOutcome(TurnVerdict.MALFORMED, MALFORMED_REPORT.format(errors=listed))


def bad_test_path(path: str) -> TurnOutcome:
    return TurnOutcome(TurnVerdict.MALFORMED, BAD_TEST_PATH.format(path=path))


def no_test() -> TurnOutcome:
    return TurnOutcome(TurnVerdict.NO_TEST, NO_TEST_REPORT)


def _edit_record(result: EditResult) -> dict[str, Any]:
    strategy = result.strategy.value if result.strategy else None
    kind = type(result.edit).__name__.lower()
    return {"kind": kind, **asdict(result.edit), "status": result.status.value, "strategy": strategy,
            "message": result.message}  # fmt: skip


async def assess_edits(record: TurnRecord, tree: Path, edits: Sequence[Edit]) -> TurnOutcome | None:
    """Apply the edits to the candidate's tree; failed blocks (applied ones stay) become feedback."""
    result = await asyncio.to_thread(apply_to_worktree, tree, edits)
    record.edits = [_edit_record(r) for r in result.results]
    record.diff = result.diff
    if not result.failed:
        return None
    details = describe_failures(result.results)
    return TurnOutcome(TurnVerdict.NOT_APPLIED, NOT_APPLIED_REPORT, (("edits that did not apply", details),))


async def assess_versions(record: TurnRecord, oracle: VersionOracle, tree: Path, diff: str) -> TurnOutcome | None:
    """Resolve every library call the candidate's diff adds; missing names and non-binding calls go back."""
    if not diff:
        return None
    texts = await asyncio.to_thread(read_texts, tree, [p for p in diff_paths(diff) if p.endswith(".py")])
    findings = await asyncio.to_thread(oracle.check_diff, diff, texts)
    record.findings = [f"{f.path}:{f.finding.line}: {f.finding.message}" for f in findings]
    blocking = [f for f in findings if f.finding.kind in BLOCKING]
    if not blocking:
        return None
    report = VERSION_REPORT.format(findings=await asyncio.to_thread(describe_findings, blocking, oracle))
    return TurnOutcome(TurnVerdict.VERSION_ERRORS, report)


def run_summary(run: TestRun) -> str:
    """Per-test outcomes with their failure text, or the end of the output when no report was written."""
    lines = [f"run ended: {run.run.verdict.value} (exit code {run.run.exit_code})"]
    for test in run.tests:
        lines.append(f"{test.outcome.value.upper()} {test.node_id}")
        if test.message:
            lines.append(test.message[:MAX_TEST_MESSAGE_CHARS])
    if not run.tests:
        lines.append((run.run.stdout + run.run.stderr)[-MAX_TEST_MESSAGE_CHARS:])
    return "\n".join(lines)


async def assess_proof(
    record: TurnRecord,
    prover: Prover,
    tree: Path,
    test: tuple[str, str],
    already_failing: Collection[str],
    diff: str,
) -> TurnOutcome:
    """Run the repro test before and after, with the nearest tests, and judge the candidate."""
    nearby = prover.nearby(diff_paths(diff), tree, test[0])
    before, after = await prover.runs(tree, test, nearby)
    record.runs = [record_of("original", before), record_of("patched", after)]
    proof = judge(before, after, test[0], already_failing)
    report = PROOF_REPORTS[proof.verdict].format(regressions=", ".join(proof.regressions))
    data = (("repro test on the original code", run_summary(before)), ("tests on the edited code", run_summary(after)))
    return TurnOutcome(proof.verdict, report, data)
