"""Which paths an edit may touch: relative, inside the worktree, not through symlinks, not CI or git internals."""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

from bot.patching.errors import UnsafePath

__all__ = ["FORBIDDEN_PREFIXES", "check_path", "resolve_inside"]

FORBIDDEN_PREFIXES = (".github/workflows/", ".git/")


def check_path(path: str) -> str:
    """The normalised relative path, or UnsafePath. Pure: looks at the text only."""
    raw = path.strip()
    if not raw or "\x00" in raw or "\\" in raw:
        raise UnsafePath(f"{path!r} is not a usable relative path", path=path)
    if raw.startswith(("/", "~")) or (len(raw) > 1 and raw[1] == ":"):
        raise UnsafePath(f"{path!r} is absolute; paths are relative to the repository root", path=path)
    if ".." in PurePosixPath(raw).parts:
        raise UnsafePath(f"{path!r} leaves the repository", path=path)
    clean = posixpath.normpath(raw)
    if clean in (".", ".git", ".github/workflows") or clean.lower().startswith(FORBIDDEN_PREFIXES):
        raise UnsafePath(f"{path!r} is off limits (.git/ and .github/workflows/ are never edited)", path=path)
    return clean


def resolve_inside(root: Path, path: str) -> Path:
    """The real location of `path` under `root`; UnsafePath if a symlink leads it elsewhere or it is one."""
    clean = check_path(path)
    base = root.resolve()
    target = base / clean
    if target.is_symlink():
        raise UnsafePath(f"{path!r} is a symlink; edits never write through links", path=path)
    real = target.resolve()
    if not real.is_relative_to(base):
        raise UnsafePath(f"{path!r} resolves outside the worktree", path=path)
    relative = real.relative_to(base).as_posix()
    if relative.lower().startswith(FORBIDDEN_PREFIXES) or relative in (".git", ".github/workflows"):
        raise UnsafePath(f"{path!r} resolves into {relative!r}, which is off limits", path=path)
    return real
