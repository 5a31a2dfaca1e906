"""Jobs that steer other jobs: cancel a target, run a `/organic-pr` command, rerun a check."""

from __future__ import annotations

from typing import Any

from arq.connections import ArqRedis

from bot.jobs import messages
from bot.jobs.fix import github_for, sender_may_trigger
from bot.jobs.lifecycle import JobContext, run_job
from bot.jobs.progress import split_repo
from bot.store import Store
from bot.store.models import Job
from bot.types import GitHubPort

__all__ = ["cancel_target", "rerun_check", "run_command"]

CANCELLABLE = ("fix_issue", "revise_pr")


async def cancel_target(
    ctx: dict[str, Any],
    *,
    installation_id: int | None,
    repo: str,
    number: int,
    sender: str | None = None,
    delivery_id: str = "",
    reason: str = "cancelled",
) -> str:
    """Flag the target's running jobs; they stop at their next safe point. Takes no lock: it must not wait."""

    async def body(jc: JobContext) -> str:
        ids = await jc.store.request_cancel(repo, number, CANCELLABLE)
        return f"cancel requested for {len(ids)} job(s): {reason}"

    return await run_job(ctx, "cancel_target", None, body, repo_full_name=repo, target_number=number)


async def enqueue_fix(
    redis: ArqRedis, store: Store, *, job_id: str, installation_id: int, repo: str, number: int, sender: str
) -> str:
    """Queue a fresh fix_issue for a target, recorded in the store first."""
    await store.create_job(
        Job(id=job_id, kind="fix_issue", installation_id=installation_id, repo_full_name=repo, target_number=number)
    )
    await redis.enqueue_job(
        "fix_issue", _job_id=job_id, installation_id=installation_id, repo=repo, number=number, sender=sender
    )
    return job_id


async def run_command(
    ctx: dict[str, Any],
    *,
    installation_id: int,
    repo: str,
    number: int,
    sender: str,
    command: str,
    comment_id: int | None = None,
    delivery_id: str = "",
) -> str:
    async def body(jc: JobContext) -> str | None:
        gh = github_for(jc, installation_id)
        if command != "status" and not await sender_may_trigger(jc, gh, repo, number, sender):
            return f"refused: {sender} lacks write access"
        reply = await _command_reply(jc, installation_id, repo, number, sender, command, comment_id)
        await jc.stage("reply", lambda: _post(gh, repo, number, reply))
        return command

    return await run_job(
        ctx,
        "run_command",
        None,
        body,
        installation_id=installation_id,
        repo_full_name=repo,
        target_number=number,
    )


async def _command_reply(
    jc: JobContext, installation_id: int, repo: str, number: int, sender: str, command: str, comment_id: int | None
) -> str:
    store: Store = jc.store
    if command == "cancel":
        ids = await store.request_cancel(repo, number, CANCELLABLE)
        return messages.CANCEL_REQUESTED.format(count=len(ids))
    if command == "retry":
        job_id = f"fix_issue:retry:{repo}#{number}:{comment_id or jc.id}"
        await enqueue_fix(
            jc.services["redis"],
            store,
            job_id=job_id,
            installation_id=installation_id,
            repo=repo,
            number=number,
            sender=sender,
        )
        return messages.RETRY_QUEUED.format(job_id=job_id)
    if command == "status":
        jobs = [j for j in await store.jobs_for_target(repo, number) if j.kind in CANCELLABLE]
        if not jobs:
            return messages.STATUS_NONE
        last = jobs[-1]
        return messages.STATUS_LINE.format(
            job_id=last.id, state=last.state, error=f" ({last.error})" if last.error else ""
        )
    return messages.HELP


async def _post(gh: GitHubPort, repo: str, number: int, text: str) -> int:
    return (await gh.create_issue_comment(*split_repo(repo), number, text)).id


async def rerun_check(
    ctx: dict[str, Any], *, installation_id: int, repo: str, external_id: str | None, sender: str, delivery_id: str = ""
) -> str:
    """Re-requesting the bot's check reruns the fix for the job that created it."""

    async def body(jc: JobContext) -> str | None:
        original = await jc.store.get_job(external_id or "")
        if original is None or original.target_number is None:
            return f"no job behind check external_id {external_id!r}"
        gh = github_for(jc, installation_id)
        if not await sender_may_trigger(jc, gh, repo, original.target_number, sender):
            return f"refused: {sender} lacks write access"
        return await enqueue_fix(
            jc.services["redis"],
            jc.store,
            job_id=f"fix_issue:rerun:{delivery_id}",
            installation_id=installation_id,
            repo=repo,
            number=original.target_number,
            sender=sender,
        )

    return await run_job(ctx, "rerun_check", None, body, installation_id=installation_id, repo_full_name=repo)
