"""The patch engine: parse model edits, apply them robustly and safely, validate the result."""

from bot.patching.answer import CandidateAnswer, parse_answer
from bot.patching.apply import apply_edits
from bot.patching.edits import ApplyReport, Create, Delete, Edit, EditResult, Rename, Replace, Status, Strategy
from bot.patching.errors import InvalidResult, PatchError, UnsafePath
from bot.patching.feedback import describe_failures
from bot.patching.parse import ParsedEdits, parse_edits
from bot.patching.paths import check_path, resolve_inside
from bot.patching.syntax import syntax_error
from bot.patching.worktree import WorktreeResult, apply_to_worktree, worktree_diff

__all__ = [
    "ApplyReport",
    "CandidateAnswer",
    "Create",
    "Delete",
    "Edit",
    "EditResult",
    "InvalidResult",
    "ParsedEdits",
    "PatchError",
    "Rename",
    "Replace",
    "Status",
    "Strategy",
    "UnsafePath",
    "WorktreeResult",
    "apply_edits",
    "apply_to_worktree",
    "check_path",
    "describe_failures",
    "parse_answer",
    "parse_edits",
    "resolve_inside",
    "syntax_error",
    "worktree_diff",
]
