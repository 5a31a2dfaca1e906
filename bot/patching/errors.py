"""Errors of the patch engine. Failed blocks are results, not exceptions; these are for what must stop.

BotError                    (bot/errors.py)
└── PatchError
    ├── UnsafePath          a path outside the worktree, through a symlink, under .git/ or .github/workflows/
    ├── InvalidResult       the final worktree diff does not survive validation (unidiff round trip)
    └── WorkspaceError      a candidate's private copy of the worktree cannot be made or read (git failed)
"""

from __future__ import annotations

from bot.errors import BotError

__all__ = ["InvalidResult", "PatchError", "UnsafePath", "WorkspaceError"]


class PatchError(BotError):
    pass


class UnsafePath(PatchError):
    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class InvalidResult(PatchError):
    pass


class WorkspaceError(PatchError):
    pass
