"""The SuiteRunner on the real sandbox: a private copy of the base worktree, the diff applied, pytest run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewers.base import TestStatus
from reviewers.diffs import apply_diff, parse_diff
from reviewers.errors import PatchError, RunnerError
from sandbox.envs import Environment
from sandbox.errors import SandboxError
from sandbox.junit import Outcome, TestResult
from sandbox.runner import TestRequest, TestRunner, write_inside
from sandbox.verdict import Verdict
from sandbox.worktrees import private_copy, read_no_follow

__all__ = ["SandboxSuiteRunner", "statuses", "unrunnable"]

MAX_SOURCE_BYTES = 4 * 1024 * 1024
_STATUS = {
    Outcome.PASSED: TestStatus.PASSED,
    Outcome.FAILED: TestStatus.FAILED,
    Outcome.ERROR: TestStatus.ERROR,
    Outcome.SKIPPED: TestStatus.SKIPPED,
}


def statuses(results: Sequence[TestResult], selectors: Sequence[str]) -> dict[str, TestStatus]:
    """Per node id; a collection failure (reported as a dotted module name) is keyed by the selector's file."""
    out: dict[str, TestStatus] = {}
    files = {selector.split("::", 1)[0] for selector in selectors}
    dotted = {file.removesuffix(".py").replace("/", "."): file for file in files}
    for result in results:
        key = result.node_id
        if "::" not in key:
            key = dotted.get(key.removesuffix(".py").replace("/", "."), key)
        status = _STATUS[result.outcome]
        if out.get(key) not in (TestStatus.ERROR, TestStatus.FAILED):
            out[key] = status
    return out


def unrunnable(selectors: Sequence[str]) -> dict[str, TestStatus]:
    """Every selector and its file as ERROR: the code under test broke the run before any report (a conftest
    that no longer imports, a hang until the time limit), which is the candidate's failure, not the runner's."""
    out = {selector.split("::", 1)[0]: TestStatus.ERROR for selector in selectors}
    return out | {selector: TestStatus.ERROR for selector in selectors}


@dataclass
class SandboxSuiteRunner:
    """Runs tests on `base` (a clean checkout of the base commit) plus a candidate's diff, in the sandbox.

    Usage:
        runner = SandboxSuiteRunner(TestRunner(backend=BubblewrapBackend()), env, worktree)
        outcomes = runner.run(candidate.diff, {candidate.test_path: candidate.test_source}, [candidate.test_path])
    """

    runner: TestRunner
    environment: Environment
    base: Path
    work_dir: Path | None = None

    def run(self, diff: str, files: Mapping[str, str], selectors: Sequence[str]) -> dict[str, TestStatus]:
        try:
            with private_copy(self.base, parent=self.work_dir) as copy:
                _apply_into(copy, diff)
                for path, text in files.items():
                    write_inside(copy, path, text)
                command = (str(self.environment.python), "-m", "pytest", "-q", "--continue-on-collection-errors")
                run = self.runner.run(self.environment, TestRequest(copy, tuple(selectors), command=command))
        except SandboxError as exc:
            raise RunnerError(f"running {len(selectors)} test selector(s) failed: {exc}") from exc
        if run.report_error and not run.tests:
            if run.run.verdict is not Verdict.OK:
                return unrunnable(selectors)
            tail = (run.run.stdout + run.run.stderr)[-300:]
            raise RunnerError(f"no test report ({run.report_error}; {run.run.verdict.value}): {tail}")
        return statuses(run.tests, selectors)


def _apply_into(root: Path, diff: str) -> None:
    """Write the diff's post-images into `root`; PatchError when it does not apply. Bytes that are not UTF-8 are
    surrogates in candidates' diffs (bot.patching reads and diffs files that way), so originals are read so too."""
    if not diff.strip():
        return
    paths = {p for change in parse_diff(diff) for p in (change.old_path, change.new_path) if p}
    originals = {p: read_no_follow(root / p, MAX_SOURCE_BYTES, errors="surrogateescape") for p in paths}
    for path, text in apply_diff(originals, diff).items():
        if text is None:
            (root / path).unlink(missing_ok=True)
        else:
            try:
                write_inside(root, path, text)
            except SandboxError as exc:
                raise PatchError(f"refusing to write {path}: {exc}") from exc
