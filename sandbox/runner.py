"""Run a repository's tests in the sandbox, each run on its own copy of the worktree, with structured results."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sandbox.backends.base import Backend, Mount, RunResult, SandboxSpec
from sandbox.envs import Environment
from sandbox.errors import ReportError, SandboxError
from sandbox.flaky import TestHistory, histories
from sandbox.junit import TestResult, parse_junit
from sandbox.limits import Limits
from sandbox.worktrees import private_copy, read_no_follow

REPORT_NAME = "junit.xml"
MAX_REPORT_BYTES = 32 * 1024 * 1024
NO_REPORT = "the test command wrote no JUnit report"


@dataclass(frozen=True)
class TestRequest:
    """What to run: a worktree, optionally a subset of node ids, an extra test file, a configured command.

    `command` replaces `python -m pytest`; with `structured` (the default) it must accept pytest options, as
    the report options and node ids are appended to it. `structured=False` runs the command as given and
    returns no per-test results. `extra_test` is (repository-relative path, file text), written into the copy.
    """

    __test__ = False  # not a pytest test class

    worktree: Path
    node_ids: tuple[str, ...] = ()
    extra_test: tuple[str, str] | None = None
    command: tuple[str, ...] | None = None
    structured: bool = True


@dataclass(frozen=True)
class TestRun:
    """The outcome of one test run: the sandbox result, per-test results, and any report problem."""

    __test__ = False  # not a pytest test class

    run: RunResult
    tests: tuple[TestResult, ...]
    report_error: str | None = None


@dataclass(frozen=True)
class RepeatReport:
    """Several runs of the same request and each test's history across them."""

    runs: tuple[TestRun, ...]
    histories: tuple[TestHistory, ...]

    @property
    def flaky(self) -> set[str]:
        return {h.node_id for h in self.histories if h.stability.value == "flaky"}


@dataclass
class TestRunner:
    """Runs tests in parallel up to `max_parallel`, each run on a private copy of its worktree.

    Usage:
        runner = TestRunner(backend=BubblewrapBackend(), max_parallel=2)
        run = runner.run(env, TestRequest(worktree, node_ids=("tests/test_x.py::test_a",)))
    """

    __test__ = False  # not a pytest test class

    backend: Backend
    limits: Limits = field(default_factory=lambda: Limits(wall_s=900, cpu_s=900))
    max_parallel: int = 2
    work_dir: Path | None = None

    def run(self, env: Environment, request: TestRequest) -> TestRun:
        """Copy the worktree, add the extra test, run the command, parse the report."""
        with private_copy(request.worktree, parent=self.work_dir) as copy:
            if request.extra_test is not None:
                write_inside(copy, *request.extra_test)
            out = Path(tempfile.mkdtemp(prefix="organic-pr-report-", dir=self.work_dir))
            try:
                result = self.backend.run(self._spec(env, request, copy, out))
                return _with_report(result, out / REPORT_NAME)
            finally:
                shutil.rmtree(out, ignore_errors=True)

    def run_many(self, env: Environment, requests: Sequence[TestRequest]) -> list[TestRun]:
        """Run `requests` concurrently, at most `max_parallel` at a time; results keep the request order."""
        with ThreadPoolExecutor(max_workers=self.max_parallel) as pool:
            return list(pool.map(lambda request: self.run(env, request), requests))

    async def arun_many(self, env: Environment, requests: Sequence[TestRequest]) -> list[TestRun]:
        """The asyncio form of `run_many`: a semaphore bounds the runs, each in a worker thread."""
        gate = asyncio.Semaphore(self.max_parallel)

        async def one(request: TestRequest) -> TestRun:
            async with gate:
                return await asyncio.to_thread(self.run, env, request)

        return list(await asyncio.gather(*(one(request) for request in requests)))

    def repeat(self, env: Environment, request: TestRequest, times: int) -> RepeatReport:
        """Run the same request `times` times and mark tests that both passed and failed as flaky."""
        runs = tuple(self.run_many(env, [request] * times))
        return RepeatReport(runs=runs, histories=tuple(histories([run.tests for run in runs])))

    def _spec(self, env: Environment, request: TestRequest, copy: Path, out: Path) -> SandboxSpec:
        command = request.command or (str(env.python), "-m", "pytest")
        report_args: tuple[str, ...] = ()
        if request.structured:
            report_args = ("-p", "no:cacheprovider", "-o", "junit_family=xunit1", f"--junitxml={out / REPORT_NAME}")
        paths = [str(copy / "src"), str(copy)] if (copy / "src").is_dir() else [str(copy)]
        return SandboxSpec(
            argv=(*command, *report_args, *request.node_ids),
            cwd=copy,
            mounts=(*env.mounts(), Mount(copy, writable=True), Mount(out, writable=True)),
            env={**env.env(), "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"},
            limits=self.limits,
        )


def write_inside(root: Path, relpath: str, text: str) -> Path:
    """Write `text` at `root/relpath`, refusing paths (or symlinked directories) that lead outside `root`.

    A byte that is not UTF-8, held in `text` as a surrogate (surrogateescape), is written as itself."""
    rel = PurePosixPath(relpath)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise SandboxError(f"extra test path must be relative and inside the worktree: {relpath!r}")
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(root.resolve()):
        raise SandboxError(f"extra test path leaves the worktree through a symlink: {relpath!r}")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text)
    return target


def _with_report(result: RunResult, report: Path) -> TestRun:
    text = read_no_follow(report, MAX_REPORT_BYTES)
    if text is None:
        return TestRun(run=result, tests=(), report_error=NO_REPORT)
    try:
        return TestRun(run=result, tests=tuple(parse_junit(text)))
    except ReportError as exc:
        return TestRun(run=result, tests=(), report_error=str(exc))
