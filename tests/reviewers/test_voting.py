"""Voting and the regression guard on the real sandbox."""

from __future__ import annotations

from reviewers.base import ORIGINAL, PoolContext, TestStatus
from reviewers.regression import RegressionReviewer
from reviewers.sandbox_runner import SandboxSuiteRunner
from reviewers.votes import tally
from reviewers.voting import OutcomeCache, guard_matrix, vote_matrix
from tests.reviewers.conftest import candidates


def test_test_passing_on_original_casts_no_vote(suite_runner: SandboxSuiteRunner) -> None:
    """A repro test that already passes on the original code is ignored; the failing one votes."""
    pool = candidates()[:2]
    matrix = vote_matrix(suite_runner, pool, flaky_runs=1)
    result = tally(matrix, pool)
    rows = {matrix.owners[row]: row for row in matrix.tests()}
    assert matrix.get(rows["wrong"], ORIGINAL) is TestStatus.PASSED
    assert result.ignored == {rows["wrong"]: "passes on the original code, so it proves nothing"}
    assert result.voters == [rows["good"]]
    assert result.votes == {"good": 1, "wrong": 0}


def test_outcomes_are_cached_by_test_and_code(suite_runner: SandboxSuiteRunner) -> None:
    """A second vote over the same tests and code runs nothing."""
    pool = candidates()[:2]
    cache = OutcomeCache()
    first = vote_matrix(suite_runner, pool, cache=cache, flaky_runs=1)
    runs = cache.runs
    second = vote_matrix(suite_runner, pool, cache=cache, flaky_runs=1)
    assert runs == 3
    assert cache.runs == runs
    assert first.cells == second.cells


def test_regression_guard_rejects_a_candidate_breaking_an_existing_test(suite_runner: SandboxSuiteRunner) -> None:
    """The candidate that changes double() is rejected, naming tests/test_calc.py::test_double."""
    pool = candidates()
    matrix = guard_matrix(suite_runner, pool, ["tests/test_calc.py"])
    context = PoolContext("clamp ignores high", pool, {}, regression=matrix)
    verdicts = {v.candidate: v for v in RegressionReviewer().review(context)}
    assert verdicts["good"].rejected is None
    assert verdicts["breaks"].rejected == "breaks 1 existing test(s): tests/test_calc.py::test_double"
