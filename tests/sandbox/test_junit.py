"""JUnit XML (pytest, xunit1) into per-test results."""

from __future__ import annotations

import pytest

from sandbox.errors import ReportError
from sandbox.junit import Outcome, TestResult, node_id, parse_junit

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="1" time="0.010"/>
<testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" line="3" time="0.020">
  <failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2</failure></testcase>
<testcase classname="tests.test_a.TestK" name="test_p[x-1]" file="tests/test_a.py" line="7" time="0.001">
  <skipped type="pytest.skip" message="not today">skip text</skipped></testcase>
<testcase classname="tests.test_a" name="test_teardown" file="tests/test_a.py" line="9" time="0.5">
  <error message="failed on teardown">boom</error></testcase>
<testcase classname="tests.test_b" name="test_both" file="tests/test_b.py" time="bad">
  <skipped message="s"/><failure message="f">trace</failure></testcase>
</testsuite></testsuites>
"""


def test_parses_each_outcome() -> None:
    """Passed, failed, skipped and errored cases come back with node ids, durations and messages."""
    assert parse_junit(REPORT) == [
        TestResult("tests/test_a.py::test_ok", Outcome.PASSED, 0.01),
        TestResult(
            "tests/test_a.py::test_bad", Outcome.FAILED, 0.02, "assert 1 == 2\ndef test_bad():\n>       assert 1 == 2"
        ),
        TestResult("tests/test_a.py::TestK::test_p[x-1]", Outcome.SKIPPED, 0.001, "not today\nskip text"),
        TestResult("tests/test_a.py::test_teardown", Outcome.ERROR, 0.5, "failed on teardown\nboom"),
        TestResult("tests/test_b.py::test_both", Outcome.FAILED, 0.0, "f\ntrace"),
    ]


@pytest.mark.parametrize(
    ("file", "classname", "name", "expected"),
    [
        ("tests/test_a.py", "tests.test_a", "test_x", "tests/test_a.py::test_x"),
        ("tests/test_a.py", "tests.test_a.TestA.TestB", "test_x", "tests/test_a.py::TestA::TestB::test_x"),
        ("test_top.py", "test_top", "test_x[1-a.b]", "test_top.py::test_x[1-a.b]"),
        (None, "tests.test_a", "test_x", "tests/test_a.py::test_x"),
    ],
)
def test_node_id(file: str | None, classname: str, name: str, expected: str) -> None:
    """Node ids are rebuilt from file, classname and name."""
    assert node_id(file, classname, name) == expected


@pytest.mark.parametrize(
    "text",
    ["<testsuite><testcase", '<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite>&a;</testsuite>'],
    ids=["malformed", "entity"],
)
def test_bad_reports_are_refused(text: str) -> None:
    """Malformed XML and entity declarations raise ReportError."""
    with pytest.raises(ReportError):
        parse_junit(text)
