"""One job's life: claim the target lock, resume from checkpoints, map outcomes, never lose the job."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from arq import Retry
from redis.asyncio import Redis

from bot.errors import GitHubUnavailable, JobCancelled, RateLimited, ServiceUnavailable
from bot.metrics import Metrics
from bot.store import Store
from bot.store.models import Job, JobState

__all__ = ["JobContext", "TargetBusy", "run_job", "target_lock"]

log = structlog.get_logger()
T = TypeVar("T")
LOCK_KEY = "organic-pr:lock:{}"
BUSY_RETRY_S = 5.0


class TargetBusy(Exception):
    """Another job holds this target's lock."""


@dataclass
class JobContext:
    """What a job body gets: its row, the store, and checkpointed stages."""

    job: Job
    store: Store
    services: dict[str, Any]

    @property
    def id(self) -> str:
        return self.job.id

    async def stage(self, name: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run `name` once across retries: a finished stage returns its recorded value without running again."""
        if name in self.job.checkpoints:
            log.info("job.stage_skipped", stage=name)
            return self.job.checkpoints[name]  # type: ignore[no-any-return]
        await self.raise_if_cancelled()
        value = await run()
        await self.store.checkpoint(self.job.id, name, value)
        self.job.checkpoints = {**self.job.checkpoints, name: value}
        return value

    async def raise_if_cancelled(self) -> None:
        """A safe point: cooperative cancellation is observed here."""
        if await self.store.is_cancel_requested(self.job.id):
            raise JobCancelled("cancellation requested")


@contextlib.asynccontextmanager
async def target_lock(redis: Redis, target: str, *, ttl_s: int, owner: str) -> AsyncIterator[None]:
    """One active job per target; the lock expires if the worker dies and is renewed while it lives."""
    key = LOCK_KEY.format(target)
    if not await redis.set(key, owner, nx=True, ex=ttl_s) and await redis.get(key) != owner.encode():
        raise TargetBusy(target)
    await redis.expire(key, ttl_s)

    async def renew() -> None:
        while True:
            await asyncio.sleep(ttl_s / 3)
            await redis.expire(key, ttl_s)

    renewer = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        if await redis.get(key) == owner.encode():
            await redis.delete(key)


async def run_job(
    ctx: dict[str, Any],
    kind: str,
    target: str | None,
    body: Callable[[JobContext], Awaitable[str | None]],
    **row: Any,
) -> str:
    """The arq-facing wrapper: returns the final state, raises arq.Retry for transient trouble.

    `row` (installation_id, repo_full_name, target_number) fills the job's row when the worker gets to the job
    before the intake has recorded it."""
    store: Store = ctx["store"]
    job_id, attempt = ctx["job_id"], ctx.get("job_try", 1)
    job = await _load_or_create(store, Job(id=job_id, kind=kind, **row))
    if JobState(job.state).finished:
        return job.state  # a duplicate run of a finished job does nothing
    started = time.monotonic()
    with structlog.contextvars.bound_contextvars(
        job_id=job_id,
        kind=kind,
        repo=job.repo_full_name,
        installation_id=job.installation_id,
        delivery_id=job.delivery_id,
    ):
        state, error = await _execute(ctx, store, job_id, attempt, target, body)
        await store.finish_job(job_id, state, error=error)
        metrics: Metrics = ctx["metrics"]
        metrics.jobs.labels(kind, state.value).inc()
        metrics.job_duration.labels(kind, state.value).observe(time.monotonic() - started)
        log.info("job.finished", state=state.value, error=error)
        return state.value


async def _execute(
    ctx: dict[str, Any],
    store: Store,
    job_id: str,
    attempt: int,
    target: str | None,
    body: Callable[[JobContext], Awaitable[str | None]],
) -> tuple[JobState, str | None]:
    try:
        async with _maybe_lock(ctx, target, job_id):
            job = await store.start_job(job_id, attempt)
            log.info("job.started", attempt=attempt, resumed=bool(job.checkpoints))
            note = await body(JobContext(job=job, store=store, services=ctx))
            return (JobState.REFUSED, note) if note and note.startswith("refused:") else (JobState.SUCCEEDED, note)
    except JobCancelled as exc:
        return JobState.CANCELLED, str(exc)
    except TargetBusy:
        await _retry(store, job_id, BUSY_RETRY_S, "target busy")
    except RateLimited as exc:
        await _retry(store, job_id, exc.retry_after_s, "rate limited")
    except (GitHubUnavailable, ServiceUnavailable) as exc:
        await _retry(store, job_id, min(5.0 * attempt, 60.0), f"transient: {exc}")
    except Exception as exc:
        log.exception("job.crashed")
        return JobState.FAILED, f"{type(exc).__name__}: {exc}"
    raise AssertionError("unreachable")  # pragma: no cover


async def _retry(store: Store, job_id: str, defer_s: float, why: str) -> None:
    log.warning("job.deferred", defer_s=defer_s, reason=why)
    with contextlib.suppress(ServiceUnavailable):
        await store.finish_job(job_id, JobState.RETRYING, error=why)
    raise Retry(defer=max(defer_s, 0.1))


@contextlib.asynccontextmanager
async def _maybe_lock(ctx: dict[str, Any], target: str | None, job_id: str) -> AsyncIterator[None]:
    if target is None:
        yield
        return
    async with target_lock(ctx["redis"], target, ttl_s=ctx["settings"].job_lock_ttl_s, owner=job_id):
        yield


async def _load_or_create(store: Store, fresh: Job) -> Job:
    job = await store.get_job(fresh.id)
    return job if job is not None else await store.create_job(fresh)
