"""`run_campaign`: one due slot of one campaign for one installation.

config -> resolve the target versions -> scan the repositories (declarations on each default branch) ->
dependency order -> per campaign unit and repository, in that order: refresh what GitHub says of its PR, decide
under the limits and budget, run the repository's checkpointed migration job inline (so a retry resumes it) ->
save its state -> edit the dashboard issue in place.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from arq import Retry

from bot.campaigns import render
from bot.campaigns.config import Campaign, parse_campaigns
from bot.campaigns.github import installation_repos, upsert_issue
from bot.campaigns.graph import dependency_order
from bot.campaigns.migrate import RepoTask, index_of, migrate_repo
from bot.campaigns.releases import resolve_version
from bot.campaigns.rollout import Action, Counters, Record, Status, decide, target_key
from bot.campaigns.scan import describe, read_declarations
from bot.campaigns.tick import org_config
from bot.errors import RateLimited
from bot.github.git import GitWorkspace
from bot.jobs.lifecycle import JobContext, run_job
from bot.pipeline.publish import clone_url
from bot.store.campaigns import (
    TargetRow,
    campaign_row,
    finish_run,
    save_target,
    set_dashboard,
    set_run_state,
    target_counts,
    targets_of,
)

__all__ = ["run_campaign"]

log = structlog.get_logger()


async def run_campaign(ctx: dict[str, Any], *, installation_id: int, campaign: str, slot: str) -> str:
    async def body(jc: JobContext) -> str | None:
        await set_run_state(jc.store, jc.id, "running")
        summary = await _run(jc, installation_id, campaign, slot)
        await finish_run(jc.store, jc.id, state="done", summary=summary)
        return f"{campaign}: " + ", ".join(f"{n} {s}" for s, n in sorted(summary.get("statuses", {}).items()))

    return await run_job(
        ctx, "campaign", f"campaign:{installation_id}:{campaign}", body, installation_id=installation_id
    )


async def _run(jc: JobContext, installation_id: int, name: str, slot: str) -> dict[str, Any]:
    inst = await jc.store.get_installation(installation_id)
    org = inst.account_login if inst else ""
    gh = jc.services["github"].installation(installation_id)
    campaign = await jc.stage("config", lambda: _config(gh, org, name))
    if campaign is None:
        return {"note": "the campaign is no longer configured"}
    spec = Campaign.model_validate(campaign)
    settings = jc.services["settings"]
    targets = await jc.stage("resolve", lambda: _resolve(spec, settings))
    facts = await jc.stage("scan", lambda: _scan(jc, gh, installation_id, org, spec))
    order = dependency_order(describe_all(facts, spec))
    queue = [(unit, repo) for unit, _ in spec.units() for repo in order.repos]
    rows: list[dict[str, Any]] = []

    async def finished(row: dict[str, Any]) -> None:
        """The dashboard after each repository: the rows done, then the ones this run has not reached."""
        rows.append(row)
        waiting = [_waiting_row(spec, unit, repo) for unit, repo in queue[len(rows) :]]
        await _dashboard(jc, gh, installation_id, org, spec, targets, rows + waiting, slot, order.cycles)

    for unit, packages in spec.units():
        unit_targets = {p.name: targets[p.name] for p in packages}
        await _roll_out(jc, gh, installation_id, spec, unit, unit_targets, order.repos, facts, finished)
    if not rows:
        await _dashboard(jc, gh, installation_id, org, spec, targets, rows, slot, order.cycles)
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return {"statuses": statuses, "order": order.repos, "cycles": order.cycles, "targets": targets}


WAITING = "waiting for its turn in this run"


def _label(spec: Campaign, unit: str, repo: str) -> str:
    return repo if len(spec.units()) == 1 else f"{repo} ({unit})"


def _waiting_row(spec: Campaign, unit: str, repo: str) -> dict[str, Any]:
    return {"repo": _label(spec, unit, repo), "status": "planned", "reason": WAITING, "pr_number": None, "pr_url": None}


async def _config(gh: Any, org: str, name: str) -> dict[str, Any] | None:
    found = parse_campaigns(await org_config(gh, org))
    chosen = [c for c in found.campaigns if c.name == name]
    return chosen[0].model_dump() if chosen else None


async def _resolve(spec: Campaign, settings: Any) -> dict[str, str]:
    index = index_of(settings)
    return {p.name: await asyncio.to_thread(resolve_version, p.name, p.versions, index) for p in spec.packages}


async def _scan(jc: JobContext, gh: Any, installation_id: int, org: str, spec: Campaign) -> dict[str, Any]:
    """Per selected repository: default branch, and the declaration files' texts."""
    ws = GitWorkspace(jc.services["settings"].workspace_dir)
    token = await jc.services["github"].installation_token(installation_id)
    found: dict[str, Any] = {}
    for repo in await installation_repos(gh):
        if repo.archived or repo.full_name == f"{org}/.github" or not spec.repos.selects(repo.full_name):
            continue
        mirror = await ws.sync_mirror(
            repo.full_name, clone_url(jc.services["settings"].github_git_url, repo.full_name), token
        )
        files = await read_declarations(ws, mirror, repo.default_branch)
        found[repo.full_name] = {"default_branch": repo.default_branch, "files": files}
    return found


