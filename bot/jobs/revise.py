"""`revise_pr`: review comments and change requests on a bot PR, from people with write access, become one new
commit and a reply in each thread. Comments arriving within the debounce window are handled by one revision; a
later job for the same PR finds them answered and does nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.jobs.fix import TRIGGER_ROLES, github_for
from bot.jobs.lifecycle import JobContext, run_job
from bot.jobs.progress import split_repo
from bot.pipeline.job import services_of
from bot.pipeline.publish import Target, clone_url
from bot.pipeline.revision import open_threads, revise

__all__ = ["revise_pr"]


async def revise_pr(
    ctx: dict[str, Any], *, installation_id: int, repo: str, number: int, sender: str, delivery_id: str = ""
) -> str:
    async def body(jc: JobContext) -> str:
        pr = await jc.store.find_bot_pr(repo, number)
        if pr is None or pr.state != "open":
            return "not an open bot PR"
        if not services_of(jc).has_model:
            return "no model configured"
        settings = jc.services["settings"]
        await asyncio.sleep(settings.revise_debounce_s)  # let a burst of comments land: one revision for all
        gh: Any = github_for(jc, installation_id)
        owner, name = split_repo(repo)

        async def may_steer(login: str) -> bool:
            return await gh.collaborator_permission(owner, name, login) in TRIGGER_ROLES

        threads = await open_threads(
            gh, repo, number, bot_login=f"{settings.github_app_slug}[bot]", may_steer=may_steer
        )
        if not threads:
            return "nothing to revise"
        target = Target(
            gh=gh,
            tokens=jc.services["github"],
            installation_id=installation_id,
            repo=repo,
            number=number,
            default_branch=await gh.default_branch(owner, name),
            clone_url=clone_url(settings.github_git_url, repo),
        )
        return await revise(jc, target, pr, threads)

    return await run_job(
        ctx,
        "revise_pr",
        f"{repo}#{number}",
        body,
        installation_id=installation_id,
        repo_full_name=repo,
        target_number=number,
    )
