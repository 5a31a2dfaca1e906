"""One repository of a campaign unit, as checkpointed stages: migrate on the default branch (codemods + bump,
call sites, changelog), test the result in the sandbox on the PR branch, push new commits only, open or
update the one PR of (campaign unit, repository). Adapter over migrations/, the sandbox, git and GitHub.
"""

from __future__ import annotations

import asyncio
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.campaigns import render
from bot.campaigns.breaks import left_records, new_signatures
from bot.campaigns.patch import patch_breaks
from bot.campaigns.patchtask import left_breaks
from bot.campaigns.releases import IndexOptions, changelog_between, prefetch
from bot.github.client import InstallationClient
from bot.github.git import GitWorkspace
from bot.jobs.lifecycle import JobContext
from bot.jobs.progress import split_repo
from bot.pipeline.changes import write_files
from bot.pipeline.publish import clone_url, worktree_name
from bot.store import Store
from bot.store.campaigns import add_sandbox_seconds
from bot.store.models import BotPR
from bot.store.pipeline import update_bot_pr
from migrations.apply import plan_migration, write_migration
from migrations.bump import current_version
from migrations.deps import read_dependencies
from migrations.diff import Severity
from migrations.errors import MigrationError
from migrations.impact import scan_repo
from migrations.loader import release_surface
from migrations.verify import TestRunFailed, run_tests

__all__ = ["RepoTask", "branch_for", "changed_files", "migrate_repo", "remember_pr"]

Layers = list[tuple[dict[str, Any], str]]  # (files to write, commit message), in commit order


def branch_for(unit: str) -> str:
    return f"organic-pr/migrate-{unit}"


@dataclass(frozen=True)
class RepoTask:
    installation_id: int
    repo: str
    default_branch: str
    campaign: str
    unit: str  # names the branch: organic-pr/migrate-<unit>
    targets: dict[str, str]  # package -> version to migrate to
    test_command: str


async def migrate_repo(jc: JobContext, task: RepoTask) -> dict[str, Any]:
    """Run the stages; returns {"status": pr_open|failed|skipped, "reason", "pr_number", "pr_url", "opened"}."""
    settings, ws = jc.services["settings"], GitWorkspace(jc.services["settings"].workspace_dir)
    token = await jc.services["github"].installation_token(task.installation_id)
    url = clone_url(settings.github_git_url, task.repo)
    await ws.sync_mirror(task.repo, url, token)
    branch = branch_for(task.unit)
    others = await edited_by_others(ws, task, branch)
    if others:  # like Renovate: a PR someone else pushed to is theirs now; rewriting it could undo their commits
        return {"status": "pr_open", "reason": f"left as it is: {others} pushed to {branch}"}
    try:
        plan = await jc.stage("migrate", lambda: _migrate(ws, jc.id, task, settings))
    except MigrationError as exc:
        return {"status": "failed", "reason": f"migration: {exc}"}
    if not plan["files"]:
        return {"status": "skipped", "reason": "the migration changes nothing in this repository"}
    patch = await jc.stage("patch", lambda: patch_breaks(jc, ws, task, plan))
    layers = _layers(task, plan, patch)
    tests = await jc.stage("test", lambda: _test(jc, ws, task, plan["base"], layers, branch))
    head = await jc.stage("push", lambda: _push(jc, ws, task, plan["base"], layers, branch, url))
    gh: InstallationClient = jc.services["github"].installation(task.installation_id)
    pr = await jc.stage("pr", lambda: _open_or_update(gh, task, plan, patch, tests, branch, head["new_commit"]))
    await remember_pr(jc.store, task.repo, int(pr["pr_number"]), branch)
    return {"status": "pr_open", "reason": pr["note"], **{k: pr[k] for k in ("pr_number", "pr_url", "opened")}}


async def edited_by_others(ws: GitWorkspace, task: RepoTask, branch: str) -> str | None:
    """Who else committed on the campaign branch since it left the default branch (None when only the bot did)."""
    mirror = ws.mirror_path(task.repo)
    if not (await ws.run(mirror, "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}")).strip():
        return None
    emails = await ws.run(
        mirror, "log", "--format=%ae", f"refs/heads/{branch}", "--not", f"refs/heads/{task.default_branch}"
    )
    others = sorted({email for email in emails.split() if email != ws.identity["GIT_AUTHOR_EMAIL"]})
    return ", ".join(others) or None