def describe_all(facts: dict[str, Any], spec: Campaign) -> list[Any]:
    names = [p.name for p in spec.packages]
    return [describe(repo, data["files"], names).node for repo, data in sorted(facts.items())]


async def _records(gh: Any, store: Any, installation_id: int, campaign: str, unit: str) -> dict[str, Record]:
    """The stored state of each repository, with open PRs refreshed from GitHub (merged or closed since)."""
    rows = await targets_of(store, installation_id, campaign, unit)
    records: dict[str, Record] = {}
    for repo, row in rows.items():
        status = Status(row.status)
        if status == Status.PR_OPEN and row.pr_number is not None:
            owner, name = repo.split("/", 1)
            pr = await gh.get_pull(owner, name, row.pr_number)
            if pr.state == "closed":
                status = Status.MERGED if pr.merged else Status.CLOSED
                row.status = status.value
                await save_target(store, row)
                await _close_bot_pr(store, repo, row.pr_number, merged=status == Status.MERGED)
        records[repo] = Record(status, row.target, row.pr_number, row.pr_url, row.reason)
    return records


async def _close_bot_pr(store: Any, repo: str, number: int, *, merged: bool) -> None:
    """Closed on GitHub without the webhook reaching us: the bot's PR record follows, as record_pr_outcome does."""
    known = await store.find_bot_pr(repo, number)
    if known is not None and known.state == "open":
        await store.close_bot_pr(repo, number, merged=merged)


