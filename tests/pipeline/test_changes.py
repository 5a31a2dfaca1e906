"""Where the repro test goes, and the files a PR writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.pipeline.changes import place_test, planned_files

TESTS = {"tests": {"dirs": ["tests"], "naming": "test_*"}}


@pytest.mark.parametrize(
    ("path", "conventions", "existing", "expected"),
    [
        ("tests/test_bug.py", TESTS, set(), "tests/test_bug.py"),
        ("test_bug.py", TESTS, set(), "tests/test_bug.py"),
        ("repro_test.py", TESTS, set(), "tests/test_repro.py"),
        ("tests/test_bug.py", TESTS, {"tests/test_bug.py"}, "tests/test_bug_2.py"),
        ("test_bug.py", {"tests": {"dirs": ["spec"], "naming": "*_test"}}, set(), "spec/bug_test.py"),
        ("test_bug.py", {}, set(), "test_bug.py"),
    ],
)
def test_repro_test_is_placed_the_repo_way(
    path: str, conventions: dict[str, Any], existing: set[str], expected: str
) -> None:
    """The test lands in the repo's test folder, named its way, without overwriting a file."""
    assert place_test(path, conventions, existing) == expected


def test_planned_files_apply_the_diff_and_add_the_test(make_git_repo: Callable[..., Path]) -> None:
    """The post-image of each changed file, plus the test file."""
    repo = make_git_repo({"a.py": "x = 1\ny = 2\n"})
    diff = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"
    files = planned_files(repo, diff, ("tests/test_a.py", "def test_a():\n    pass\n"))
    assert files == {"a.py": "x = 1\ny = 3\n", "tests/test_a.py": "def test_a():\n    pass\n"}
