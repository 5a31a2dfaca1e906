"""Where the repro test goes, and the files a PR writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.pipeline.changes import place_test, planned_files, write_files
from tests.conftest import git

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


def test_files_outside_utf8_are_written_back_byte_for_byte(make_git_repo: Callable[..., Path], tmp_path: Path) -> None:
    """A PR changing one line of a file that holds bytes UTF-8 cannot decode (under a name that is not UTF-8
    either) writes every other byte back unchanged, never a replacement character."""
    repo = make_git_repo({"a.py": "x = 1\n"})
    (repo / "caf\udce9.py").write_bytes(b"# caf\xe9\nx = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "latin-1")
    diff = "--- a/caf\udce9.py\n+++ b/caf\udce9.py\n@@ -1,2 +1,2 @@\n # caf\udce9\n-x = 1\n+x = 2\n"
    files = planned_files(repo, diff, None)
    write_files(tmp_path / "out", files)
    assert (tmp_path / "out" / "caf\udce9.py").read_bytes() == b"# caf\xe9\nx = 2\n"
