"""Jobs that record facts: installations, bot PR outcomes, memory refreshes (revisions live in bot/jobs/revise.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import NotFound, ServiceUnavailable
from bot.events import typed_model
from bot.jobs.lifecycle import JobContext, run_job
from bot.store.models import BotPR, Installation, Repository

T = TypeVar("T")

__all__ = ["record_pr_outcome", "refresh_memory", "sync_installation"]


async def sync_installation(ctx: dict[str, Any], *, event: str, payload: dict[str, Any]) -> str:
    """Mirror installation and repository membership into the store."""

    async def body(jc: JobContext) -> str:
        typed_model(event, payload)  # validates and logs drift in GitHub's payloads; the raw dict is authoritative
        inst = payload.get("installation") or {}
        account = inst.get("account") or {}
        removed = event == "installation" and payload.get("action") == "deleted"
        suspended = event == "installation" and payload.get("action") == "suspend"
        row = Installation(
            id=int(inst["id"]),
            account_login=str(account.get("login", "")),
            account_type=str(account.get("type", "User")),
            removed=removed,
            suspended=suspended,
        )
        added = payload.get("repositories") or payload.get("repositories_added") or []
        repos = [
            Repository(id=int(r["id"]), installation_id=row.id, full_name=r["full_name"], active=not removed)
            for r in added
            if isinstance(r, dict) and "full_name" in r
        ]
        await jc.store.upsert_installation(row, repos)
        gone = [r["full_name"] for r in payload.get("repositories_removed") or [] if isinstance(r, dict)]
        if gone:
            await jc.store.set_repositories_active(gone, False)
        return f"{event}.{payload.get('action')}: +{len(repos)} -{len(gone)} repositories"

    return await run_job(ctx, "sync_installation", None, body)


async def record_pr_outcome(
    ctx: dict[str, Any],
    *,
    installation_id: int | None,
    repo: str,
    number: int,
    merged: bool,
    sender: str | None = None,
    delivery_id: str = "",
) -> str:
    """Close the bot PR's record, and tell the repository's memory what was tried and how it ended."""

    async def body(jc: JobContext) -> str:
        bot_pr = await jc.store.find_bot_pr(repo, number)
        if bot_pr is None:
            return "not a PR the store knows"
        await jc.store.close_bot_pr(repo, number, merged=merged)
        outcome = "merged" if merged else "closed unmerged"
        if installation_id is None:
            return f"{outcome}; memory not told (no installation in the event)"
        try:
            told = await _remember_outcome(jc, installation_id, repo, bot_pr, sender)
        except NotFound:
            return f"{outcome}; memory not told (the PR is gone from GitHub)"
        return f"{outcome}; {told}"

    return await run_job(ctx, "record_pr_outcome", f"{repo}#{number}", body, repo_full_name=repo, target_number=number)


async def _remember_outcome(jc: JobContext, installation_id: int, repo: str, bot_pr: BotPR, sender: str | None) -> str:
    """What the PR was asked to do (its issue, else its title), the files it changed, and whether it landed.

    Whether it landed is read from GitHub, not from the event, so a late retry of a "closed" delivery cannot
    overwrite a merge that came after it; a PR reopened since is not an outcome yet. Only facts are kept: a
    reviewer's free text is untrusted and would reach later prompts, so the reason is who closed it, never what
    they wrote."""
    from bot.github.git import GitWorkspace
    from bot.pipeline.job import services_of

    owner, name = repo.split("/", 1)
    gh = jc.services["github"].installation(installation_id)
    pull = await gh.get_pull(owner, name, bot_pr.number)  # NotFound here when GitHub no longer has it
    if pull.state == "open":
        return "memory not told (the PR is open again)"
    merged = pull.merged
    files = [f.filename for f in await gh.list_pull_files(owner, name, bot_pr.number)]
    text = pull.title
    if bot_pr.issue_number is not None:
        with contextlib.suppress(NotFound):  # a deleted issue leaves the PR's own title
            issue = await gh.get_issue(owner, name, bot_pr.issue_number)
            text = f"{issue.title}\n\n{issue.body}"
    reason = "" if merged else f"closed without merging by {sender or 'someone'}"
    mirror = GitWorkspace(jc.services["settings"].workspace_dir).mirror_path(repo)
    memory = services_of(jc).memory()
    await _memory_call(memory.record_outcome, mirror, bot_pr.number, text, files, merged, reason)
    return f"memory remembers {len(files)} files, {'merged' if merged else 'rejected'}"


async def _memory_call(call: Callable[..., T], *args: Any) -> T:
    """Run a blocking memory call off the event loop; another worker holding the repo's memory lock past the
    timeout is transient, so the job retries rather than failing (nothing of the outcome is lost)."""
    from memory.errors import LockTimeout

    try:
        return await asyncio.to_thread(call, *args)
    except LockTimeout as exc:
        raise ServiceUnavailable(f"memory busy: {exc}") from exc


async def refresh_memory(ctx: dict[str, Any], *, installation_id: int, repo: str, after: str | None = None) -> str:
    """Fetch the repo's mirror and let memory learn the commits after the last indexed one."""

    async def body(jc: JobContext) -> str:
        from bot.github.git import GitWorkspace
        from bot.pipeline.job import services_of
        from bot.pipeline.publish import clone_url

        settings = jc.services["settings"]
        services = services_of(jc)
        token = await jc.services["github"].installation_token(installation_id)
        mirror = await GitWorkspace(settings.workspace_dir).sync_mirror(
            repo, clone_url(settings.github_git_url, repo), token
        )
        memory = await _memory_call(services.memory().update, mirror)
        skills = await _learn_skills(jc, installation_id, mirror)
        return f"memory at {memory.snapshot.sha} ({len(memory.history.units)} units){skills}"

    return await run_job(
        ctx, "refresh_memory", f"memory:{repo}", body, installation_id=installation_id, repo_full_name=repo
    )


async def _learn_skills(jc: JobContext, installation_id: int, mirror: Path) -> str:
    """With a model configured, distill skills from a few past units not tried before, within a job's budget and
    what is left of the installation's day (`job_ledger` with the service's defaults), spend booked on both.

    A budget stop ends learning with what was learned kept. An unavailable or slow model makes the job retry (the
    memory update is then a no-op, and units already attempted are not attempted again); a request the model
    rejects fails the job with its reason."""
    from bot.errors import BudgetExceeded
    from bot.llm import ModelTimeout, ModelUnavailable
    from bot.pipeline.errors import BudgetStop
    from bot.pipeline.job import job_ledger, record_spend, services_of
    from bot.repo_config import parse_config

    services = services_of(jc)
    units = jc.services["settings"].memory_skill_units
    if not services.has_model or units == 0:
        return ""
    try:
        ledger, _ = await job_ledger(jc, installation_id, parse_config(None))
    except BudgetStop:
        return "; no skills learned (the model budget is used up)"
    model = services.model(ledger)
    if model is None:
        return ""
    try:
        learned = await services.memory().learn_skills(mirror, model, budget_units=units)
        note = f"; {learned} skills learned"
    except BudgetExceeded:
        note = "; skill learning stopped at the model budget"
    except (ModelUnavailable, ModelTimeout) as exc:  # transient: the job retries (the memory update is done)
        raise ServiceUnavailable(f"model unavailable while learning skills: {exc}") from exc
    finally:
        await model.aclose()
        await record_spend(jc, installation_id, ledger)
    return note
