"""Publishing on GitHub with the bot's identity rules: one branch per issue (`organic-pr/issue-<n>`), new commits
only (never a force-push), a rerun updates the open PR instead of opening a second, review requested from the
labeller, and a check run on the PR's head with the test matrix and the failing lines.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import GitHubError
from bot.github.client import InstallationClient
from bot.github.git import GitWorkspace
from bot.github.models import Annotation, PullRequest
from bot.jobs.progress import find_or_create_check, split_repo
from bot.pipeline.changes import Change, winner_of, write_files
from bot.pipeline.selection import failing_locations
from bot.store import Store
from bot.store.models import BotPR
from bot.store.pipeline import bot_prs_for_issue, update_bot_pr

__all__ = [
    "Target",
    "TokenSource",
    "annotations_of",
    "branch_name",
    "check_summary",
    "clone_url",
    "pr_check",
    "publish_pr",
    "worktree_name",
]


class TokenSource(Protocol):
    """Mints installation tokens for git over HTTPS (bot.github.GitHubApp implements it)."""

    async def installation_token(self, installation_id: int) -> str: ...


def branch_name(issue_number: int) -> str:
    return f"organic-pr/issue-{issue_number}"


def worktree_name(job_id: str, suffix: str = "") -> str:
    """A filesystem-safe worktree name for a job id (ids hold ':' and '#')."""
    return hashlib.sha256(job_id.encode()).hexdigest()[:16] + suffix


@dataclass
class Target:
    """Where a job publishes: the installation's client and token source, the repository, the issue."""

    gh: InstallationClient
    tokens: TokenSource
    installation_id: int
    repo: str
    number: int
    default_branch: str
    clone_url: str

    async def token(self) -> str:
        return await self.tokens.installation_token(self.installation_id)


def check_summary(result: dict[str, Any]) -> str:
    """The check run's summary: the decision, then the test matrices."""
    return (
        f"Confidence {float(result['confidence']):.2f} ({result['decision'].replace('_', ' ')}).\n\n"
        f"### Existing tests (regression guard)\n\n{result['guard_table']}\n\n"
        f"### Reproduction tests\n\n{result['repro_table']}\n"
    )


def annotations_of(result: dict[str, Any], test_path: str | None) -> list[Annotation]:
    """Failing lines: where the reproduction test failed on the original code (and any failure after the fix)."""
    winner = winner_of(result)
    notes: list[Annotation] = []
    for run in winner.get("runs") or []:
        before = run["label"] == "original"
        for path, line in failing_locations(run.get("output") or ""):
            shown = test_path if before and test_path and path == winner.get("test_path") else path
            message = "fails on the original code (the bug)" if before else "fails with the fix applied"
            notes.append(Annotation(shown, line, line, message, level="notice" if before else "failure"))
    return notes


async def publish_pr(
    target: Target, ws: GitWorkspace, store: Store, change: Change, *, base_sha: str, draft: bool, job_id: str
) -> dict[str, Any]:
    """Commit on the issue's branch (on top of what is there), push, open or update the PR; returns its facts."""
    branch = branch_name(target.number)
    owner, name = split_repo(target.repo)
    existing = await target.gh.get_branch_sha(owner, name, branch)
    tree = await ws.add_worktree(target.repo, worktree_name(job_id, "-publish"), base=existing or base_sha)
    try:
        await asyncio.to_thread(write_files, tree, change.files)
        sha = await ws.commit_all(tree, change.message)
        if sha is not None:
            await ws.push(tree, target.clone_url, branch, await target.token(), default_branch=target.default_branch)
    finally:
        await ws.remove_worktree(target.repo, tree)
    head = sha or existing or base_sha
    pr, opened = await _open_or_update(target, store, branch, change, draft=draft)
    return {"number": pr.number, "url": pr.html_url, "head_sha": head, "new_commit": sha is not None, "opened": opened}


async def _open_or_update(
    target: Target, store: Store, branch: str, change: Change, *, draft: bool
) -> tuple[PullRequest, bool]:
    """The open PR from the branch, updated; a remembered closed one reopened; else a new PR."""
    owner, name = split_repo(target.repo)
    gh = target.gh
    open_prs = await gh.list_pulls(owner, name, head=branch, state="open")
    if open_prs:
        pr = await gh.update_pull(owner, name, open_prs[0].number, title=change.title, body=change.body)
        await _remember(store, target, pr.number, branch)
        return pr, False
    closed = [p for p in await bot_prs_for_issue(store, target.repo, target.number) if p.state == "closed"]
    if closed:
        try:
            pr = await gh.update_pull(
                owner, name, closed[-1].number, title=change.title, body=change.body, state="open"
            )
            await update_bot_pr(store, target.repo, pr.number, state="open")
            return pr, False
        except GitHubError:
            pass  # the branch is gone or GitHub refuses to reopen: open a fresh PR below
    pr = await gh.create_pull(
        owner, name, title=change.title, head=branch, base=target.default_branch, body=change.body, draft=draft
    )
    await _remember(store, target, pr.number, branch)
    return pr, True


async def _remember(store: Store, target: Target, number: int, branch: str) -> None:
    if await store.find_bot_pr(target.repo, number) is None:
        await store.add_bot_pr(
            BotPR(repo_full_name=target.repo, number=number, branch=branch, issue_number=target.number)
        )


async def pr_check(
    target: Target, result: dict[str, Any], pr: dict[str, Any], job_id: str, test_path: str | None
) -> str:
    """The check run on the PR's head: the test matrix as its summary, failing lines as annotations."""
    owner, name = split_repo(target.repo)
    run_id, url = await find_or_create_check(
        target.gh, target.repo, head_sha=pr["head_sha"], external_id=f"{job_id}:pr", summary="Checking the fix."
    )
    await target.gh.update_check_run(
        owner,
        name,
        run_id,
        status="completed",
        conclusion="success" if result["decision"] == "ready_pr" else "neutral",
        title=f"Confidence {float(result['confidence']):.2f}",
        summary=check_summary(result),
        annotations=annotations_of(result, test_path),
    )
    return url


def clone_url(git_url: str, repo: str) -> str:
    return f"{git_url.rstrip('/')}/{repo}.git"
