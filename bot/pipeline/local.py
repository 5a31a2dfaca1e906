"""Local mode: the whole pipeline on a local checkout, no GitHub App. A branch in the checkout, the PR body in a
file, the evidence printed.

    outcome = await run_local(Path("."), Issue("Crash", "..."), settings, body_file=Path("pr.md"), echo=print)
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.github.git import GitWorkspace
from bot.llm import Ledger
from bot.patching.context import Issue
from bot.patching.trajectory import FileTrajectoryStore
from bot.patching.workspace import clone_worktree
from bot.pipeline.changes import build_change, write_files
from bot.pipeline.engine import FixTask, LocalStager, Run, run_stages
from bot.pipeline.errors import NoModel, PipelineError
from bot.pipeline.services import Services, budget_from
from bot.repo_config import CONFIG_PATH, RepoConfig, parse_config
from bot.settings import Settings
from bot.text import encodable

__all__ = ["LocalOutcome", "NO_MODEL_LOCAL", "branch_for", "run_local"]

NO_MODEL_LOCAL = (
    "Stopped after recall: no language model is configured. Set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY "
    "if the endpoint needs one) to any OpenAI-compatible endpoint, then run this command again."
)
Echo = Callable[[str], None]


@dataclass
class LocalOutcome:
    """How a local run ended: `stopped` says why when no branch was made."""

    branch: str | None
    body_file: Path | None
    result: dict[str, Any]
    stopped: str | None = None


def branch_for(issue: Issue) -> str:
    if issue.number is not None:
        return f"organic-pr/issue-{issue.number}"
    slug = re.sub(r"[^a-z0-9]+", "-", issue.title.lower()).strip("-")[:40] or "fix"
    return f"organic-pr/local-{slug}"


def _config(path: Path) -> RepoConfig:
    file = path / CONFIG_PATH
    return parse_config(file.read_text() if file.is_file() else None)


async def run_local(path: Path, issue: Issue, settings: Settings, *, body_file: Path, echo: Echo) -> LocalOutcome:
    """Run recall -> select on `path`; with a winner, commit it on a new branch of `path` and write the body."""
    git = GitWorkspace(path / ".git")
    if (await git.run(path, "status", "--porcelain", "--untracked-files=no")).strip():
        raise PipelineError(f"{path} has uncommitted changes: commit or stash them first")
    config = await asyncio.to_thread(_config, path)
    services = Services.from_settings(settings)
    ledger = Ledger(budget_from(settings, config.budget.tokens, config.budget.usd))
    model = services.model(ledger)

    async def progress(stage: str, state: str) -> None:
        echo(f"[{stage}] {state}")

    with tempfile.TemporaryDirectory(prefix="organic-pr-local-") as tmp:
        base = Path(tmp) / "base"
        await asyncio.to_thread(clone_worktree, path, base)
        task = FixTask("local", issue, base, path, config, Path(tmp) / "scratch")
        stager = LocalStager()
        run = Run(services, stager, FileTrajectoryStore(Path(tmp) / "trajectories"), ledger, model, progress)
        try:
            result = await run_stages(task, run)
        except NoModel:
            recalled = stager.checkpoints["recall"]["value"]
            echo("Recalled files: " + ", ".join(f["path"] for f in recalled.get("files", [])[:5]))
            echo(NO_MODEL_LOCAL)
            return LocalOutcome(None, None, {"recall": recalled}, stopped=NO_MODEL_LOCAL)
        finally:
            if model is not None:
                await model.aclose()
        return await _finish(path, git, issue, config, result, base, body_file, ledger, echo)


async def _finish(
    path: Path,
    git: GitWorkspace,
    issue: Issue,
    config: RepoConfig,
    result: dict[str, Any],
    base: Path,
    body_file: Path,
    ledger: Ledger,
    echo: Echo,
) -> LocalOutcome:
    if result.get("winner") is None or result["decision"] == "comment":
        echo(result.get("comment_md") or "\n".join(result.get("notes") or ["no candidate"]))
        return LocalOutcome(None, None, result, stopped="no candidate was good enough")
    spend = (ledger.spent_tokens, ledger.spent_usd)
    change = build_change(
        result, base, issue=(issue.number, issue.title), repo_url="..", keep_test=config.keep_repro_test, spend=spend
    )
    branch = branch_for(issue)
    await git.run(path, "switch", "--quiet", "-c", branch)
    await asyncio.to_thread(write_files, path, change.files)
    await git.commit_all(path, change.message)
    await asyncio.to_thread(body_file.write_text, encodable(change.body), encoding="utf-8")
    echo(result["evidence_md"])
    echo(f"Committed on branch {branch}; PR body written to {body_file}")
    return LocalOutcome(branch, body_file, result)