async def remember_pr(store: Store, repo: str, number: int, branch: str) -> None:
    """Record the PR with the bot's PRs (no issue), so review comments revise it and closing it is recorded."""
    known = await store.find_bot_pr(repo, number)
    if known is None:
        await store.add_bot_pr(BotPR(repo_full_name=repo, number=number, branch=branch, issue_number=None))
    elif known.state != "open":  # reopened on GitHub since: it is a live bot PR again
        await update_bot_pr(store, repo, number, state="open")


def _layers(task: RepoTask, plan: dict[str, Any], patch: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The commits the branch gets: codemods and bump, then the patch engine's fix (when it made one)."""
    bumps = ", ".join(f"{p['name']} {p['old']} -> {p['new']}" for p in plan["packages"])
    layers = [(plan["files"], f"Migrate {bumps}\n\nOrganic PR migration campaign {task.campaign}: codemods and bump.")]
    if patch.get("files"):
        apis = sorted({c["api"] for p in plan["packages"] for c in left_breaks(p)})
        message = f"Fix the call sites of {', '.join(apis)} for {bumps}\n\nOrganic PR patch engine ({patch['winner']})."
        layers.append((patch["files"], message))
    return layers


async def _migrate(ws: GitWorkspace, job_id: str, task: RepoTask, settings: Any) -> dict[str, Any]:
    mirror = ws.mirror_path(task.repo)
    base = (await ws.run(mirror, "rev-parse", f"refs/heads/{task.default_branch}")).strip()
    tree = await ws.add_worktree(task.repo, worktree_name(job_id, "-migrate"), base=base)
    try:
        packages = [
            await asyncio.to_thread(_one_package, tree, name, new, settings) for name, new in task.targets.items()
        ]
        files = await changed_files(ws, tree)
        diff = await ws.run(tree, "diff", "--no-color")
    finally:
        await ws.remove_worktree(task.repo, tree)
    return {"base": base, "files": files, "packages": packages, "diff": diff}


async def changed_files(ws: GitWorkspace, tree: Path) -> dict[str, str]:
    """The text of each file changed or added in the worktree. A byte that is not UTF-8, in a name or a file, is
    kept as a surrogate (surrogateescape), so `write_files` gives the same bytes back: with "replace", such a
    file went missing from the PR, and its other bytes became U+FFFD."""
    status = await ws.run(tree, "status", "--porcelain", "-z", "--untracked-files=all", errors="surrogateescape")
    paths = sorted({entry[3:] for entry in status.split("\0") if entry})
    return {p: (tree / p).read_bytes().decode("utf-8", "surrogateescape") for p in paths if (tree / p).is_file()}


def _one_package(tree: Path, package: str, new: str, settings: Any) -> dict[str, Any]:
    """Codemods and bump of one package in the worktree; the facts the PR body shows."""
    cache, index = Path(settings.migrations_cache_dir), index_of(settings)
    found = current_version(list(read_dependencies(tree)), package)
    if found is None:
        raise MigrationError(f"no version of {package} is pinned, locked or bounded")
    prefetch(package, [found.version, new], cache, index)
    report = plan_migration(tree, package, new, cache, old=found.version)
    old_surface, new_surface = release_surface(package, found.version, cache), release_surface(package, new, cache)
    sites = scan_repo(tree, report.changes, old_surface, new_surface)
    texts = {f: (tree / f).read_text(encoding="utf-8", errors="replace") for f in {s.file for s in sites}}
    left = left_records(report.non_mechanical, sites, texts)
    write_migration(tree, report)
    changes = []
    for change in report.changes:
        hits = [f"{s.file}:{s.line}" for s in sites if s.change == change]
        if hits or change.severity == Severity.BREAKING:
            changes.append(
                {**change.to_json(), "kind": change.kind.value, "severity": change.severity.value, "sites": hits}
            )
    return {
        "name": package,
        "old": found.version,
        "new": new,
        "edits": [{"file": e.file, "line": e.line, "before": e.before, "after": e.after} for e in report.bump.edits],
        "locks": [{"file": lock.file, "command": list(lock.command)} for lock in report.bump.locks],
        "codemod_files": sorted(p for p, r in report.codemods.items() if r.changed),
        "changes": changes,
        "non_mechanical": len(left),
        "left": left,
        "signatures": new_signatures(new_surface, [c["api"] for c in left]) if left else [],
        "changelog": changelog_between(package, found.version, new, cache, index),
    }


def index_of(settings: Any) -> IndexOptions:
    return IndexOptions(settings.sandbox_index_url, tuple(settings.migrations_find_links))


async def _worktree_on_branch(
    ws: GitWorkspace, job_id: str, task: RepoTask, base: str, branch: str, suffix: str
) -> Path:
    """A worktree at the PR branch, or at the migrated base when the branch does not exist yet."""
    mirror = ws.mirror_path(task.repo)
    existing = await ws.run(mirror, "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}")
    return await ws.add_worktree(task.repo, worktree_name(job_id, suffix), base=existing.strip() or base)


async def _test(
    jc: JobContext, ws: GitWorkspace, task: RepoTask, base: str, layers: Layers, branch: str
) -> dict[str, Any]:
    settings = jc.services["settings"]
    tree = await _worktree_on_branch(ws, jc.id, task, base, branch, "-branch")
    started = time.monotonic()
    try:
        for files, _ in layers:
            await asyncio.to_thread(write_files, tree, files)
        if not (await ws.run(tree, "status", "--porcelain")).strip():
            return {"unchanged": True}
        package, version = next(iter(task.targets.items()))
        summary = await asyncio.to_thread(
            run_tests,
            tree,
            package,
            version,
            Path(settings.sandbox_cache_dir),
            command=tuple(shlex.split(task.test_command)),
            python_dirs=tuple(settings.sandbox_python_dirs),
            index_url=settings.sandbox_index_url,
            find_links=tuple(settings.migrations_find_links),
            wall_s=settings.sandbox_test_wall_s,
        )
        return {"ok": summary.ok, "verdict": summary.verdict, "counts": summary.counts,
                "installed": f"{package} {summary.installed}", "output_tail": summary.output_tail}  # fmt: skip
    except TestRunFailed as exc:
        return {"ok": False, "error": str(exc)}
    finally:
        await ws.remove_worktree(task.repo, tree)
        await add_sandbox_seconds(jc.store, task.installation_id, task.campaign, time.monotonic() - started)


async def _push(
    jc: JobContext, ws: GitWorkspace, task: RepoTask, base: str, layers: Layers, branch: str, url: str
) -> dict[str, Any]:
    """One commit per layer that changes something; pushed when there is any."""
    tree = await _worktree_on_branch(ws, jc.id, task, base, branch, "-push")
    try:
        shas = []
        for files, message in layers:
            await asyncio.to_thread(write_files, tree, files)
            shas.append(await ws.commit_all(tree, message))
        made = [sha for sha in shas if sha is not None]
        if made:
            token = await jc.services["github"].installation_token(task.installation_id)
            await ws.push(tree, url, branch, token, default_branch=task.default_branch)
    finally:
        await ws.remove_worktree(task.repo, tree)
    return {"new_commit": bool(made), "sha": made[-1] if made else None}


async def _open_or_update(
    gh: InstallationClient, task: RepoTask, plan: dict[str, Any], patch: dict[str, Any], tests: dict[str, Any],
    branch: str, new_commit: bool,
) -> dict[str, Any]:  # fmt: skip
    """The open PR from the branch is updated (when there are new commits); else a new PR is opened."""
    owner, name = split_repo(task.repo)
    title = render.pr_title(plan["packages"])
    body = render.pr_body(task.campaign, plan["packages"], tests, plan["diff"], patch=patch)
    draft = not tests.get("ok", True) or render.needs_human(plan["packages"], patch)
    open_prs = await gh.list_pulls(owner, name, head=branch, state="open")
    if open_prs:
        pr = open_prs[0]
        if new_commit:
            pr = await gh.update_pull(owner, name, pr.number, title=title, body=body)
        return {"pr_number": pr.number, "pr_url": pr.html_url, "opened": False, "note": _note(tests, new_commit, patch)}
    pr = await gh.create_pull(owner, name, title=title, head=branch, base=task.default_branch, body=body, draft=draft)
    return {"pr_number": pr.number, "pr_url": pr.html_url, "opened": True, "note": _note(tests, True, patch)}


def _note(tests: dict[str, Any], new_commit: bool, patch: dict[str, Any]) -> str:
    if tests.get("unchanged") or not new_commit:
        return "up to date"
    if patch.get("status") in render.HUMAN_STATUSES:
        return f"draft: breaks left for a human ({render.HUMAN_STATUSES[patch['status']]})"
    if tests.get("error"):
        return f"draft: tests could not run ({tests['error'][:120]})"
    return "tests pass" if tests.get("ok") else f"draft: tests fail ({tests.get('verdict')})"
