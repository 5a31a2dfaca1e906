"""Applying edits to a real git worktree, with syntax checks and the validated diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.patching import Create, Edit, Replace, Status, apply_to_worktree, parse_edits
from bot.patching.syntax import syntax_error
from bot.patching.workspace import tracked_files
from tests.conftest import git


def test_applies_and_returns_validated_diff(make_git_repo) -> None:
    """Edits are written and the git diff, new files included, round-trips through unidiff."""
    root: Path = make_git_repo({"pkg/a.py": "def a():\n    return 1\n"})
    edits: list[Edit] = [Replace("pkg/a.py", "    return 1\n", "    return 2\n"), Create("pkg/b.py", "B = 1\n")]
    result = apply_to_worktree(root, edits)
    assert result.failed == ()
    assert (root / "pkg/a.py").read_text() == "def a():\n    return 2\n"
    assert "+++ b/pkg/b.py" in result.diff and "+    return 2" in result.diff


def test_syntax_error_rolls_back_the_file(make_git_repo) -> None:
    """An edit that leaves a Python file unparsable is not written and is reported."""
    root: Path = make_git_repo({"a.py": "x = 1\n"})
    result = apply_to_worktree(root, [Replace("a.py", "x = 1\n", "x = (1\n")])
    assert result.failed[0].status is Status.REJECTED
    assert "would not parse" in result.failed[0].message
    assert (root / "a.py").read_text() == "x = 1\n"
    assert result.diff == ""


def test_workflow_and_escape_edits_never_reach_disk(make_git_repo, tmp_path: Path) -> None:
    """Workflow, absolute, parent and symlinked paths are rejected and nothing is written."""
    root: Path = make_git_repo({"a.py": "x = 1\n"})
    os.symlink(tmp_path, root / "link")
    text = (
        ".github/workflows/evil.yml\n<<<<<<< SEARCH\n=======\non: push\n>>>>>>> REPLACE\n"
        "../outside.py\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n"
        "link/through.py\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n"
    )
    result = apply_to_worktree(root, parse_edits(text).edits)
    assert [r.status for r in result.results] == [Status.REJECTED] * 3
    assert not (root / ".github").exists()
    assert not (tmp_path / "outside.py").exists() and not (tmp_path / "through.py").exists()
    assert result.diff == ""


def test_syntax_error_messages_by_language() -> None:
    """Python, JSON, TOML and YAML errors are found; unknown languages are not guessed at."""
    assert syntax_error("a.py", "def f(:\n") is not None
    assert syntax_error("a.json", "{") is not None
    assert syntax_error("a.toml", "x = = 1") is not None
    assert syntax_error("a.yml", "a: [1\n") is not None
    assert syntax_error("a.py", "x = 1\n") is None
    assert syntax_error("notes.unknownext", "anything {") is None


@pytest.mark.parametrize(
    ("path", "text", "broken"),
    [
        ("app.js", "function f( {\n", True),
        ("app.js", "function f() { return 1; }\n", False),
        ("main.go", "package main\nfunc main() {\n", True),
        ("lib.rs", "fn main() { let x = 1; }\n", False),
    ],
)
def test_non_python_sources_are_checked_by_their_grammar_wheel(path: str, text: str, broken: bool) -> None:
    """Files with an installed grammar wheel are parsed by tree-sitter and a broken one is reported."""
    assert (syntax_error(path, text) is not None) is broken


def test_names_and_bytes_outside_utf8_survive_an_edit(make_git_repo) -> None:
    """A file name whose bytes are not UTF-8 is listed and edited the way memory names it (surrogateescape), a
    file holding such bytes is edited without touching them, and the diff carries both as they are."""
    root: Path = make_git_repo({"a.py": "x = 1\n"})
    (root / "caf\udce9.py").write_bytes(b"# caf\xe9\nx = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "latin-1")
    assert sorted(tracked_files(root)) == ["a.py", "caf\udce9.py"]
    result = apply_to_worktree(root, [Replace("caf\udce9.py", "x = 1\n", "x = 2\n")])
    assert (result.failed, result.changed) == ((), ("caf\udce9.py",))
    assert (root / "caf\udce9.py").read_bytes() == b"# caf\xe9\nx = 2\n"
    assert "+++ b/caf\udce9.py\n@@ -1,2 +1,2 @@\n # caf\udce9\n-x = 1\n+x = 2\n" in result.diff
