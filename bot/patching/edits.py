"""The edits a model can propose, and what became of each one."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["ApplyReport", "Create", "Delete", "Edit", "EditResult", "Rename", "Replace", "Status", "Strategy"]


@dataclass(frozen=True)
class Replace:
    """A SEARCH/REPLACE block or one unified-diff hunk. An empty `search` on a missing file creates it.

    `line_hint` (0-based, from a diff header) only breaks ties between identical matches; `eof_newline`
    is set when a diff says the result ends (True) or does not end (False) with a newline.
    """

    path: str
    search: str
    replace: str
    line_hint: int | None = None
    eof_newline: bool | None = None


@dataclass(frozen=True)
class Create:
    path: str
    content: str


@dataclass(frozen=True)
class Delete:
    path: str


@dataclass(frozen=True)
class Rename:
    path: str
    new_path: str


Edit = Replace | Create | Delete | Rename


class Status(enum.Enum):
    APPLIED = "applied"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    REJECTED = "rejected"


class Strategy(enum.Enum):
    EXACT = "exact"
    WHITESPACE = "whitespace"
    INDENT = "indent"
    FUZZY = "fuzzy"
    ELIDED = "elided"


@dataclass(frozen=True)
class EditResult:
    edit: Edit
    status: Status
    strategy: Strategy | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.APPLIED


@dataclass(frozen=True)
class ApplyReport:
    """Per-edit results, and the new text of every changed file (None: deleted)."""

    results: tuple[EditResult, ...]
    files: dict[str, str | None] = field(default_factory=dict)

    @property
    def failed(self) -> tuple[EditResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def all_applied(self) -> bool:
        return all(r.ok for r in self.results)
