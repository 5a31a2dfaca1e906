"""Translate githubkit/httpx failures into the bot's GitHub errors, in one place.

githubkit.exception.RateLimitExceeded        -> RateLimited(retry_after_s=...)  (primary or secondary)
RequestFailed 429 without rate-limit headers -> RateLimited(retry_after_s=60)
RequestFailed 401 / 403                      -> PermissionDenied
RequestFailed 404                            -> NotFound
RequestFailed 5xx, RequestTimeout, RequestError (transport) -> GitHubUnavailable
anything else githubkit raises               -> GitHubError
"""

from __future__ import annotations

import json

from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed

from bot.errors import GitHubError, GitHubUnavailable, NotFound, PermissionDenied, RateLimited

__all__ = ["MIN_RETRY_AFTER_S", "is_unauthorized", "to_bot_error"]

MIN_RETRY_AFTER_S = 1.0
DEFAULT_RETRY_AFTER_S = 60.0


def is_unauthorized(exc: BaseException) -> bool:
    """True for a 401 answer (also from the token exchange): a token or JWT was revoked or has expired."""
    if isinstance(exc, RequestError) and not isinstance(exc, RequestFailed):
        return isinstance(exc.exc, BaseException) and is_unauthorized(exc.exc)
    return isinstance(exc, RequestFailed) and exc.response.status_code == 401


def _describe(exc: RequestFailed) -> str:
    request = exc.request
    try:
        message = json.loads(exc.response.raw_response.content).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"{request.method} {request.url.path} -> {exc.response.status_code}: {message}".rstrip(": ")


def to_bot_error(exc: GitHubException) -> GitHubError:
    """The bot error for a githubkit failure (raise it `from exc`)."""
    if isinstance(exc, RateLimitExceeded):
        wait = max(exc.retry_after.total_seconds(), MIN_RETRY_AFTER_S)
        return RateLimited(_describe(exc), retry_after_s=wait, status=exc.response.status_code)
    if isinstance(exc, RequestFailed):
        return _status_error(exc)
    if isinstance(exc, RequestError) and isinstance(exc.exc, GitHubException):
        return to_bot_error(exc.exc)  # raised inside the auth flow (the token exchange), wrapped by githubkit
    if isinstance(exc, RequestError):
        return GitHubUnavailable(f"GitHub unreachable: {type(exc.exc).__name__}")
    return GitHubError(f"GitHub client error: {type(exc).__name__}: {exc}")


def _status_error(exc: RequestFailed) -> GitHubError:
    status = exc.response.status_code
    message = _describe(exc)
    if status == 429:
        return RateLimited(message, retry_after_s=DEFAULT_RETRY_AFTER_S, status=status)
    if status in (401, 403):
        return PermissionDenied(message, status=status)
    if status == 404:
        return NotFound(message, status=status)
    if status >= 500:
        return GitHubUnavailable(message, status=status)
    return GitHubError(message, status=status)
