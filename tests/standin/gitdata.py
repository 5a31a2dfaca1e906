"""Read PR data (diff, files, counts) and update refs straight from a stand-in repo's bare git directory."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

from tests.standin.state import Repo, run_git

__all__ = ["DiffStats", "FileChange", "diff_stats", "diff_text", "update_ref"]

_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


@dataclass
class FileChange:
    filename: str
    status: str
    additions: int
    deletions: int
    patch: str


@dataclass
class DiffStats:
    commits: int = 0
    additions: int = 0
    deletions: int = 0
    files: list[FileChange] = field(default_factory=list)


def _range(repo: Repo, base: str, head: str) -> str | None:
    for branch in (base, head):
        try:
            run_git(repo.git_dir, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")
        except subprocess.CalledProcessError:
            return None
    return f"refs/heads/{base}...refs/heads/{head}"


def diff_text(repo: Repo, base: str, head: str) -> str:
    """The unified diff GitHub shows for a PR from `head` into `base` (three-dot, from the merge base)."""
    span = _range(repo, base, head)
    return run_git(repo.git_dir, "diff", "--no-color", "--no-renames", span) if span else ""


def diff_stats(repo: Repo, base: str, head: str) -> DiffStats:
    span = _range(repo, base, head)
    if span is None:
        return DiffStats()
    commits = run_git(repo.git_dir, "rev-list", "--count", span.replace("...", ".."))
    stats = DiffStats(commits=int(commits.strip() or 0))
    numstat = run_git(repo.git_dir, "diff", "--numstat", "--no-renames", span).splitlines()
    names = run_git(repo.git_dir, "diff", "--name-status", "--no-renames", span).splitlines()
    for counts, status_line in zip(numstat, names, strict=True):
        added, deleted, name = counts.split("\t", 2)
        code = status_line.split("\t", 1)[0][0]
        patch = run_git(repo.git_dir, "diff", "--no-color", "--no-renames", span, "--", name)
        hunk_start = patch.find("\n@@")
        change = FileChange(
            name,
            _STATUS.get(code, "modified"),
            int(added) if added != "-" else 0,
            int(deleted) if deleted != "-" else 0,
            patch[hunk_start + 1 :] if hunk_start >= 0 else "",
        )
        stats.files.append(change)
        stats.additions += change.additions
        stats.deletions += change.deletions
    return stats


def update_ref(repo: Repo, ref: str, sha: str, *, create: bool) -> bool:
    """Point `ref` at `sha`; False when the commit is unknown or (create) the ref exists already."""
    try:
        run_git(repo.git_dir, "cat-file", "-e", f"{sha}^{{commit}}")
    except subprocess.CalledProcessError:
        return False
    old = ["0" * 40] if create else []
    try:
        run_git(repo.git_dir, "update-ref", ref, sha, *old)
    except subprocess.CalledProcessError:
        return False
    return True
