"""Before any work: do not compete with an open PR that references the issue, and do not come back with a PR a
maintainer closed unmerged unless the issue was labelled again after that close."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.github.client import InstallationClient
from bot.github.models import PullRequest
from bot.jobs import messages
from bot.jobs.lifecycle import JobContext
from bot.jobs.progress import split_repo
from bot.pipeline.publish import branch_name
from bot.store.pipeline import bot_prs_for_issue

__all__ = ["etiquette", "references_issue"]


def references_issue(pr: PullRequest, number: int) -> bool:
    """The PR's title or body mentions `#number` (as `Fixes #7`, `see #7`, ...)."""
    return re.search(rf"(?<![\w/&])#{number}\b", f"{pr.title}\n{pr.body}") is not None


async def etiquette(jc: JobContext, gh: InstallationClient, repo: str, number: int) -> str:
    """A note when the job must not proceed (after saying why on the issue); "" when it may."""
    owner, name = split_repo(repo)
    mine = branch_name(number)
    competing = [p for p in await gh.list_pulls(owner, name, state="open") if p.head_ref != mine]
    found = next((p for p in competing if references_issue(p, number)), None)
    if found is not None:
        await gh.create_issue_comment(owner, name, number, messages.COMPETING_PR.format(url=found.html_url))
        return f"open PR #{found.number} already references the issue"
    closed = [p for p in await bot_prs_for_issue(jc.store, repo, number) if p.state == "closed"]
    if closed and not await _labelled_after(jc, closed[-1].closed_at):
        label = jc.services["settings"].trigger_label
        await gh.create_issue_comment(
            owner, name, number, messages.CLOSED_PR_REMEMBERED.format(pr=closed[-1].number, label=label)
        )
        return f"bot PR #{closed[-1].number} was closed unmerged"
    return ""


async def _labelled_after(jc: JobContext, closed_at: datetime | None) -> bool:
    """This job comes from an `issues.labeled` delivery received after the bot PR was closed."""
    delivery = await jc.store.get_delivery(jc.job.delivery_id or "")
    if delivery is None or (delivery.event, delivery.action) != ("issues", "labeled") or closed_at is None:
        return False
    return _aware(delivery.received_at) > _aware(closed_at)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns: read them as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
