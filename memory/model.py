"""The data memory records: change units (as maintainers merged them), their file changes and hunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from memory.textproc import title_of

__all__ = ["FileChange", "Hunk", "Unit", "iso_day"]

Hunk = tuple[int, int, int, int]  # old_start, old_len, new_start, new_len (git's -U0 hunk header)


def iso_day(stamp: int) -> str:
    """The UTC date of a commit timestamp, YYYY-MM-DD."""
    return datetime.fromtimestamp(stamp, UTC).date().isoformat()


@dataclass
class FileChange:
    """One file in a unit. `status` is A, M, D or R; `funcs` are the enclosing names git saw per hunk."""

    path: str
    old_path: str
    status: str
    added: int = 0
    deleted: int = 0
    hunks: list[Hunk] = field(default_factory=list)
    funcs: list[str] = field(default_factory=list)

    def to_json(self) -> list[Any]:
        """A flat row; the hunks are one flat list of ints (four per hunk), quick to parse and regroup."""
        flat = [number for hunk in self.hunks for number in hunk]
        return [self.path, self.old_path, self.status, self.added, self.deleted, flat, self.funcs]

    @classmethod
    def from_json(cls, row: list[Any]) -> FileChange:
        path, old_path, status, added, deleted, flat, funcs = row
        numbers = iter(flat)  # the same iterator four times regroups them; a ragged list raises ValueError
        hunks = list(zip(numbers, numbers, numbers, numbers, strict=True))
        return cls(path, old_path, status, added, deleted, hunks, list(funcs))


@dataclass
class Unit:
    """A change as merged: a squash commit or a PR merge diffed against its first parent.

    Usage::

        unit.message   # cleaned: no trailers, `#N`, merge boilerplate or branch names
        unit.refs      # (PR or issue numbers it referenced)
    """

    sha: str
    parent: str
    author: str
    timestamp: int
    message: str
    refs: tuple[int, ...]
    files: list[FileChange]
    is_merge: bool = False
    reverts: str | None = None
    is_revert: bool = False

    @property
    def title(self) -> str:
        return title_of(self.message)

    def modified_paths(self) -> list[str]:
        return [f.path for f in self.files if f.status == "M"]

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.sha,
            "parent": self.parent,
            "author": self.author,
            "ts": self.timestamp,
            "msg": self.message,
            "refs": list(self.refs),
            "files": [f.to_json() for f in self.files],
            "merge": self.is_merge,
            "reverts": self.reverts,
            "is_revert": self.is_revert,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Unit:
        return cls(
            sha=row["sha"],
            parent=row["parent"],
            author=row["author"],
            timestamp=row["ts"],
            message=row["msg"],
            refs=tuple(row["refs"]),
            files=[FileChange.from_json(f) for f in row["files"]],
            is_merge=row["merge"],
            reverts=row["reverts"],
            is_revert=row["is_revert"],
        )
