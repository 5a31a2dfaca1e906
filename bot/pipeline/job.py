"""The service side of `fix_issue` after the claim: checkout -> recall -> prepare -> generate -> select -> publish,
with the status comment and check run kept current, budgets enforced, spend recorded, and clean stops.

    note = await run_fix(jc, target, status, check, issue=issue, sender="maintainer")
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import structlog

from bot.errors import BudgetExceeded, ConfigError
from bot.github.git import GitWorkspace
from bot.github.models import Issue as GitHubIssue
from bot.jobs import messages
from bot.jobs.lifecycle import JobContext
from bot.jobs.progress import StatusComment, split_repo
from bot.llm import Budget, Ledger
from bot.patching.context import Issue
from bot.pipeline.changes import build_change
from bot.pipeline.engine import FixTask, Run, run_stages, timed
from bot.pipeline.errors import BudgetStop, NoCandidate
from bot.pipeline.publish import Target, pr_check, publish_pr, worktree_name
from bot.pipeline.services import Services, budget_from
from bot.repo_config import CONFIG_PATH, RepoConfig, parse_config
from bot.store.pipeline import SqlTrajectoryStore, add_daily_spend, daily_spend

__all__ = ["finish_check", "job_ledger", "record_spend", "run_fix", "services_of"]

log = structlog.get_logger()


def services_of(jc: JobContext) -> Services:
    """The worker's pipeline services, made on first use and shared by later jobs."""
    services: Services = jc.services.setdefault("pipeline", Services.from_settings(jc.services["settings"]))
    return services


def _config(tree: Path) -> RepoConfig:
    file = tree / CONFIG_PATH
    return parse_config(file.read_text() if file.is_file() else None)


async def finish_check(target: Target, check: dict[str, Any], conclusion: str, title: str, summary: str) -> None:
    owner, name = split_repo(target.repo)
    await target.gh.update_check_run(
        owner, name, int(check["id"]), status="completed", conclusion=conclusion, title=title, summary=summary
    )


async def run_fix(
    jc: JobContext, target: Target, status: StatusComment, check: dict[str, Any], *, issue: GitHubIssue, sender: str
) -> str:
    """The pipeline on the issue; returns the job's note. Budget stops and failed candidates end it cleanly."""
    services = services_of(jc)
    ws = GitWorkspace(services.settings.workspace_dir)

    async def progress(stage: str, state: str) -> None:
        status.mark(stage, state)
        await status.show(messages.WORKING.format(stage=stage), check_url=check.get("html_url"))

    run = Run(services, jc, SqlTrajectoryStore(jc.store), Ledger(), None, progress)
    tree = await _checkout(jc, run, ws, target, str(check["head_sha"]))
    scratch = services.settings.workspace_dir / "scratch" / worktree_name(jc.id)
    try:
        return await _fix_in(jc, run, target, tree, scratch, ws, status, check, issue, sender)
    finally:
        await ws.remove_worktree(target.repo, tree)
        await asyncio.to_thread(shutil.rmtree, scratch, True)


async def _checkout(jc: JobContext, run: Run, ws: GitWorkspace, target: Target, base_sha: str) -> Path:
    async def sync() -> str:
        await ws.sync_mirror(target.repo, target.clone_url, await target.token())
        return base_sha

    await timed(run, "checkout", sync)
    if not (ws.mirror_path(target.repo) / "HEAD").exists():  # resumed on a worker without the mirror
        await sync()
    return await ws.add_worktree(target.repo, worktree_name(jc.id), base=base_sha)


async def _fix_in(
    jc: JobContext,
    run: Run,
    target: Target,
    tree: Path,
    scratch: Path,
    ws: GitWorkspace,
    status: StatusComment,
    check: dict[str, Any],
    issue: GitHubIssue,
    sender: str,
) -> str:
    try:
        config = await asyncio.to_thread(_config, tree)
    except ConfigError as exc:
        return await _stop(target, status, check, messages.CONFIG_INVALID.format(error=exc), "config invalid")
    model = None
    try:
        run.ledger, limit = await job_ledger(jc, target.installation_id, config)
        model = run.model = run.services.model(run.ledger)
        task = FixTask(
            jc.id, Issue(issue.title, issue.body, issue.number), tree, ws.mirror_path(target.repo), config, scratch
        )
        result = await _stages(task, run, limit)
        spend = (jc.job.spend_tokens + run.ledger.spent_tokens, jc.job.spend_usd + run.ledger.spent_usd)
        published = await timed(
            run, "publish", lambda: _publish(jc, run, target, ws, task, result, check, sender, spend)
        )
    except BudgetStop as exc:
        text = messages.BUDGET_STOP.format(limit=exc.limit, tokens=exc.spent_tokens, usd=exc.spent_usd)
        return await _stop(target, status, check, text, "budget reached")
    except NoCandidate as exc:
        return await _stop(target, status, check, str(exc), "no usable candidate")
    finally:
        await record_spend(jc, target.installation_id, run.ledger)
        if model is not None:
            await model.aclose()
    return await _done(target, status, check, result, published)


