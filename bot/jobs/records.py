"""Jobs that record facts: installations, bot PR outcomes, memory refreshes (revisions live in bot/jobs/revise.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.events import typed_model
from bot.jobs.lifecycle import JobContext, run_job
from bot.store.models import Installation, Repository

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
    async def body(jc: JobContext) -> str:
        if await jc.store.find_bot_pr(repo, number) is None:
            return "not a PR the store knows"
        await jc.store.close_bot_pr(repo, number, merged=merged)
        return "merged" if merged else "closed unmerged"

    return await run_job(ctx, "record_pr_outcome", f"{repo}#{number}", body, repo_full_name=repo, target_number=number)


async def refresh_memory(ctx: dict[str, Any], *, installation_id: int, repo: str, after: str | None = None) -> str:
    """Fetch the repo's mirror and let memory learn the commits after the last indexed one."""

    async def body(jc: JobContext) -> str:
        from bot.github.git import GitWorkspace
        from bot.pipeline.publish import clone_url
        from bot.pipeline.services import Services

        settings = jc.services["settings"]
        services = jc.services.setdefault("pipeline", Services.from_settings(settings))
        token = await jc.services["github"].installation_token(installation_id)
        mirror = await GitWorkspace(settings.workspace_dir).sync_mirror(
            repo, clone_url(settings.github_git_url, repo), token
        )
        memory = await asyncio.to_thread(services.memory().update, mirror)
        return f"memory at {memory.snapshot.sha} ({len(memory.history.units)} units)"

    return await run_job(
        ctx, "refresh_memory", f"memory:{repo}", body, installation_id=installation_id, repo_full_name=repo
    )
