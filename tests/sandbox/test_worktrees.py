"""Private worktree copies and no-follow reads of manifests."""

from __future__ import annotations

from pathlib import Path

from sandbox.detect import is_manifest
from sandbox.worktrees import list_manifests, private_copy, read_no_follow, read_regular_files


def test_private_copy_is_independent_and_removed(tmp_path: Path) -> None:
    """Writes in a copy do not reach the original, and the copy is gone afterwards."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("original")
    with private_copy(source, parent=tmp_path) as copy:
        (copy / "a.txt").write_text("changed")
        assert (source / "a.txt").read_text() == "original"
    assert not copy.exists()


def test_symlinks_are_copied_as_links(tmp_path: Path) -> None:
    """A committed symlink stays a symlink in the copy (its target is not pulled in)."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "link").symlink_to("/etc/hostname")
    with private_copy(source, parent=tmp_path) as copy:
        assert (copy / "link").is_symlink()


def test_manifest_symlink_is_not_read(tmp_path: Path) -> None:
    """A manifest that is a symlink out of the repo is ignored by host-side reads."""
    secret = tmp_path / "secret"
    secret.write_text("TOKEN")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").symlink_to(secret)
    (repo / "pyproject.toml").write_text("[project]\n")
    assert read_regular_files(repo, list_manifests(repo, is_manifest)) == {"pyproject.toml": "[project]\n"}


def test_oversized_file_is_not_read(tmp_path: Path) -> None:
    """Files larger than the limit are skipped."""
    big = tmp_path / "big"
    big.write_text("x" * 100)
    assert read_no_follow(big, 10) is None and read_no_follow(big, 100) == "x" * 100