async def job_ledger(jc: JobContext, installation_id: int, config: RepoConfig) -> tuple[Ledger, str]:
    """The job's ledger: the job budget less what earlier attempts spent, capped by what is left of the day's."""
    settings = jc.services["settings"]
    job = budget_from(settings, config.budget.tokens, config.budget.usd)
    day_tokens, day_usd = await daily_spend(jc.store, installation_id)
    daily = budget_from(
        settings.model_copy(
            update={"job_budget_tokens": settings.daily_budget_tokens, "job_budget_usd": settings.daily_budget_usd}
        ),
        config.daily_budget.tokens,
        config.daily_budget.usd,
    )
    left_tokens = _minus(job.max_tokens, jc.job.spend_tokens)
    left_usd = _minus(job.max_usd, jc.job.spend_usd)
    day_left_tokens, day_left_usd = _minus(daily.max_tokens, day_tokens), _minus(daily.max_usd, day_usd)
    limit = "job"
    if (day_left_tokens is not None and (left_tokens is None or day_left_tokens < left_tokens)) or (
        day_left_usd is not None and (left_usd is None or day_left_usd < left_usd)
    ):
        limit = "daily"
    tokens = _least(left_tokens, day_left_tokens)
    usd = _least(left_usd, day_left_usd)
    if (tokens is not None and tokens <= 0) or (usd is not None and usd <= 0):
        raise BudgetStop(
            "budget already used up", spent_tokens=jc.job.spend_tokens, spent_usd=jc.job.spend_usd, limit=limit
        )
    return Ledger(Budget(max_tokens=None if tokens is None else int(tokens), max_usd=usd)), limit


def _minus(limit: float | None, spent: float) -> float | None:
    return None if limit is None else limit - spent


def _least(a: float | None, b: float | None) -> float | None:
    present = [v for v in (a, b) if v is not None]
    return min(present) if present else None


async def _stages(task: FixTask, run: Run, limit: str) -> dict[str, Any]:
    try:
        result = await run_stages(task, run)
    except BudgetExceeded as exc:
        raise BudgetStop(str(exc), spent_tokens=exc.spent_tokens, spent_usd=exc.spent_usd, limit=limit) from exc
    if result.get("winner") is None:
        statuses = [c["status"] for c in result["candidates"]]
        if "budget_exceeded" in statuses:
            raise BudgetStop(
                "budget", spent_tokens=run.ledger.spent_tokens, spent_usd=run.ledger.spent_usd, limit=limit
            )
        if not result.get("pool"):
            details = "\n".join(f"- {note}" for note in result.get("notes") or [])
            raise NoCandidate(messages.NO_CANDIDATE.format(count=len(statuses), details=details))
    return result


async def record_spend(jc: JobContext, installation_id: int, ledger: Ledger) -> None:
    """Book what `ledger` spent on the job and on the installation's day."""
    tokens, usd = ledger.spent_tokens, ledger.spent_usd
    if tokens or usd:
        await jc.store.add_spend(jc.id, tokens=tokens, usd=usd)
        await add_daily_spend(jc.store, installation_id, tokens=tokens, usd=usd)


async def _publish(
    jc: JobContext,
    run: Run,
    target: Target,
    ws: GitWorkspace,
    task: FixTask,
    result: dict[str, Any],
    check: dict[str, Any],
    sender: str,
    spend: tuple[int, float],
) -> dict[str, Any]:
    owner, name = split_repo(target.repo)
    if result["decision"] == "comment":
        text = messages.COMMENT_ONLY.format(details=result.get("comment_md") or "")
        return {"comment": (await target.gh.create_issue_comment(owner, name, target.number, text)).id}
    settings = run.services.settings
    change = build_change(
        result,
        task.base,
        issue=(target.number, task.issue.title),
        repo_url=f"{settings.github_git_url.rstrip('/')}/{target.repo}",
        keep_test=task.config.keep_repro_test,
        spend=spend,
    )
    draft = task.config.draft == "always" or (task.config.draft == "auto" and result["decision"] == "draft_pr")
    pr = await publish_pr(target, ws, jc.store, change, base_sha=str(check["head_sha"]), draft=draft, job_id=jc.id)
    wanted = [r for r in dict.fromkeys([sender, *task.config.reviewers]) if r and not r.endswith("[bot]")]
    if wanted:
        await target.gh.request_reviewers(owner, name, pr["number"], wanted)
    pr["check_url"] = await pr_check(target, result, pr, jc.id, change.test_path)
    return pr


async def _done(
    target: Target, status: StatusComment, check: dict[str, Any], result: dict[str, Any], published: dict[str, Any]
) -> str:
    decision = result["decision"].replace("_", " ")
    if "comment" in published:
        await _stop(target, status, check, "No pull request: see my comment below for what I tried.", "comment only")
        return "comment only"
    template = messages.PR_OPENED if published["opened"] else messages.PR_UPDATED
    headline = template.format(url=published["url"], decision=decision, confidence=float(result["confidence"]))
    await status.show(headline, check_url=published.get("check_url") or check.get("html_url"))
    await finish_check(target, check, "success", f"PR #{published['number']}", headline)
    return f"pr #{published['number']}"


async def _stop(target: Target, status: StatusComment, check: dict[str, Any], text: str, note: str) -> str:
    await status.show(text, check_url=check.get("html_url"))
    await finish_check(target, check, "neutral", "Nothing published", text)
    return note
