"""`fix_issue`: claim, check the sender, show progress, then hand over to the fix pipeline."""

from __future__ import annotations

from typing import Any

from bot.jobs import messages
from bot.jobs.lifecycle import JobContext, run_job
from bot.jobs.progress import StatusComment, find_or_create_check
from bot.types import GitHubPort

__all__ = ["TRIGGER_ROLES", "fix_issue", "sender_may_trigger"]

TRIGGER_ROLES = frozenset({"admin", "maintain", "write"})


async def sender_may_trigger(jc: JobContext, gh: GitHubPort, repo: str, number: int, sender: str) -> bool:
    """Only write, maintain or admin may start costly work; anyone else gets one polite comment."""
    role = await jc.stage("permission", lambda: gh.get_permission(repo, sender))
    if role in TRIGGER_ROLES:
        return True

    async def refuse() -> int:
        text = messages.REFUSED_PERMISSION.format(sender=sender, permission=role)
        return int((await gh.create_issue_comment(repo, number, text))["id"])

    await jc.stage("refusal_comment", refuse)
    return False


async def fix_issue(
    ctx: dict[str, Any], *, installation_id: int, repo: str, number: int, sender: str, delivery_id: str = ""
) -> str:
    async def body(jc: JobContext) -> str | None:
        gh: GitHubPort = await jc.services["github"].for_installation(installation_id)
        if not await sender_may_trigger(jc, gh, repo, number, sender):
            return f"refused: {sender} lacks write access"
        await jc.stage("reaction", lambda: _react(gh, repo, number))
        status = StatusComment(gh, repo, number)
        status.mark("claimed", "done")
        await jc.stage("status_comment", lambda: status.show("picked up this issue"))
        check = await jc.stage("check_run", lambda: _check(gh, repo, jc.id))
        status.mark("checkout", "waiting")
        await jc.raise_if_cancelled()
        return await _hand_over(jc, status, check)

    return await run_job(
        ctx,
        "fix_issue",
        f"{repo}#{number}",
        body,
        installation_id=installation_id,
        repo_full_name=repo,
        target_number=number,
    )


async def _react(gh: GitHubPort, repo: str, number: int) -> bool:
    await gh.add_reaction(repo, content="eyes", issue_number=number)
    return True


async def _check(gh: GitHubPort, repo: str, job_id: str) -> dict[str, Any]:
    _, sha = await gh.default_branch_head(repo)
    run = await find_or_create_check(gh, repo, head_sha=sha, external_id=job_id, summary="Organic PR picked this up.")
    return {"id": run["id"], "html_url": run.get("html_url"), "head_sha": sha}


async def _hand_over(jc: JobContext, status: StatusComment, check: dict[str, Any]) -> str:
    """Without a model the job ends here and says what to configure."""
    settings = jc.services["settings"]
    text = messages.NO_MODEL if not settings.llm_base_url else messages.PIPELINE_PENDING
    gh: GitHubPort = await jc.services["github"].for_installation(jc.job.installation_id)
    status.mark("generate", "not started")
    await status.show(text, check_url=check.get("html_url"))
    await gh.update_check_run(
        jc.job.repo_full_name or "",
        int(check["id"]),
        status="completed",
        conclusion="neutral",
        title="Nothing changed",
        summary=text,
    )
    return "no model configured" if not settings.llm_base_url else "pipeline unavailable"
