"""The arq worker: job functions, and the services they share, built once at startup."""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings
from arq.cron import cron
from arq.worker import Worker, func

from bot.campaigns.run import run_campaign
from bot.campaigns.tick import campaign_tick
from bot.errors import ConfigError
from bot.jobs.control import cancel_target, rerun_check, run_command
from bot.jobs.fix import fix_issue
from bot.jobs.records import record_pr_outcome, refresh_memory, sync_installation
from bot.jobs.revise import revise_pr
from bot.metrics import Metrics
from bot.settings import Settings
from bot.store import Store
from bot.types import GitHubFactory, GitHubPort

__all__ = ["JOB_FUNCTIONS", "UnconfiguredGitHub", "build_worker"]

JOB_FUNCTIONS = (
    fix_issue,
    cancel_target,
    run_command,
    rerun_check,
    record_pr_outcome,
    refresh_memory,
    revise_pr,
    sync_installation,
    run_campaign,
    campaign_tick,
)


class UnconfiguredGitHub:
    """Stands where the GitHub client would be when the App is not configured: every job that needs it says why."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing

    def installation(self, installation_id: int) -> GitHubPort:
        raise ConfigError(f"the GitHub App is not configured: set {', '.join(self.missing)}")

    async def installation_token(self, installation_id: int) -> str:
        raise ConfigError(f"the GitHub App is not configured: set {', '.join(self.missing)}")


def default_github(settings: Settings, redis: Any) -> GitHubFactory:
    missing = settings.missing_github_settings()
    if missing:
        return UnconfiguredGitHub(missing)
    from bot.github import GitHubApp, ThrottlePolicy

    policy = ThrottlePolicy(
        write_gap_s=settings.github_write_gap_s,
        content_gap_s=settings.github_content_gap_s,
        lock_ttl_s=settings.github_throttle_lock_ttl_s,
    )
    return GitHubApp(
        app_id=settings.github_app_id or 0,
        private_key=settings.private_key() or "",
        redis=redis,
        base_url=settings.github_api_url,
        throttle=policy,
    )


def build_worker(
    settings: Settings,
    *,
    github: GitHubFactory | None = None,
    burst: bool = False,
    metrics: Metrics | None = None,
    poll_delay_s: float = 0.5,
) -> Worker:
    """An arq Worker for all job functions; `github` overrides the App client (tests point it at the stand-in)."""
    if settings.redis_url is None:
        raise ValueError("the worker needs settings.redis_url")

    async def on_startup(ctx: dict[str, Any]) -> None:
        store = Store(settings.database_url)
        await store.migrate()
        ctx.update(settings=settings, store=store, metrics=metrics or Metrics())
        ctx["github"] = github or default_github(settings, ctx["redis"])

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "store" in ctx:
            await ctx["store"].aclose()

    return Worker(
        functions=[func(f, name=f.__name__) for f in JOB_FUNCTIONS],
        # the campaign tick runs every minute on long-running workers; a burst run only drains the queue
        cron_jobs=[cron(campaign_tick, name="cron:campaign_tick", second=0, unique=True)]
        if settings.campaigns_enabled and not burst
        else None,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        burst=burst,
        poll_delay=poll_delay_s,
        job_timeout=settings.job_timeout_s,
        max_tries=settings.job_max_tries,
        keep_result=settings.delivery_ttl_s,
        handle_signals=not burst,
    )
