"""The patch engine on the breaks a repository's codemods left: the bot-fix stages (recall, prepare, generate,
select) run on the migrated checkout, with the API diff, call sites and new signatures as the task, in an
environment with the new version installed. Adapter over bot.pipeline and migrations/.

    outcome = await patch_breaks(jc, ws, task, plan)   # {"status": none|no_model|budget|unfixed|fixed|partial, ...}

Its stages are checkpointed under `patch.` in the repository job, and finished candidates are kept in the
trajectory store, so a retried job redoes neither. With no model configured the breaks stay listed for a human.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from bot.campaigns.patchtask import left_breaks, migration_issue, site_files
from bot.errors import BudgetExceeded, ConfigError
from bot.github.git import GitWorkspace
from bot.jobs.lifecycle import JobContext
from bot.patching.workspace import tracked_files
from bot.pipeline.changes import place_test, planned_files, winner_of, write_files
from bot.pipeline.engine import FixTask, Run, run_stages
from bot.pipeline.errors import BudgetStop
from bot.pipeline.job import job_ledger, record_spend
from bot.pipeline.publish import worktree_name
from bot.pipeline.services import Services
from bot.repo_config import CONFIG_PATH, RepoConfig, parse_config
from bot.store.campaigns import add_sandbox_seconds
from bot.store.pipeline import SqlTrajectoryStore
from migrations.diff import Change
from migrations.impact import scan_repo
from migrations.loader import release_surface

if TYPE_CHECKING:
    from sandbox.envs import EnvBuilder

__all__ = ["NO_MODEL", "MigrationServices", "patch_breaks"]

log = structlog.get_logger()
T = TypeVar("T")
NO_MODEL = "no language model is configured (set LLM_BASE_URL and LLM_MODEL to let the patch engine try)"
BASE_MESSAGE = "Migrated base for the patch engine (local only)"


@dataclasses.dataclass
class MigrationServices(Services):
    """The pipeline's services with environments that install the migration targets (and the campaign's extra
    release sources), so candidates are proved against the new version."""

    targets: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def env_builder(self) -> EnvBuilder:
        if self._builder is None:
            builder = super().env_builder()
            index = dataclasses.replace(builder.index, find_links=tuple(self.settings.migrations_find_links))
            extra = ("pytest", *(f"{name}=={version}" for name, version in sorted(self.targets.items())))
            self._builder = dataclasses.replace(builder, index=index, extra_packages=extra)
        return self._builder


@dataclasses.dataclass
class _Prefixed:
    """The repository job's stager with the pipeline's stage names kept apart (`patch.recall`, ...)."""

    jc: JobContext
    prefix: str = "patch."

    async def stage(self, name: str, run: Callable[[], Awaitable[T]]) -> T:
        return await self.jc.stage(self.prefix + name, run)

    async def raise_if_cancelled(self) -> None:
        await self.jc.raise_if_cancelled()


async def patch_breaks(jc: JobContext, ws: GitWorkspace, task: Any, plan: Mapping[str, Any]) -> dict[str, Any]:
    """Try the patch engine on the breaks left; the outcome and the files of the winner (JSON)."""
    if not any(left_breaks(p) for p in plan["packages"]):
        return {"status": "none"}
    services = MigrationServices(jc.services["settings"], targets=dict(task.targets))
    if not services.has_model:
        return {"status": "no_model", "note": NO_MODEL}
    tree = await ws.add_worktree(task.repo, worktree_name(jc.id, "-patch"), base=plan["base"])
    scratch = services.settings.workspace_dir / "scratch" / worktree_name(jc.id, "-patch")
    started = time.monotonic()
    try:
        await asyncio.to_thread(write_files, tree, plan["files"])
        await ws.commit_all(tree, BASE_MESSAGE)
        return await _run_engine(jc, ws, services, task, plan, tree, scratch)
    finally:
        await ws.remove_worktree(task.repo, tree)
        await asyncio.to_thread(shutil.rmtree, scratch, True)
        await add_sandbox_seconds(jc.store, task.installation_id, task.campaign, time.monotonic() - started)


def _config(tree: Path) -> tuple[RepoConfig, str]:
    file = tree / CONFIG_PATH
    try:
        return parse_config(file.read_text() if file.is_file() else None), ""
    except ConfigError as exc:
        return parse_config(None), f"{CONFIG_PATH} is invalid ({exc}); the defaults were used"


async def _run_engine(
    jc: JobContext, ws: GitWorkspace, services: Services, task: Any, plan: Mapping[str, Any], tree: Path,
    scratch: Path,
) -> dict[str, Any]:  # fmt: skip
    config, config_note = await asyncio.to_thread(_config, tree)
    try:
        ledger, limit = await job_ledger(jc, task.installation_id, config)
    except BudgetStop as exc:
        return {"status": "budget", "note": f"the {exc.limit} model budget is used up"}
    model = services.model(ledger)
    run = Run(services, _Prefixed(jc), SqlTrajectoryStore(jc.store), ledger, model)
    issue = migration_issue(plan["packages"])
    fix = FixTask(
        jc.id, issue, tree, ws.mirror_path(task.repo), config, scratch, seeds=tuple(site_files(plan["packages"]))
    )
    try:
        result = await run_stages(fix, run)
    except BudgetExceeded as exc:
        return {"status": "budget", "note": f"the {limit} model budget was reached ({exc})"}
    finally:
        await record_spend(jc, task.installation_id, run.ledger)
        if model is not None:
            await model.aclose()
    outcome = await asyncio.to_thread(_winner_files, result, tree, config)
    if outcome["files"]:
        await asyncio.to_thread(write_files, tree, outcome["files"])
        cache = Path(services.settings.migrations_cache_dir)
        outcome["remaining"] = await asyncio.to_thread(remaining_sites, tree, plan["packages"], cache)
        outcome["status"] = "partial" if outcome["remaining"] else "fixed"
    outcome["notes"] = [n for n in (config_note, *(result.get("notes") or [])) if n]
    outcome |= {"spent_tokens": ledger.spent_tokens, "spent_usd": round(ledger.spent_usd, 4)}
    log.info("campaign.patch", repo=task.repo, status=outcome["status"], winner=result.get("winner"))
    return outcome


def remaining_sites(tree: Path, packages: Any, cache: Path) -> list[str]:
    """`api at file:line` for every left break the checkout at `tree` still hits (a fresh static scan)."""
    fields = {f.name for f in dataclasses.fields(Change)}
    found: list[str] = []
    for package in packages:
        left = left_breaks(package)
        if not left:
            continue
        changes = [Change.from_json({k: v for k, v in c.items() if k in fields}) for c in left]
        old = release_surface(package["name"], package["old"], cache)
        new = release_surface(package["name"], package["new"], cache)
        found += [f"{s.api} at {s.file}:{s.line}" for s in scan_repo(tree, changes, old, new)]
    return found


def _winner_files(result: Mapping[str, Any], tree: Path, config: RepoConfig) -> dict[str, Any]:
    """The winner's files (its reproduction test placed the repository's way when kept), or why there is none."""
    summary = {"candidates": len(result.get("candidates") or []), "decision": result.get("decision"),
               "confidence": result.get("confidence", 0.0)}  # fmt: skip
    if result.get("winner") is None:
        budget = any(c.get("status") == "budget_exceeded" for c in result.get("candidates") or [])
        return {**summary, "status": "budget" if budget else "unfixed", "files": {}}
    winner = winner_of(result)
    test = None
    if config.keep_repro_test and winner.get("test_path") and winner.get("test_code"):
        conventions = (result.get("recall") or {}).get("conventions") or {}
        test = (place_test(winner["test_path"], conventions, set(tracked_files(tree))), winner["test_code"])
    files = planned_files(tree, winner["diff"], test)
    return {**summary, "status": "fixed", "files": files, "winner": result["winner"],
            "explanation": winner.get("explanation") or "", "test_path": test[0] if test else None}  # fmt: skip
