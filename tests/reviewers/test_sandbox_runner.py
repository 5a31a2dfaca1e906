"""The SuiteRunner on the real sandbox."""

from __future__ import annotations

from reviewers.base import Candidate, TestStatus
from reviewers.diffs import make_diff
from reviewers.sandbox_runner import SandboxSuiteRunner
from reviewers.voting import guard_matrix
from tests.reviewers.conftest import GOOD


def test_a_candidate_that_breaks_conftest_import_errors_every_selector(suite_runner: SandboxSuiteRunner) -> None:
    """No report because the candidate's conftest cannot import: each selector is ERROR, nothing is raised."""
    broken = make_diff("conftest.py", None, "import calc.missing_module\n")
    outcome = suite_runner.run(broken, {}, ["tests/test_calc.py::test_double", "tests/test_calc.py"])
    assert outcome == {
        "tests/test_calc.py::test_double": TestStatus.ERROR,
        "tests/test_calc.py": TestStatus.ERROR,
    }


def test_the_guard_rejects_a_candidate_that_breaks_the_run(suite_runner: SandboxSuiteRunner) -> None:
    """An existing test green on the original is broken on the candidate whose run produced no report."""
    broken = GOOD + make_diff("conftest.py", None, "import calc.missing_module\n")
    matrix = guard_matrix(suite_runner, [Candidate("broken", broken), Candidate("good", GOOD)], ["tests/test_calc.py"])
    assert matrix.get("tests/test_calc.py::test_double", "broken") is TestStatus.ERROR
    assert matrix.get("tests/test_calc.py::test_double", "good") is TestStatus.PASSED
