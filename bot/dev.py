"""Local mode: a first-run config with a random webhook secret, a private Redis, and web + worker in one process."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

import click
import uvicorn

from bot.localredis import start_redis
from bot.logging import configure_logging
from bot.settings import Settings
from bot.web.app import create_app
from bot.worker import build_worker

__all__ = ["LOCAL_CONFIG", "ensure_local_config", "run_dev", "startup_report"]

LOCAL_CONFIG = Path("organic-pr.local.env")


def ensure_local_config(path: Path = LOCAL_CONFIG) -> bool:
    """Create `path` with a random webhook secret unless the secret is already configured; True if created."""
    if os.environ.get("GITHUB_WEBHOOK_SECRET") or path.exists():
        return False
    path.write_text(
        "# Created by `organic-pr dev` on first run. Paste the secret into your GitHub App's webhook settings.\n"
        f"GITHUB_WEBHOOK_SECRET={secrets.token_hex(32)}\n"
        "# GITHUB_APP_ID=\n# GITHUB_APP_PRIVATE_KEY_FILE=\n"
    )
    path.chmod(0o600)
    return True


def startup_report(settings: Settings, *, config_file: Path | None) -> str:
    """What a person needs to read when the bot starts: where it listens and what is still missing."""
    url = f"http://{settings.host}:{settings.port}"
    lines = [
        f"Organic PR is listening on {url}",
        f"  webhook URL for your GitHub App: {url}/webhooks (expose it with a tunnel for github.com)",
        f"  health: {url}/healthz  readiness: {url}/readyz  metrics: {url}/metrics",
        f"  store: {settings.database_url}  redis: {settings.redis_url}",
    ]
    if config_file is not None:
        lines.append(f"  webhook secret: in {config_file} (GITHUB_WEBHOOK_SECRET); use the same value in the App")
    missing = settings.missing_github_settings()
    if missing:
        lines.append(f"  not configured yet: {', '.join(missing)} — webhooks are verified and queued, but jobs that")
        lines.append("  need GitHub will fail saying so. Register the App with docs/app-manifest.json (see README).")
    if not settings.llm_base_url:
        lines.append("  no model: set LLM_BASE_URL, LLM_API_KEY, LLM_MODEL to let the bot write fixes")
    return "\n".join(lines)


async def _serve_both(settings: Settings) -> None:
    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    server = uvicorn.Server(config)
    worker = build_worker(settings)
    worker_task = asyncio.create_task(worker.async_run())
    try:
        await server.serve()
    finally:
        worker_task.cancel()
        await worker.close()


def run_dev(host: str | None, port: int | None) -> None:
    created = ensure_local_config()
    overrides: dict[str, Any] = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = Settings(_env_file=LOCAL_CONFIG if LOCAL_CONFIG.exists() else None, **overrides)  # type: ignore[call-arg]
    configure_logging(json=settings.log_json)
    local_redis = None
    if settings.redis_url is None:
        local_redis = start_redis(Path("var/redis"), persist=True)
        settings = settings.model_copy(update={"redis_url": local_redis.url})
    if created:
        click.echo(f"First run: created {LOCAL_CONFIG} with a random webhook secret.")
    click.echo(startup_report(settings, config_file=LOCAL_CONFIG if LOCAL_CONFIG.exists() else None))
    try:
        asyncio.run(_serve_both(settings))
    finally:
        if local_redis is not None:
            local_redis.stop()
