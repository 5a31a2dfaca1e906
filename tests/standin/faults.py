"""Fault injection for the stand-in: rate limits, server errors and a 401 right after a token is minted.

    state.faults.secondary_rate_limit(retry_after_s=7)            # next API request: 403 + retry-after
    state.faults.primary_rate_limit(reset_in_s=30, status=429)    # x-ratelimit-remaining: 0 + reset
    state.faults.server_error(status=502, count=2)
    state.faults.unauthorized_after_mint()                         # first use of the next minted token: 401

Each fault matches API requests (never git traffic or the token exchange, unless `path_contains` says so)
optionally filtered by method and a path substring, and is used up after `count` matches.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

__all__ = ["Fault", "Faults"]

SECONDARY_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
PRIMARY_MESSAGE = "API rate limit exceeded for installation."


@dataclass
class Fault:
    kind: str  # secondary | primary | server | unauthorized
    status: int
    count: int = 1
    method: str | None = None
    path_contains: str | None = None
    retry_after_s: int = 0
    reset_at: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.path_contains is not None:
            return self.path_contains in path
        return not path.endswith("/access_tokens")


class Faults:
    """A queue of pending faults, consumed by the stand-in as requests arrive."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[Fault] = []
        self._lock = threading.Lock()

    def secondary_rate_limit(
        self, *, retry_after_s: int = 60, count: int = 1, method: str | None = None, path_contains: str | None = None
    ) -> None:
        self._add(Fault("secondary", 403, count, method, path_contains, retry_after_s=retry_after_s))

    def primary_rate_limit(
        self,
        *,
        reset_in_s: int = 60,
        status: int = 403,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        reset_at = int(time.time()) + reset_in_s
        self._add(Fault("primary", status, count, method, path_contains, reset_at=reset_at))

    def server_error(
        self, *, status: int = 500, count: int = 1, method: str | None = None, path_contains: str | None = None
    ) -> None:
        self._add(Fault("server", status, count, method, path_contains))

    def unauthorized_after_mint(self, *, count: int = 1) -> None:
        """The next token minted is revoked on its first API use, which answers 401 Bad credentials."""
        self._add(Fault("unauthorized", 401, count))

    def take(self, method: str, path: str, *, fresh_token: bool) -> Fault | None:
        """The fault to apply to this request, if any (unauthorized faults wait for a freshly minted token)."""
        with self._lock:
            for fault in self.pending:
                if fault.kind == "unauthorized" and not fresh_token:
                    continue
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.pending.remove(fault)
                    self.fired.append(fault)
                    return fault
        return None

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self.pending.append(fault)
