"""Errors of the LLM layer, mapped once from the openai SDK in `client._mapped_errors`.

BotError                        (bot/errors.py)
├── BudgetExceeded              (bot/errors.py) the job's token or money budget is spent
└── LLMError                    the model endpoint could not give a usable answer
    ├── ModelUnavailable        429/5xx/transport failures that outlived every retry
    ├── ModelTimeout            the endpoint did not answer within the timeout, on every attempt
    └── ModelRequestRejected    a 4xx other than 408/409/429 (bad key, unknown model, bad request)
"""

from __future__ import annotations

from bot.errors import BotError

__all__ = ["LLMError", "ModelRequestRejected", "ModelTimeout", "ModelUnavailable"]


class LLMError(BotError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ModelUnavailable(LLMError):
    def __init__(self, message: str, *, status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s


class ModelTimeout(LLMError):
    pass


class ModelRequestRejected(LLMError):
    pass
