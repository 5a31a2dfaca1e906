"""The bot's exceptions, translated once at each adapter boundary.

BotError
├── ConfigError                 settings or .github/organic-pr.yml are unusable
├── GitHubError                 the GitHub API answered with an error
│   ├── RateLimited             primary or secondary limit; `retry_after_s` says when to try again
│   ├── NotFound
│   ├── PermissionDenied
│   └── GitHubUnavailable       5xx or transport failure
├── GitError                    a git command failed (stderr never carries the token)
│   └── PushRefused             a push the bot must never make: default branch, foreign branch, workflows
├── WebhookRejected             a delivery that must not be processed
│   ├── BadSignature            missing, malformed or wrong X-Hub-Signature-256  -> 401
│   ├── PayloadTooLarge         -> 413
│   ├── MalformedPayload        valid signature, body is not a JSON object       -> 400
│   └── NotInstalled            no installation in the payload where one is required -> 400
├── ServiceUnavailable          Redis or the store cannot be reached             -> 503
├── JobCancelled                cooperative cancellation observed at a safe point
└── BudgetExceeded              a job or installation budget was reached
"""

from __future__ import annotations

__all__ = [
    "BadSignature",
    "BotError",
    "BudgetExceeded",
    "ConfigError",
    "GitHubError",
    "GitError",
    "GitHubUnavailable",
    "JobCancelled",
    "MalformedPayload",
    "NotFound",
    "NotInstalled",
    "PayloadTooLarge",
    "PermissionDenied",
    "PushRefused",
    "RateLimited",
    "ServiceUnavailable",
    "WebhookRejected",
]


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    pass


class GitHubError(BotError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(GitHubError):
    def __init__(self, message: str, *, retry_after_s: float, status: int | None = 403) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s


class NotFound(GitHubError):
    pass


class PermissionDenied(GitHubError):
    pass


class GitHubUnavailable(GitHubError):
    pass


class GitError(BotError):
    """A git command failed (message carries git's stderr, which never contains the token)."""


class PushRefused(GitError):
    """A push the bot must never make: default branch, foreign branch, or workflow changes."""


class WebhookRejected(BotError):
    status_code = 400


class BadSignature(WebhookRejected):
    status_code = 401


class PayloadTooLarge(WebhookRejected):
    status_code = 413


class MalformedPayload(WebhookRejected):
    status_code = 400


class NotInstalled(WebhookRejected):
    status_code = 400


class ServiceUnavailable(BotError):
    """A backing service (Redis, the store) is down; the delivery must fail so GitHub can redeliver it."""


class JobCancelled(BotError):
    pass


class BudgetExceeded(BotError):
    def __init__(self, message: str, *, spent_tokens: int, spent_usd: float) -> None:
        super().__init__(message)
        self.spent_tokens = spent_tokens
        self.spent_usd = spent_usd
