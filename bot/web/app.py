"""The Starlette app: POST /webhooks, GET /healthz, /readyz, /metrics."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import structlog
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.errors import (
    BadSignature,
    MalformedPayload,
    NotInstalled,
    PayloadTooLarge,
    ServiceUnavailable,
    WebhookRejected,
)
from bot.events import WebhookEvent
from bot.handlers import build_router
from bot.intake import Intake
from bot.metrics import Metrics
from bot.routing import RoutingContext
from bot.settings import Settings
from bot.store import Store
from bot.web.signature import verify_signature

__all__ = ["create_app"]

log = structlog.get_logger()


class State(TypedDict):
    intake: Intake
    store: Store
    redis: ArqRedis
    metrics: Metrics


def create_app(settings: Settings, *, metrics: Metrics | None = None) -> Starlette:
    """Build the web app; Redis and the store are opened by the lifespan, not here."""
    if settings.redis_url is None:
        raise ValueError("create_app needs settings.redis_url (`organic-pr dev` starts a local Redis for you)")
    secret = settings.github_webhook_secret.get_secret_value()
    metrics = metrics or Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        store = Store(settings.database_url)
        await store.migrate()
        redis = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""))
        ctx = RoutingContext(trigger_label=settings.trigger_label, app_slug=settings.github_app_slug)
        intake = Intake(store, redis, build_router(), ctx, ttl_s=settings.delivery_ttl_s, metrics=metrics)
        try:
            yield {"intake": intake, "store": store, "redis": redis, "metrics": metrics}
        finally:
            await redis.aclose()
            await store.aclose()

    async def webhook(request: Request) -> Response:
        try:
            body = await _read_capped(request, settings.max_webhook_bytes)
            verify_signature(body, request.headers.get("x-hub-signature-256"), secret)
            event = _parse_event(request, body)
            if event.name == "ping":
                return JSONResponse({"msg": "pong"}, status_code=200)
            intake: Intake = request.state.intake
            if event.installation_id is None and intake.router.knows(event.name):
                raise NotInstalled("an App delivery of a handled event must name its installation")
            with structlog.contextvars.bound_contextvars(
                delivery_id=event.delivery_id, installation_id=event.installation_id, repo=event.repo
            ):
                result = await intake.accept(event)
        except WebhookRejected as exc:
            return _rejected(request, exc, metrics)
        except ServiceUnavailable as exc:
            log.error("webhook.unavailable", error=str(exc))
            return JSONResponse({"error": "temporarily unavailable, redeliver later"}, status_code=503)
        except Exception:
            log.exception("webhook.crashed")
            return JSONResponse({"error": "internal error"}, status_code=500)
        status = 200 if result.outcome == "duplicate" else 202
        return JSONResponse({"outcome": result.outcome.value, "jobs": list(result.job_ids)}, status_code=status)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        problems = await _readiness_problems(request.state.store, request.state.redis)
        return JSONResponse({"ready": not problems, "problems": problems}, status_code=503 if problems else 200)

    async def metrics_endpoint(request: Request) -> Response:
        try:
            metrics.queue_depth.set(await request.state.redis.zcard("arq:queue"))
        except Exception as exc:  # metrics still render when Redis is down
            log.warning("metrics.queue_depth_unavailable", error=type(exc).__name__)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/webhooks", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"body over {cap} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"body over {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_event(request: Request, body: bytes) -> WebhookEvent:
    name, delivery_id = request.headers.get("x-github-event"), request.headers.get("x-github-delivery")
    if not name or not delivery_id or len(delivery_id) > 64:
        raise MalformedPayload("X-GitHub-Event and X-GitHub-Delivery headers are required")
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload("body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedPayload("body is not a JSON object")
    return WebhookEvent(name=name, delivery_id=delivery_id, payload=payload)


def _rejected(request: Request, exc: WebhookRejected, metrics: Metrics) -> Response:
    event = request.headers.get("x-github-event", "unknown")
    outcome = "bad_signature" if isinstance(exc, BadSignature) else "rejected"
    metrics.deliveries.labels(event, outcome).inc()
    log.warning("webhook.rejected", reason=str(exc), status=exc.status_code, github_event=event)
    return JSONResponse({"error": str(exc)}, status_code=exc.status_code)


async def _readiness_problems(store: Store, redis: ArqRedis) -> list[str]:
    problems = []
    try:
        await redis.ping()
    except Exception as exc:
        problems.append(f"redis: {type(exc).__name__}")
    try:
        await store.ping()
    except Exception as exc:
        problems.append(f"store: {type(exc).__name__}")
    return problems
