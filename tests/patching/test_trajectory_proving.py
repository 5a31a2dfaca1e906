"""Judging a candidate from its runs, choosing the nearest tests, and the candidate's private checkout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.patching.proving import judge, nearest_tests
from bot.patching.trajectory import TurnVerdict
from bot.patching.workspace import clone_worktree, diff_paths, tracked_files
from sandbox.backends import RunResult
from sandbox.junit import Outcome, TestResult
from sandbox.runner import TestRun
from sandbox.verdict import Verdict
from tests.conftest import git

REPRO = "tests/test_repro.py"


def run(**outcomes: Outcome) -> TestRun:
    """A run with the given per-test outcomes (keys: test names in the repro file, or `other` tests)."""
    tests = tuple(
        TestResult(f"{REPRO}::{name}" if not name.startswith("other") else f"tests/test_x.py::{name}", outcome, 0.0)
        for name, outcome in outcomes.items()
    )
    ok = all(t.outcome is Outcome.PASSED for t in tests)
    result = RunResult(Verdict.OK if ok else Verdict.FAILED, 0 if ok else 1, None, "", "", 0.1, 0.1, False)
    return TestRun(result, tests)


P, F, E = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR


@pytest.mark.parametrize(
    ("before", "after", "failing", "verdict"),
    [
        (run(test_a=F), run(test_a=P), set(), TurnVerdict.PROVEN),
        (run(test_a=E), run(test_a=P, other_1=P), set(), TurnVerdict.PROVEN),
        (run(test_a=P), run(test_a=P), set(), TurnVerdict.PROVES_NOTHING),
        (run(), run(), set(), TurnVerdict.PROVES_NOTHING),
        (run(test_a=F, test_b=P), run(test_a=P, test_b=F), set(), TurnVerdict.STILL_FAILS),
        (run(test_a=F), run(), set(), TurnVerdict.STILL_FAILS),
        (run(test_a=F), run(test_a=P, other_1=F), set(), TurnVerdict.REGRESSION),
        (run(test_a=F), run(test_a=P, other_1=F), {"tests/test_x.py::other_1"}, TurnVerdict.PROVEN),
    ],
)
def test_judge(before: TestRun, after: TestRun, failing: set[str], verdict: TurnVerdict) -> None:
    """Proven means failing before, passing after, and no nearby test failing that did not fail already."""
    assert judge(before, after, REPRO, failing).verdict is verdict


TESTS = ["tests/test_cart.py", "tests/shop/test_prices.py", "tests/test_other.py", "tests/conftest.py", "docs/x.py"]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["shop/cart.py"], ["tests/test_cart.py"]),
        (["tests/shop/helpers.py"], ["tests/shop/test_prices.py", "tests/test_cart.py", "tests/test_other.py"]),
        (["README.md"], []),
        (["tests/test_cart.py"], ["tests/shop/test_prices.py", "tests/test_other.py"]),
    ],
)
def test_nearest_tests(changed: list[str], expected: list[str]) -> None:
    """Test files named after a changed module come first, then those sharing the most directories."""
    assert nearest_tests(changed, TESTS) == expected


def test_diff_paths() -> None:
    """Both sides of every file in a git diff are listed once, in order."""
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+c\n"
    assert diff_paths(diff) == ["x.py", "new.py"]


def test_clone_is_private_and_at_head(make_git_repo: Callable[..., Path], tmp_path: Path) -> None:
    """The candidate's checkout has the job's HEAD, and writing to it leaves the job's worktree alone."""
    repo = make_git_repo({"a.py": "x = 1\n"})
    (repo / "untracked.env").write_text("TOKEN=1\n")
    clone = tmp_path / "scratch" / "c0"
    clone_worktree(repo, clone)
    (clone / "a.py").write_text("x = 2\n")
    assert git(clone, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")
    assert tracked_files(clone) == ["a.py"] and not (clone / "untracked.env").exists()
    assert (repo / "a.py").read_text() == "x = 1\n"
