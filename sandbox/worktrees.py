"""Private copies of worktrees, one per run, so concurrent runs never see each other's files."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sandbox import process
from sandbox.errors import SandboxError

MAX_MANIFEST_BYTES = 2 * 1024 * 1024


def copy_tree(source: Path, target: Path) -> None:
    """Copy `source` to the new directory `target`, sharing blocks where the filesystem can (reflink)."""
    done = process.run(
        ["cp", "-a", "--reflink=auto", "--no-target-directory", str(source), str(target)], timeout_s=600, env={}
    )
    if done.returncode != 0:
        raise SandboxError(f"cannot copy {source} to {target}: {done.stderr.strip()}")


@contextmanager
def private_copy(source: Path, parent: Path | None = None) -> Iterator[Path]:
    """A fresh copy of `source`, removed on exit."""
    holder = Path(tempfile.mkdtemp(prefix="organic-pr-run-", dir=parent))
    try:
        target = holder / "worktree"
        copy_tree(source, target)
        yield target
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def read_regular_files(root: Path, relpaths: list[str]) -> Mapping[str, str]:
    """Texts of the given files, skipping symlinks and non-regular files (a repo may point them anywhere)."""
    texts: dict[str, str] = {}
    for rel in relpaths:
        text = read_no_follow(root / rel, MAX_MANIFEST_BYTES)
        if text is not None:
            texts[rel] = text
    return texts


def read_no_follow(path: Path, limit: int, errors: str = "replace") -> str | None:
    """A file's text, or None if it is missing, a symlink, not regular, or larger than `limit`.

    Bytes that are not UTF-8 decode by `errors`: "surrogateescape" keeps them, for text written back to a file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = handle.read(limit + 1)
    if len(data) > limit:
        return None
    return data.decode("utf-8", errors=errors)


def list_manifests(root: Path, check: Callable[[str], bool]) -> list[str]:
    """Repository-relative paths at the top level and in requirements/ that `check` accepts."""
    paths = [entry.name for entry in root.iterdir()]
    requirements_dir = root / "requirements"
    if requirements_dir.is_dir() and not requirements_dir.is_symlink():
        paths += [f"requirements/{entry.name}" for entry in requirements_dir.iterdir()]
    return sorted(path for path in paths if check(path))
