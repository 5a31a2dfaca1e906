"""`revise_pr`'s pipeline: the same stages seeded with the PR's current diff and its open review threads, on
top of the PR's head (so a revision never reverts earlier fixes), then one new commit and a reply per thread.

    threads = await open_threads(gh, repo, pr_number, bot_login="organic-pr[bot]", may_steer=is_writer)
    note = await revise(jc, target, bot_pr, threads)
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.github.client import InstallationClient
from bot.github.git import GitWorkspace
from bot.jobs import messages
from bot.jobs.lifecycle import JobContext
from bot.jobs.progress import split_repo
from bot.llm import Ledger
from bot.patching.context import Issue
from bot.patching.workspace import diff_paths
from bot.pipeline.changes import planned_files, winner_of, write_files
from bot.pipeline.engine import FixTask, Run, run_stages
from bot.pipeline.job import services_of
from bot.pipeline.publish import Target, worktree_name
from bot.pipeline.services import budget_from
from bot.pipeline.writer import commit_message, commit_title
from bot.repo_config import CONFIG_PATH, parse_config
from bot.store.models import BotPR
from bot.store.pipeline import SqlTrajectoryStore, add_daily_spend

__all__ = ["Thread", "open_threads", "revise", "revision_issue"]


@dataclass(frozen=True)
class Thread:
    """One review request to answer: a review comment (by id) or a review's body."""

    comment_id: int | None
    review_id: int | None
    author: str
    path: str | None
    line: int | None
    body: str


async def open_threads(
    gh: InstallationClient, repo: str, number: int, *, bot_login: str, may_steer: Callable[[str], Awaitable[bool]]
) -> list[Thread]:
    """Top-level review comments and change-requesting reviews by people with write access, not answered yet."""
    owner, name = split_repo(repo)
    comments = await gh.list_review_comments(owner, name, number)
    answered = {c.in_reply_to_id for c in comments if c.author == bot_login and c.in_reply_to_id}
    threads = [
        Thread(c.id, None, c.author, c.path, c.line, c.body)
        for c in comments
        if c.in_reply_to_id is None and c.id not in answered and not c.author.endswith("[bot]")
    ]
    notes = "\n".join(c.body for c in await gh.list_issue_comments(owner, name, number) if c.author == bot_login)
    for review in await gh.list_reviews(owner, name, number):
        if review.state == "CHANGES_REQUESTED" and review.body.strip() and not review.author.endswith("[bot]"):
            if _review_marker(review.id) not in notes:
                threads.append(Thread(None, review.id, review.author, None, None, review.body))
    return [t for t in threads if await may_steer(t.author)]


def _review_marker(review_id: int) -> str:
    return f"<!-- organic-pr:review {review_id} -->"


def revision_issue(number: int, threads: list[Thread], diff: str) -> Issue:
    """The task given to the model: every thread, then the PR's current diff."""
    asks = "\n".join(f"- {t.path or 'review'}:{t.line or ''} (@{t.author}): {t.body}" for t in threads)
    body = f"Reviewers asked for these changes:\n{asks}\n\nThe pull request's current diff:\n```diff\n{diff}\n```"
    return Issue(f"Address the review comments on pull request #{number}", body, None)


async def revise(jc: JobContext, target: Target, pr: BotPR, threads: list[Thread]) -> str:
    """Run the pipeline on the PR's head, push one new commit, answer every thread."""
    services = services_of(jc)
    ws = GitWorkspace(services.settings.workspace_dir)
    await ws.sync_mirror(target.repo, target.clone_url, await target.token())
    tree = await ws.add_worktree(target.repo, worktree_name(jc.id), base=pr.branch)
    scratch = services.settings.workspace_dir / "scratch" / worktree_name(jc.id)
    try:
        result, run = await _pipeline(jc, target, ws, tree, scratch, pr, threads)
        sha, touched = await _commit(target, ws, tree, pr, result)
    finally:
        await ws.remove_worktree(target.repo, tree)
        await asyncio.to_thread(shutil.rmtree, scratch, True)
    await _reply(target, threads, sha, touched, result)
    return f"revision {sha[:10]}" if sha else "revision without changes"


async def _pipeline(
    jc: JobContext, target: Target, ws: GitWorkspace, tree: Path, scratch: Path, pr: BotPR, threads: list[Thread]
) -> tuple[dict[str, Any], Run]:
    services = services_of(jc)
    file = tree / CONFIG_PATH
    config = parse_config(file.read_text() if file.is_file() else None)
    base = (await ws.run(tree, "merge-base", "HEAD", f"refs/heads/{target.default_branch}")).strip()
    diff = await ws.run(tree, "diff", base, "HEAD")
    ledger = Ledger(budget_from(services.settings, config.budget.tokens, config.budget.usd))
    model = services.model(ledger)
    seeds = tuple(diff_paths(diff))
    issue = revision_issue(pr.number, threads, diff)
    task = FixTask(jc.id, issue, tree, ws.mirror_path(target.repo), config, scratch, seeds=seeds)
    run = Run(services, jc, SqlTrajectoryStore(jc.store), ledger, model)
    try:
        return await run_stages(task, run), run
    finally:
        if model is not None:
            await model.aclose()
        if ledger.spent_tokens or ledger.spent_usd:
            await jc.store.add_spend(jc.id, tokens=ledger.spent_tokens, usd=ledger.spent_usd)
            await add_daily_spend(jc.store, target.installation_id, tokens=ledger.spent_tokens, usd=ledger.spent_usd)


async def _commit(
    target: Target, ws: GitWorkspace, tree: Path, pr: BotPR, result: dict[str, Any]
) -> tuple[str | None, list[str]]:
    """The winner (test included) as one new commit on the PR's branch; (sha or None, files touched)."""
    if result.get("winner") is None:
        return None, []
    winner = winner_of(result)
    test = (winner["test_path"], winner["test_code"]) if winner.get("test_path") and winner.get("test_code") else None
    files = await asyncio.to_thread(planned_files, tree, winner["diff"], test)
    await asyncio.to_thread(write_files, tree, files)
    conventions = (result.get("recall") or {}).get("conventions") or {}
    title = commit_title(conventions, "review comments", list(files)).replace("fix review", "address review")
    sha = await ws.commit_all(tree, commit_message(title, None))
    if sha is not None:
        await ws.push(tree, target.clone_url, pr.branch, await target.token(), default_branch=target.default_branch)
    return sha, sorted(files)


async def _reply(
    target: Target, threads: list[Thread], sha: str | None, touched: list[str], result: dict[str, Any]
) -> None:
    owner, name = split_repo(target.repo)
    for thread in threads:
        if sha is not None and (thread.path is None or thread.path in touched):
            text = messages.REVISION_CHANGED.format(sha=sha[:10], files=", ".join(f"`{p}`" for p in touched))
        elif sha is not None:
            text = messages.REVISION_UNCHANGED.format(why=f"the revision did not need to touch `{thread.path}`")
        else:
            text = messages.REVISION_UNCHANGED.format(why=messages.REVISION_NOTHING)
        if thread.comment_id is not None:
            await target.gh.reply_to_review_comment(owner, name, target.number, thread.comment_id, text)
        else:
            text += "\n" + _review_marker(thread.review_id or 0)
            await target.gh.create_issue_comment(owner, name, target.number, text)
