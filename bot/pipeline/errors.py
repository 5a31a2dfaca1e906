"""Errors of the fix pipeline.

BotError (bot/errors.py)
└── PipelineError            the pipeline stopped without a result it can publish
    ├── NoModel              no language model is configured
    ├── BudgetStop           a job or daily budget was reached (spent_tokens, spent_usd, limit)
    └── NoCandidate          every candidate failed (malformed edits, model errors): nothing to select
"""

from __future__ import annotations

from bot.errors import BotError

__all__ = ["BudgetStop", "NoCandidate", "NoModel", "PipelineError"]


class PipelineError(BotError):
    """The pipeline stopped without a result it can publish."""


class NoModel(PipelineError):
    """No language model is configured."""


class BudgetStop(PipelineError):
    """A budget was reached; carries what was spent and which limit stopped the work."""

    def __init__(self, message: str, *, spent_tokens: int, spent_usd: float, limit: str) -> None:
        super().__init__(message)
        self.spent_tokens = spent_tokens
        self.spent_usd = spent_usd
        self.limit = limit


class NoCandidate(PipelineError):
    """Every candidate failed before producing an applicable edit."""
