"""Which paths may be edited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.patching import UnsafePath, check_path, resolve_inside


@pytest.mark.parametrize(
    ("path", "clean"),
    [
        ("a.py", "a.py"),
        ("./pkg/a.py", "pkg/a.py"),
        ("pkg//b.py", "pkg/b.py"),
        (".github/CODEOWNERS", ".github/CODEOWNERS"),
    ],
)
def test_relative_paths_are_normalised(path: str, clean: str) -> None:
    """Plain relative paths pass, normalised."""
    assert check_path(path) == clean


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "~/x",
        "C:/x",
        "../x",
        "a/../../x",
        "a\\b",
        ".git/config",
        ".github/workflows/ci.yml",
        ".GitHub/Workflows/ci.yml",
        "./.github/workflows/x.yml",
        "a\x00b",
    ],
)
def test_unsafe_paths_are_rejected(path: str) -> None:
    """Absolute, escaping, git-internal and workflow paths raise UnsafePath."""
    with pytest.raises(UnsafePath):
        check_path(path)


def test_symlink_escape_is_rejected(tmp_path: Path) -> None:
    """A directory symlink leading out of the worktree cannot be written through."""
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(tmp_path, root / "out")
    with pytest.raises(UnsafePath):
        resolve_inside(root, "out/x.py")


def test_symlink_into_workflows_is_rejected(tmp_path: Path) -> None:
    """A symlink that resolves into .github/workflows is refused."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    os.symlink(tmp_path / ".github" / "workflows", tmp_path / "ci")
    with pytest.raises(UnsafePath):
        resolve_inside(tmp_path, "ci/new.yml")
