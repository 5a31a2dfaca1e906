"""Turn a verified delivery into jobs exactly once: store row, Redis SET NX, arq `_job_id`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

from bot.errors import ServiceUnavailable
from bot.events import JobRequest, WebhookEvent
from bot.metrics import Metrics
from bot.routing import Router, RoutingContext
from bot.store import Store
from bot.store.models import DeliveryOutcome, Job

__all__ = ["DELIVERY_KEY", "Intake", "IntakeOutcome", "IntakeResult"]

log = structlog.get_logger()

DELIVERY_KEY = "organic-pr:delivery:{}"
PENDING, DONE = b"pending", b"done"


class IntakeOutcome(enum.StrEnum):
    ENQUEUED = "enqueued"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class IntakeResult:
    outcome: IntakeOutcome
    job_ids: tuple[str, ...] = ()


class Intake:
    """The delivery pipeline behind POST /webhooks. It never calls GitHub.

    A delivery's Redis key is "pending" while its jobs are being enqueued and "done" after: a redelivery that
    finds "pending" (an earlier attempt died half-way) enqueues again, and arq's `_job_id` collapses the copies.
    """

    def __init__(
        self, store: Store, redis: ArqRedis, router: Router, ctx: RoutingContext, *, ttl_s: int, metrics: Metrics
    ) -> None:
        self.store, self.redis, self.router, self.ctx = store, redis, router, ctx
        self.ttl_s, self.metrics = ttl_s, metrics

    async def accept(self, event: WebhookEvent) -> IntakeResult:
        """Enqueue, then record; raise ServiceUnavailable when Redis or the store is down (nothing is dropped)."""
        jobs = self.router.dispatch(event, self.ctx)
        if not jobs:
            await self._record(event, DeliveryOutcome.IGNORED, [], reason=self._why_ignored(event))
            return self._done(event, IntakeResult(IntakeOutcome.IGNORED))
        key = DELIVERY_KEY.format(event.delivery_id)
        try:
            acquired = await self.redis.set(key, PENDING, nx=True, ex=self.ttl_s)
            if not acquired and await self.redis.get(key) == DONE:
                return self._done(event, IntakeResult(IntakeOutcome.DUPLICATE))
            job_ids = [await self._enqueue(event, request) for request in jobs]
            # The key turns "done" only once the store has the rows: a store failure leaves it "pending", so a
            # redelivery enqueues again (arq collapses the copy) and records what is missing.
            await self._record(event, DeliveryOutcome.ENQUEUED, jobs)
            await self.redis.set(key, DONE, ex=self.ttl_s)
        except RedisError as exc:
            raise ServiceUnavailable(f"redis unreachable: {type(exc).__name__}") from exc
        return self._done(event, IntakeResult(IntakeOutcome.ENQUEUED, tuple(job_ids)))

    async def _enqueue(self, event: WebhookEvent, request: JobRequest) -> str:
        job_id = request.job_id(event.delivery_id)
        await self.redis.enqueue_job(request.function, _job_id=job_id, **request.kwargs)
        return job_id

    async def _record(
        self, event: WebhookEvent, outcome: DeliveryOutcome, jobs: list[JobRequest], *, reason: str | None = None
    ) -> None:
        rows = [self._job_row(event, request, request.job_id(event.delivery_id)) for request in jobs]
        await self.store.record_delivery(
            event.delivery_id,
            event.name,
            event.action,
            installation_id=event.installation_id,
            repo=event.repo,
            jobs=rows,
            outcome=outcome,
            reason=reason,
        )

    def _job_row(self, event: WebhookEvent, request: JobRequest, job_id: str) -> Job:
        return Job(
            id=job_id,
            kind=request.function,
            installation_id=event.installation_id,
            repo_full_name=event.repo,
            target_number=request.target_number,
            delivery_id=event.delivery_id,
        )

    def _why_ignored(self, event: WebhookEvent) -> str:
        if not self.router.knows(event.name):
            return f"event {event.name!r} is not handled"
        if event.sender_is_bot:
            return "sender is a bot"
        return f"nothing to do for {event.name}.{event.action}"

    def _done(self, event: WebhookEvent, result: IntakeResult) -> IntakeResult:
        self.metrics.deliveries.labels(event.name, result.outcome.value).inc()
        log.info(
            "webhook.accepted",
            github_event=event.name,
            action=event.action,
            outcome=result.outcome.value,
            jobs=list(result.job_ids),
        )
        return result