async def _roll_out(
    jc: JobContext,
    gh: Any,
    installation_id: int,
    spec: Campaign,
    unit: str,
    targets: dict[str, str],
    order: list[str],
    facts: dict[str, Any],
    finished: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    records = await _records(gh, jc.store, installation_id, spec.name, unit)
    versions = {repo: describe(repo, facts[repo]["files"], list(targets)).versions for repo in order}
    for repo in order:
        counters = Counters(*await target_counts(jc.store, installation_id, spec.name, now=datetime.now(UTC)))
        [decision] = decide(
            [repo], versions, records, targets, open_limit=spec.limits.open_prs, hourly_limit=spec.limits.prs_per_hour,
            budget_prs=spec.budget.prs, counters=counters,
        )  # fmt: skip
        row = await _carry_out(jc, installation_id, spec, unit, targets, repo, facts[repo], decision, records.get(repo))
        await finished({"repo": _label(spec, unit, repo), **row})


async def _carry_out(
    jc: JobContext, installation_id: int, spec: Campaign, unit: str, targets: dict[str, str], repo: str,
    facts: dict[str, Any], decision: Any, record: Record | None,
) -> dict[str, Any]:  # fmt: skip
    key = target_key(targets)
    keep = record if record is not None and decision.status in (Status.MERGED, Status.CLOSED) else None
    result: dict[str, Any] = {"status": decision.status.value, "reason": decision.reason}
    result |= {"pr_number": keep.pr_number if keep else None, "pr_url": keep.pr_url if keep else None}
    if decision.action != Action.NONE:
        spent = (await campaign_row(jc.store, installation_id, spec.name)).sandbox_s
        if spec.budget.sandbox_minutes is not None and spent >= spec.budget.sandbox_minutes * 60:
            result = {
                "status": "planned",
                "reason": f"waiting: the budget of {spec.budget.sandbox_minutes:g} sandbox minutes is used",
            }
            result |= {"pr_number": record.pr_number if record else None, "pr_url": record.pr_url if record else None}
            if record is not None and record.status == Status.PR_OPEN:
                result["status"] = "pr_open"
        else:
            task = RepoTask(installation_id, repo, facts["default_branch"], spec.name, unit, targets, spec.test)
            result = await _repo_job(jc, task, record)
    opened = datetime.now(UTC) if result.pop("opened", False) else None
    row = TargetRow(installation_id=installation_id, campaign=spec.name, unit=unit, repo=repo, target=key, **result)
    old = (await targets_of(jc.store, installation_id, spec.name, unit)).get(repo)
    row.opened_at = opened or (old.opened_at if old is not None else None)
    await save_target(jc.store, row)
    return result


async def _repo_job(jc: JobContext, task: RepoTask, record: Record | None) -> dict[str, Any]:
    """The repository's own job (own row, checkpoints and target lock), run inline; its outcome as a target row."""
    raw = f"{jc.id}:{task.repo}:{task.unit}"
    job_id = raw if len(raw) <= 128 else f"{jc.id[:80]}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"
    outcome: dict[str, Any] = {}

    async def body(sub: JobContext) -> str | None:
        outcome.update(await migrate_repo(sub, task))
        return f"{task.repo}: {outcome['status']} {outcome.get('reason', '')}".strip()

    sub_ctx = {**jc.services, "job_id": job_id, "job_try": 1}
    try:
        state = await run_job(sub_ctx, "campaign_repo", f"{task.repo}#campaign:{task.unit}", body,
                              installation_id=task.installation_id, repo_full_name=task.repo)  # fmt: skip
    except Retry as exc:
        raise RateLimited(f"{task.repo}: deferred", retry_after_s=(exc.defer_score or 1000) / 1000) from exc
    if not outcome:  # the job had finished before (a resumed campaign run): its checkpoints tell what it did
        job = await jc.store.get_job(job_id)
        pr = (job.checkpoints.get("pr") if job else None) or {}
        if pr:
            outcome = {"status": "pr_open", "reason": pr.get("note", ""), **pr}
        else:
            outcome = {"status": "failed", "reason": (job.error if job else None) or state}
    outcome.setdefault("pr_number", record.pr_number if record else None)
    outcome.setdefault("pr_url", record.pr_url if record else None)
    outcome["reason"] = outcome.get("reason") or ""
    return {k: outcome.get(k) for k in ("status", "reason", "pr_number", "pr_url", "opened")}


async def _dashboard(
    jc: JobContext, gh: Any, installation_id: int, org: str, spec: Campaign, targets: dict[str, str],
    rows: list[dict[str, Any]], slot: str, cycles: list[list[str]],
) -> None:  # fmt: skip
    known = (await campaign_row(jc.store, installation_id, spec.name)).dashboard_issue
    body = render.dashboard_body(spec.name, target_key(targets).replace(",", ", "), rows, slot=slot, cycles=cycles)
    number, created = await upsert_issue(
        gh, f"{org}/.github", marker=render.dashboard_marker(spec.name), title=render.dashboard_title(spec.name),
        body=body, known=known,
    )  # fmt: skip
    if created or known != number:
        await set_dashboard(jc.store, installation_id, spec.name, number)
    log.info("campaign.dashboard", campaign=spec.name, issue=number, created=created)
