"""The stages shared by the service and local mode: recall -> prepare -> generate -> select.

Each stage runs through a `Stager` (bot.jobs.lifecycle.JobContext in the service, `LocalStager` locally), so a
resumed job skips finished stages, and finished candidates are kept in the trajectory store, so a resumed
generate stage reruns only the unfinished ones. Every stage value is JSON.

    task = FixTask(job_id, issue, base=worktree, memory_repo=mirror, config=repo_config, scratch=tmp)
    selection = await run_stages(task, Run(services, stager, trajectories, ledger, model, progress))
"""

from __future__ import annotations

import asyncio
import shlex
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import structlog

from bot.llm import Ledger
from bot.llm.protocol import ChatModel
from bot.patching.candidates import CandidateConfig, JobWork, generate_candidates
from bot.patching.context import Issue
from bot.patching.trajectory import Trajectory, TrajectoryStore
from bot.pipeline.errors import NoModel
from bot.pipeline.selection import select, summarise
from bot.pipeline.services import Services
from bot.repo_config import RepoConfig

__all__ = ["STAGES", "FixTask", "LocalStager", "Progress", "Run", "Stager", "prepare", "run_stages", "timed"]

log = structlog.get_logger()
T = TypeVar("T")
STAGES = ("claim", "checkout", "recall", "prepare", "generate", "select", "publish")
CANCEL_POLL_S = 0.5
Progress = Callable[[str, str], Awaitable[None]]


class Stager(Protocol):
    """Runs a named stage once across retries, and is where cancellation is observed."""

    async def stage(self, name: str, run: Callable[[], Awaitable[T]]) -> T: ...

    async def raise_if_cancelled(self) -> None: ...


@dataclass
class LocalStager:
    """The local-mode stager: checkpoints live in memory for one run, nothing cancels it."""

    checkpoints: dict[str, Any] = field(default_factory=dict)

    async def stage(self, name: str, run: Callable[[], Awaitable[T]]) -> T:
        if name not in self.checkpoints:
            self.checkpoints[name] = await run()
        return self.checkpoints[name]  # type: ignore[no-any-return]

    async def raise_if_cancelled(self) -> None:
        return None


async def _no_progress(stage: str, state: str) -> None:
    return None


@dataclass
class FixTask:
    """One fix: the issue, a clean checkout of the base commit (never written), where memory is kept."""

    job_id: str
    issue: Issue
    base: Path
    memory_repo: Path
    config: RepoConfig
    scratch: Path
    seeds: tuple[str, ...] = ()


@dataclass
class Run:
    """How a task runs: adapters, checkpoints, the job's ledger and model, and a progress callback."""

    services: Services
    stager: Stager
    trajectories: TrajectoryStore
    ledger: Ledger
    model: ChatModel | None
    progress: Progress = _no_progress
    timings: dict[str, float] = field(default_factory=dict)
    combined_select: bool = True  # one sandbox run per code version in select (False: one per matrix, the baseline)


async def timed(run: Run, name: str, work: Callable[[], Awaitable[T]]) -> T:
    """A checkpointed stage whose duration is kept with its value and reported to `progress`."""

    async def measured() -> dict[str, Any]:
        await run.progress(name, "running")
        started = time.monotonic()
        value = await work()
        return {"value": value, "seconds": round(time.monotonic() - started, 3)}

    done = await run.stager.stage(name, measured)
    run.timings[name] = float(done["seconds"])
    await run.progress(name, f"done in {done['seconds']:.1f} s")
    return done["value"]  # type: ignore[no-any-return]


async def recall_stage(task: FixTask, run: Run) -> dict[str, Any]:
    memory = run.services.memory()
    budget = run.services.settings.recall_budget_tokens
    text = f"{task.issue.title}\n\n{task.issue.body}"

    def work() -> dict[str, Any]:
        memory.update(task.memory_repo)
        answer = memory.recall(task.memory_repo, text, budget_tokens=budget, seeds=task.seeds)
        return {**answer.to_json(), "tokens": answer.tokens()}

    return await asyncio.to_thread(work)


async def prepare(task: FixTask, run: Run) -> Any:
    """The sandbox environment for the base checkout (cached by its manifests: a resumed job gets a cache hit)."""
    setup = [shlex.split(command) for command in task.config.setup]
    return await asyncio.to_thread(run.services.env_builder().ensure, task.base, setup_commands=setup)


def _env_facts(env: Any) -> dict[str, Any]:
    from bot.patching.versions import VersionOracle

    oracle = VersionOracle.from_environment(env)
    return {
        "python": str(env.interpreter.version),
        "env_key": env.key,
        "cache_hit": bool(env.cache_hit),
        "versions": dict(sorted(oracle.versions.items())),
    }


async def run_stages(task: FixTask, run: Run) -> dict[str, Any]:
    """recall, prepare, generate, select; returns the selection (see bot.pipeline.selection)."""
    recalled = await timed(run, "recall", lambda: recall_stage(task, run))
    if run.model is None:
        raise NoModel("no language model is configured")
    envs: list[Any] = []

    async def prepared() -> dict[str, Any]:
        envs.append(await prepare(task, run))
        return await asyncio.to_thread(_env_facts, envs[0])

    facts = await timed(run, "prepare", prepared)
    model = run.model

    async def generated() -> list[dict[str, Any]]:
        env = envs[0] if envs else await prepare(task, run)
        trajectories = await _generate(task, run, model, env, recalled)
        return [summarise(t) for t in trajectories]

    summaries = await timed(run, "generate", lambda: _watch_cancel(run.stager, generated()))
    selection = await timed(run, "select", lambda: select(task, run, model, summaries, recalled))
    return {**selection, "recall": recalled, "environment": facts, "candidates": summaries}


async def _generate(task: FixTask, run: Run, model: ChatModel, env: Any, recalled: dict[str, Any]) -> list[Trajectory]:
    from bot.patching.versions import VersionOracle
    from memory.recall import Recall

    recall = Recall(**{k: v for k, v in recalled.items() if k != "tokens"})
    task.scratch.mkdir(parents=True, exist_ok=True)
    runner = run.services.runner(task.scratch)
    oracle = await asyncio.to_thread(VersionOracle.from_environment, env)
    job = JobWork(task.job_id, task.base, task.issue, env, runner, task.scratch, recall=recall, oracle=oracle)
    config = CandidateConfig(candidates=task.config.candidates, turns=task.config.turns)
    return await generate_candidates(job, model, run.trajectories, config, ledger=run.ledger)


async def _watch_cancel(stager: Stager, work: Awaitable[T]) -> T:
    """Run `work`, polling for cancellation; a cancel request stops it at its next await (a safe point)."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=CANCEL_POLL_S)
            if done:
                return task.result()
            await stager.raise_if_cancelled()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
