"""Errors raised by repository memory.

MemoryStoreError
├── GitFailed          a git subprocess failed or its output could not be read
│   ├── NotARepository the path is not inside a git repository
│   └── NoCommits      the repository has no commits yet (HEAD names nothing)
├── IndexCorrupt       a persisted index is unreadable, truncated, of another version or fails its checksum
├── LockTimeout        another worker held the per-repo lock for too long
├── BadRequest         a recall request memory cannot answer: blank text, a bad k or budget (also a ValueError)
└── SkillError         a model reply for a skill step could not be used
"""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "GitFailed",
    "IndexCorrupt",
    "LockTimeout",
    "MemoryStoreError",
    "NoCommits",
    "NotARepository",
    "SkillError",
]


class MemoryStoreError(Exception):
    """Base class for every error raised by memory/."""


class GitFailed(MemoryStoreError):
    """A git command failed; the message carries its stderr."""


class NotARepository(GitFailed):
    """The path given as a repository is not a git repository."""


class NoCommits(GitFailed):
    """The repository exists but has no commit to build memory from."""


class IndexCorrupt(MemoryStoreError):
    """A persisted index cannot be trusted and must be rebuilt."""


class LockTimeout(MemoryStoreError):
    """The per-repo lock could not be taken in time."""


class SkillError(MemoryStoreError):
    """A skill step got a reply it could not parse."""


class BadRequest(MemoryStoreError, ValueError):
    """A recall request that cannot be answered as asked; the message says what to change."""
