"""Choosing the nearest existing tests, and naming the ones a candidate breaks."""

from __future__ import annotations

import pytest

from reviewers.base import ORIGINAL, TestMatrix, TestStatus
from reviewers.regression import broken_tests, module_name, nearest_tests

TESTS = {
    "tests/test_core.py": "from pkg.core import run\n",
    "tests/test_misc.py": "import pkg\n",
    "tests/test_other.py": "from pkg.other import x\n",
    "tests/test_cli.py": "import os\n",
}


@pytest.mark.parametrize(
    ("path", "module"),
    [("src/pkg/core.py", "pkg.core"), ("pkg/__init__.py", "pkg"), ("pkg/a/b.py", "pkg.a.b")],
)
def test_module_name(path: str, module: str) -> None:
    """Paths map to the modules they define (src layout aware)."""
    assert module_name(path) == module


def test_nearest_tests_by_imports_naming_and_cochange() -> None:
    """Direct importers first, then package importers; co-change pulls in a test that imports nothing."""
    assert nearest_tests(["src/pkg/core.py"], TESTS) == ["tests/test_core.py", "tests/test_misc.py"]
    cochange = {"src/pkg/core.py": {"tests/test_cli.py": 0.5}}
    assert nearest_tests(["src/pkg/core.py"], TESTS, cochange)[:3] == [
        "tests/test_core.py",
        "tests/test_cli.py",
        "tests/test_misc.py",
    ]


def test_broken_tests_skip_failing_and_flaky() -> None:
    """Only a test green on the original and red on the candidate is broken."""
    m = TestMatrix()
    rows = {
        "t1": (TestStatus.PASSED, TestStatus.FAILED),
        "t2": (TestStatus.FAILED, TestStatus.FAILED),
        "t3": (TestStatus.PASSED, TestStatus.FLAKY),
    }
    for test, (before, after) in rows.items():
        m.set(test, ORIGINAL, before)
        m.set(test, "c", after)
    assert broken_tests(m, "c") == ["t1"]
