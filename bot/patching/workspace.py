"""The candidate's own copy of the job's worktree, and reading files from a worktree safely (git adapter)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from bot.patching.errors import UnsafePath, WorkspaceError
from bot.patching.paths import resolve_inside
from sandbox.worktrees import read_no_follow

__all__ = ["clone_worktree", "diff_paths", "read_texts", "tracked_files"]

MAX_TEXT_BYTES = 2_000_000
GIT_TIMEOUT_S = 300


def _git(cwd: Path, *args: str) -> str:
    """git's output as text; a file name whose bytes are not UTF-8 keeps them as surrogates, as memory does."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", *args],
            cwd=cwd,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
            timeout=GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WorkspaceError(f"git {args[0]} could not run: {exc}") from exc
    if done.returncode != 0:
        raise WorkspaceError(f"git {args[0]} failed: {done.stderr.strip()[:300]}")
    return done.stdout


def clone_worktree(source: Path, target: Path) -> None:
    """A private checkout of `source`'s HEAD at `target`, sharing its objects (no hooks, no untracked files)."""
    head = _git(source, "rev-parse", "--verify", "HEAD^{commit}").strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    _git(target.parent, "clone", "--quiet", "--shared", "--no-checkout", "--", str(source.resolve()), str(target))
    _git(target, "checkout", "--quiet", "--detach", head)


def tracked_files(root: Path) -> list[str]:
    """Every file git tracks in `root`, repository-relative."""
    return [p for p in _git(root, "ls-files", "-z").split("\0") if p]


def read_texts(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Texts of the regular files among `paths` inside `root`; unsafe, missing or oversized ones are skipped."""
    texts: dict[str, str] = {}
    for path in paths:
        try:
            real = resolve_inside(root, path)
        except UnsafePath:
            continue
        text = read_no_follow(real, MAX_TEXT_BYTES)
        if text is not None:
            texts[path] = text
    return texts


def diff_paths(diff: str) -> list[str]:
    """The files a unified `git diff` touches (either side), in order."""
    found: dict[str, None] = {}
    for line in diff.splitlines():
        if line.startswith(("--- a/", "+++ b/")):
            found[line[6:].split("\t")[0]] = None
    return list(found)
