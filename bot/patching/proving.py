"""Prove a candidate in the sandbox: its repro test fails on the original code and passes on the patched
code, and the repository's tests nearest the touched files do not regress. The judging is pure."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.patching.trajectory import RunRecord, TestOutcome, TurnVerdict
from sandbox.envs import Environment
from sandbox.junit import Outcome
from sandbox.runner import TestRequest, TestRun, TestRunner

__all__ = ["Proof", "Prover", "is_test_file", "judge", "nearest_tests", "record_of", "repro_ids"]

MAX_TAIL_CHARS = 3000
MAX_MESSAGE_CHARS = 1500
BAD = (Outcome.FAILED, Outcome.ERROR)


def _stem(path: str) -> str:
    name = PurePosixPath(path).name
    return name.removesuffix(".py").removeprefix("test_").removesuffix("_test")


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def nearest_tests(changed: Sequence[str], test_files: Sequence[str], *, limit: int = 4) -> list[str]:
    """Test files most likely to cover `changed`: same module name first, then the most shared directories."""
    scored: dict[str, tuple[int, int]] = {}
    for test in test_files:
        if not is_test_file(test):
            continue
        for path in changed:
            if path == test or not path.endswith(".py"):
                continue
            same_name = int(_stem(test) == _stem(path) and _stem(path) != "__init__")
            shared = len(posixpath.commonpath([posixpath.dirname(test) or ".", posixpath.dirname(path) or "."]))
            scored[test] = max(scored.get(test, (0, 0)), (same_name, shared))
    ranked = sorted((s for s in scored.items() if s[1] != (0, 0)), key=lambda s: (-s[1][0], -s[1][1], s[0]))
    return [test for test, _ in ranked[:limit]]


def repro_ids(run: TestRun, test_path: str) -> list[tuple[str, Outcome]]:
    """The results of the tests in `test_path`."""
    return [(t.node_id, t.outcome) for t in run.tests if t.node_id.split("::", 1)[0] == test_path]


@dataclass(frozen=True)
class Proof:
    verdict: TurnVerdict
    regressions: tuple[str, ...] = ()


def judge(before: TestRun, after: TestRun, test_path: str, already_failing: Collection[str]) -> Proof:
    """PROVEN only when the repro fails before and passes after and no nearby test newly fails. Pure."""
    ran_before, ran_after = repro_ids(before, test_path), repro_ids(after, test_path)
    if ran_before and all(outcome is Outcome.PASSED for _, outcome in ran_before):
        return Proof(TurnVerdict.PROVES_NOTHING)
    if not ran_before and before.run.ok:
        return Proof(TurnVerdict.PROVES_NOTHING)  # nothing collected: an empty test proves nothing
    if not ran_after or any(outcome is not Outcome.PASSED for _, outcome in ran_after):
        return Proof(TurnVerdict.STILL_FAILS)
    regressions = tuple(
        t.node_id
        for t in after.tests
        if t.outcome in BAD and t.node_id.split("::", 1)[0] != test_path and t.node_id not in already_failing
    )
    if regressions:
        return Proof(TurnVerdict.REGRESSION, regressions)
    return Proof(TurnVerdict.PROVEN)


def record_of(label: str, run: TestRun) -> RunRecord:
    """A run as a trajectory record: per-test outcomes and the end of its output, bounded."""
    tests = tuple(TestOutcome(t.node_id, t.outcome.value, t.message[:MAX_MESSAGE_CHARS]) for t in run.tests)
    output = (run.run.stdout + run.run.stderr)[-MAX_TAIL_CHARS:]
    return RunRecord(label, run.run.verdict.value, run.run.exit_code, tests, output, run.report_error)


@dataclass
class Prover:
    """Runs a candidate's repro test on the original and the patched worktree, with the nearest tests.

    The "before" run is remembered per test text, so a turn that only changes the code runs it once.

    Usage:
        prover = Prover(runner, env, original=job_worktree, test_files=["tests/test_mod.py"])
        before, after = await prover.runs(patched, ("tests/test_repro.py", code), nearby=["tests/test_mod.py"])
    """

    runner: TestRunner
    env: Environment
    original: Path
    test_files: Sequence[str] = ()

    def __post_init__(self) -> None:
        self._before: dict[tuple[str, str], TestRun] = {}
        # One gate for the whole job: concurrent candidates share the runner's parallelism.
        self._gate = asyncio.Semaphore(self.runner.max_parallel)

    async def _run(self, request: TestRequest) -> TestRun:
        async with self._gate:
            return await asyncio.to_thread(self.runner.run, self.env, request)

    def nearby(self, changed: Sequence[str], patched: Path, test_path: str) -> list[str]:
        found = nearest_tests(changed, [t for t in self.test_files if t != test_path])
        return [t for t in found if (patched / t).is_file()]

    async def runs(self, patched: Path, test: tuple[str, str], nearby: Sequence[str]) -> tuple[TestRun, TestRun]:
        """The repro run on the original code, and the repro plus nearby tests on the patched code."""
        after_request = TestRequest(patched, node_ids=(test[0], *nearby), extra_test=test)
        if test in self._before:
            return self._before[test], await self._run(after_request)
        before_request = TestRequest(self.original, node_ids=(test[0],), extra_test=test)
        before, after = await asyncio.gather(self._run(before_request), self._run(after_request))
        self._before[test] = before
        return before, after
