"""`fix_issue`: claim, check the sender, show progress, then hand over to the fix pipeline."""

from __future__ import annotations

from typing import Any, cast

from bot.errors import JobCancelled
from bot.github.client import InstallationClient
from bot.jobs import messages
from bot.jobs.lifecycle import JobContext, run_job
from bot.jobs.progress import StatusComment, find_or_create_check, split_repo
from bot.pipeline.etiquette import etiquette
from bot.pipeline.job import run_fix, services_of
from bot.pipeline.publish import Target, clone_url
from bot.types import GitHubPort

__all__ = ["TRIGGER_ROLES", "fix_issue", "github_for", "sender_may_trigger"]

TRIGGER_ROLES = frozenset({"admin", "maintain", "write"})


def github_for(jc: JobContext, installation_id: int) -> GitHubPort:
    client: GitHubPort = jc.services["github"].installation(installation_id)
    return client


async def sender_may_trigger(jc: JobContext, gh: GitHubPort, repo: str, number: int, sender: str) -> bool:
    """Only write, maintain or admin may start costly work; anyone else gets one polite comment."""
    owner, name = split_repo(repo)
    role = await jc.stage("permission", lambda: gh.collaborator_permission(owner, name, sender))
    if role in TRIGGER_ROLES:
        return True

    async def refuse() -> int:
        text = messages.REFUSED_PERMISSION.format(sender=sender, permission=role)
        return (await gh.create_issue_comment(owner, name, number, text)).id

    await jc.stage("refusal_comment", refuse)
    return False


async def fix_issue(
    ctx: dict[str, Any], *, installation_id: int, repo: str, number: int, sender: str, delivery_id: str = ""
) -> str:
    async def body(jc: JobContext) -> str | None:
        gh = github_for(jc, installation_id)
        owner, name = split_repo(repo)
        issue = await gh.get_issue(owner, name, number)
        if issue.locked:
            return "issue locked: nothing done"
        if not await sender_may_trigger(jc, gh, repo, number, sender):
            return f"refused: {sender} lacks write access"
        blocked = await jc.stage("etiquette", lambda: etiquette(jc, cast(InstallationClient, gh), repo, number))
        if blocked:
            return str(blocked)
        await jc.stage("reaction", lambda: gh.add_reaction(owner, name, issue_number=number, content="eyes"))
        status = StatusComment(gh, repo, number)
        status.mark("claim", "done")
        await jc.stage("status_comment", lambda: status.show("picked up this issue"))
        check = await jc.stage("check_run", lambda: _check(gh, repo, jc.id))
        await jc.raise_if_cancelled()
        if not services_of(jc).has_model:
            return await _hand_over(jc, gh, status, check)
        target = _target(jc, installation_id, repo, number, check)
        try:
            return await run_fix(jc, target, status, check, issue=issue, sender=sender)
        except JobCancelled:
            await _say_cancelled(jc, target, status, check)
            raise

    return await run_job(
        ctx,
        "fix_issue",
        f"{repo}#{number}",
        body,
        installation_id=installation_id,
        repo_full_name=repo,
        target_number=number,
    )


def _target(jc: JobContext, installation_id: int, repo: str, number: int, check: dict[str, Any]) -> Target:
    settings = jc.services["settings"]
    return Target(
        gh=jc.services["github"].installation(installation_id),
        tokens=jc.services["github"],
        installation_id=installation_id,
        repo=repo,
        number=number,
        default_branch=str(check["default_branch"]),
        clone_url=clone_url(settings.github_git_url, repo),
    )


async def _say_cancelled(jc: JobContext, target: Target, status: StatusComment, check: dict[str, Any]) -> None:
    """The status comment and the check run say the work stopped, and why."""
    owner, name = split_repo(target.repo)
    issue = await target.gh.get_issue(owner, name, target.number)
    label = jc.services["settings"].trigger_label
    if issue.state == "closed":
        reason = "the issue was closed"
    elif label not in issue.labels:
        reason = f"the `{label}` label was removed"
    else:
        reason = "`/organic-pr cancel` was used"
    text = messages.CANCELLED.format(reason=reason)
    await status.show(text, check_url=check.get("html_url"))
    await target.gh.update_check_run(
        owner, name, int(check["id"]), status="completed", conclusion="cancelled", title="Cancelled", summary=text
    )


async def _check(gh: GitHubPort, repo: str, job_id: str) -> dict[str, Any]:
    owner, name = split_repo(repo)
    default_branch = await gh.default_branch(owner, name)
    sha = await gh.get_branch_sha(owner, name, default_branch)
    if sha is None:
        raise LookupError(f"{repo} has no commit on its default branch")
    run_id, url = await find_or_create_check(
        gh, repo, head_sha=sha, external_id=job_id, summary="Organic PR picked this up."
    )
    return {"id": run_id, "html_url": url, "head_sha": sha, "default_branch": default_branch}


async def _hand_over(jc: JobContext, gh: GitHubPort, status: StatusComment, check: dict[str, Any]) -> str:
    """Without a model the job ends here and says what to configure."""
    text = messages.NO_MODEL
    status.mark("generate", "not started")
    await status.show(text, check_url=check.get("html_url"))
    owner, name = split_repo(status.repo)
    await gh.update_check_run(
        owner, name, int(check["id"]), status="completed", conclusion="neutral", title="Nothing changed", summary=text
    )
    return "no model configured"
