"""The arq cron tick: per installation, read the org's campaigns and enqueue each due slot's run exactly once.

The store's `campaign_runs` row, unique per (installation, campaign, slot), is the idempotency key: a tick that
runs twice, on two workers, or after a restart claims nothing new. A claimed run still `queued` is enqueued
again under the same arq job id, which arq deduplicates, so a crash between claim and enqueue loses nothing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import structlog

from bot.campaigns import render
from bot.campaigns.config import Campaign, Problem, parse_campaigns
from bot.campaigns.github import read_file, upsert_issue
from bot.campaigns.schedule import latest_slot, parse_cron, slot_key
from bot.errors import ConfigError, GitHubError
from bot.store import Store
from bot.store.campaigns import active_installations, campaign_row, claim_run, run_row, set_dashboard

__all__ = ["ORG_CONFIG_PATHS", "campaign_tick", "org_config", "run_job_id"]

log = structlog.get_logger()
ORG_CONFIG_PATHS = ("organic-pr.yml", ".github/organic-pr.yml")
PROBLEM_KEY = "organic-pr:campaign-problem:{}"
PROBLEM_TTL_S = 24 * 3600


def run_job_id(installation_id: int, campaign: str, slot: str) -> str:
    return f"campaign:{installation_id}:{campaign}:{slot}"


async def org_config(gh: Any, org: str) -> str | None:
    """The org's organic-pr.yml from its `.github` repository (None when there is none)."""
    for path in ORG_CONFIG_PATHS:
        text = await read_file(gh, f"{org}/.github", path)
        if text is not None:
            return text
    return None


async def campaign_tick(ctx: dict[str, Any], *, now: str | None = None) -> str:
    """Enqueue the run of every due campaign slot; `now` (ISO 8601) replaces the clock (tests, manual runs)."""
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    store: Store = ctx["store"]
    enqueued = 0
    for inst in await active_installations(store):
        try:
            gh = ctx["github"].installation(inst.id)
            text = await org_config(gh, inst.account_login)
        except (GitHubError, ConfigError) as exc:
            log.warning("campaign.config_unreadable", installation_id=inst.id, error=str(exc))
            continue
        found = parse_campaigns(text)
        for problem in found.problems:
            await _report_problem(ctx, gh, inst.id, inst.account_login, problem)
        for campaign in found.campaigns:
            enqueued += await _enqueue_if_due(ctx, inst.id, campaign, moment)
    return f"{enqueued} campaign run(s) enqueued"


async def _enqueue_if_due(ctx: dict[str, Any], installation_id: int, campaign: Campaign, moment: datetime) -> int:
    slot = latest_slot(parse_cron(campaign.schedule), moment)
    if slot is None:
        return 0
    key = slot_key(slot)
    job_id = run_job_id(installation_id, campaign.name, key)
    store: Store = ctx["store"]
    claimed = await claim_run(store, installation_id, campaign.name, key, job_id=job_id)
    if not claimed:
        row = await run_row(store, installation_id, campaign.name, key)
        if row is None or row.state != "queued":
            return 0
    job = await ctx["redis"].enqueue_job(
        "run_campaign", installation_id=installation_id, campaign=campaign.name, slot=key, _job_id=job_id
    )
    if job is not None:
        log.info("campaign.enqueued", installation_id=installation_id, campaign=campaign.name, slot=key)
    return 1 if job is not None else 0


async def _report_problem(ctx: dict[str, Any], gh: Any, installation_id: int, org: str, problem: Problem) -> None:
    """Log an invalid campaign, and show it on its dashboard; once a day per distinct problem."""
    digest = hashlib.sha256(f"{installation_id}:{problem.name}:{problem.message}".encode()).hexdigest()[:32]
    if not await ctx["redis"].set(PROBLEM_KEY.format(digest), "1", nx=True, ex=PROBLEM_TTL_S):
        return
    log.warning(
        "campaign.config_invalid", installation_id=installation_id, campaign=problem.name, error=problem.message
    )
    if problem.name is None:
        return
    store: Store = ctx["store"]
    known = (await campaign_row(store, installation_id, problem.name)).dashboard_issue
    body = render.dashboard_body(problem.name, "", [], slot="not run", problem=problem.message)
    try:
        number, _ = await upsert_issue(
            gh,
            f"{org}/.github",
            marker=render.dashboard_marker(problem.name),
            title=render.dashboard_title(problem.name),
            body=body,
            known=known,
        )
    except GitHubError as exc:
        log.warning("campaign.dashboard_unwritable", campaign=problem.name, error=str(exc))
        return
    await set_dashboard(store, installation_id, problem.name, number)
