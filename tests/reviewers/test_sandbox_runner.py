"""The SuiteRunner on the real sandbox."""

from __future__ import annotations

from pathlib import Path

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


def test_a_candidate_on_a_file_outside_utf8_runs_with_its_bytes(
    suite_runner: SandboxSuiteRunner, project: Path
) -> None:
    """A diff whose lines hold bytes UTF-8 cannot decode (as surrogates, the way candidates' diffs carry them)
    applies to the original file, and the file under test keeps those bytes."""
    (project / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\nVALUE = 1\n")
    test = "from latin import NAME, VALUE\n\n\ndef test_latin():\n    assert (NAME, VALUE) == ('caf\\xe9', 2)\n"
    (project / "tests" / "test_latin.py").write_text(test)
    before = "# -*- coding: latin-1 -*-\nNAME = 'caf\udce9'\nVALUE = 1\n"
    diff = make_diff("latin.py", before, before.replace("VALUE = 1", "VALUE = 2"))
    outcome = suite_runner.run(diff, {}, ["tests/test_latin.py::test_latin"])
    assert outcome == {"tests/test_latin.py::test_latin": TestStatus.PASSED}
