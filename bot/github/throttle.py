"""A Redis-backed write throttle for one installation, plugged into githubkit's `BaseThrottler` hook.

Writes (POST, PATCH, PUT, DELETE) for the same installation go one at a time across every worker, each
starting at least `write_gap_s` after the previous write finished, and content-creating writes (new
issues, comments, pull requests, reviews) at least `content_gap_s` after the previous content-creating
write. Reads are not throttled. Times come from the Redis server's clock, so all workers agree.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import redis.exceptions
from githubkit.throttling import BaseThrottler
from redis.asyncio import Redis

from bot.errors import GitHubUnavailable, ServiceUnavailable

__all__ = ["RedisWriteThrottler", "ThrottlePolicy", "is_content_creating", "is_write", "seconds_to_wait"]

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_CONTENT_ROUTE = re.compile(r"/repos/[^/]+/[^/]+/(issues|pulls)(/\d+/(comments|reviews)(/\d+/replies)?)?$")


@dataclass(frozen=True)
class ThrottlePolicy:
    """Spacing between writes; the defaults follow GitHub's secondary-rate-limit guidance."""

    write_gap_s: float = 1.0
    content_gap_s: float = 3.0
    lock_ttl_s: float = 120.0  # a dead worker's hold on the installation expires after this
    wait_timeout_s: float = 300.0  # give up waiting for the installation's write slot after this
    poll_s: float = 0.05
    key_prefix: str = "organic-pr:throttle"


def is_write(method: str) -> bool:
    return method.upper() in WRITE_METHODS


def is_content_creating(method: str, path: str) -> bool:
    """POSTs that create issues, issue comments, pull requests, reviews, review comments or replies."""
    return method.upper() == "POST" and _CONTENT_ROUTE.search(path) is not None


def seconds_to_wait(
    now: float, last_write: float | None, last_content: float | None, *, content: bool, policy: ThrottlePolicy
) -> float:
    """How long a write must wait, given when the previous write and content write finished."""
    due = [0.0]
    if last_write is not None:
        due.append(last_write + policy.write_gap_s - now)
    if content and last_content is not None:
        due.append(last_content + policy.content_gap_s - now)
    return max(due)


class RedisWriteThrottler(BaseThrottler):
    """One write at a time per installation, spaced by `policy`; async use only."""

    def __init__(self, redis: Redis, installation_id: int, policy: ThrottlePolicy | None = None) -> None:
        self.redis = redis
        self.policy = policy or ThrottlePolicy()
        base = f"{self.policy.key_prefix}:{installation_id}"
        self._lock_key, self._write_key, self._content_key = f"{base}:lock", f"{base}:write", f"{base}:content"

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        raise RuntimeError("RedisWriteThrottler is async-only; use the async githubkit methods")
        yield  # pragma: no cover

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        if not is_write(request.method):
            yield
            return
        content = is_content_creating(request.method, request.url.path)
        lock = self.redis.lock(
            self._lock_key,
            timeout=self.policy.lock_ttl_s,
            sleep=self.policy.poll_s,
            blocking_timeout=self.policy.wait_timeout_s,
        )
        try:
            if not await lock.acquire():
                raise GitHubUnavailable("timed out waiting for the installation's write slot")
            await anyio.sleep(await self._wait(content))
        except redis.exceptions.RedisError as exc:
            raise ServiceUnavailable(f"write throttle: {type(exc).__name__}") from exc
        try:
            yield
        finally:
            await self._release(lock, content)

    async def _now(self) -> float:
        seconds, micros = await self.redis.time()
        return float(seconds) + float(micros) / 1e6

    async def _wait(self, content: bool) -> float:
        last_write, last_content = await self.redis.mget(self._write_key, self._content_key)
        return seconds_to_wait(
            await self._now(),
            float(last_write) if last_write is not None else None,
            float(last_content) if last_content is not None else None,
            content=content,
            policy=self.policy,
        )

    async def _release(self, lock: Any, content: bool) -> None:
        try:
            stamp = await self._now()
            keep = int(max(self.policy.write_gap_s, self.policy.content_gap_s)) + 60
            await self.redis.set(self._write_key, repr(stamp), ex=keep)
            if content:
                await self.redis.set(self._content_key, repr(stamp), ex=keep)
        finally:
            try:
                await lock.release()
            except redis.exceptions.LockError:
                pass  # held past lock_ttl_s: another worker may already own the slot
