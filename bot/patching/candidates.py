"""Candidates (CodeMonkeys-style test-time scaling): N diversified multi-turn trajectories run concurrently,
each editing its own copy of the worktree, checked against the installed versions, proved in the sandbox.

A turn: the model answers with edits and a reproduction test -> the edits are applied (failed blocks come
back with "did you mean") -> every library call they add is resolved against the installed version ->
the test runs on the original code (must fail) and on the patched code (must pass) with the nearest tests
-> the outcome goes back to the model. Every step is recorded in the candidate's trajectory.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import BudgetExceeded
from bot.llm.accounting import Ledger
from bot.llm.errors import LLMError
from bot.llm.protocol import ChatModel, Message
from bot.patching.answer import CandidateAnswer, parse_answer
from bot.patching.context import CandidatePlan, Issue, first_prompt, plan_candidates, render_context, system_prompt
from bot.patching.errors import PatchError
from bot.patching.proving import Prover, is_test_file
from bot.patching.trajectory import CandidateStatus, Trajectory, TrajectoryStore, TurnRecord
from bot.patching.turns import (
    TurnOutcome,
    assess_edits,
    assess_proof,
    assess_versions,
    bad_test_path,
    malformed,
    no_test,
)
from bot.patching.versions import VersionOracle, imported_modules
from bot.patching.workspace import clone_worktree, read_texts, tracked_files
from sandbox.envs import Environment
from sandbox.errors import SandboxError
from sandbox.junit import Outcome
from sandbox.runner import TestRun, TestRunner

if TYPE_CHECKING:
    from memory.recall import Recall  # numpy behind it: only the type is needed here

__all__ = ["CandidateConfig", "JobWork", "generate_candidates", "purpose_of"]


@dataclass(frozen=True)
class CandidateConfig:
    """Parallel scaling (`candidates`), serial scaling (`turns`), and how candidates are diversified."""

    candidates: int = 4
    turns: int = 4
    temperatures: tuple[float, ...] = (0.0, 0.6, 0.9)
    focus_size: int = 3
    max_tokens: int | None = 4096


@dataclass
class JobWork:
    """Work done once per job and shared by every candidate.

    `worktree` is the job's checkout at the base commit and is never written to; `baseline` is the
    repository's test run on it (tests failing there are not regressions); `scratch` holds the
    candidates' private copies.
    """

    job_id: str
    worktree: Path
    issue: Issue
    env: Environment
    runner: TestRunner
    scratch: Path
    recall: Recall | None = None
    oracle: VersionOracle | None = None
    baseline: TestRun | None = None
    already_failing: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        if self.baseline is not None:
            bad = (Outcome.FAILED, Outcome.ERROR)
            self.already_failing = frozenset(t.node_id for t in self.baseline.tests if t.outcome in bad)


@dataclass
class _Shared:
    job: JobWork
    prover: Prover
    file_texts: dict[str, str]
    version_facts: str


async def _prepare(job: JobWork, plans: Sequence[CandidatePlan]) -> _Shared:
    """File texts, version facts and the test file list, read once for all candidates."""
    focus = sorted({path for plan in plans for path in plan.focus})
    texts = await asyncio.to_thread(read_texts, job.worktree, focus)
    facts = ""
    if job.oracle is not None:
        imports = set().union(*(imported_modules(text) for text in texts.values())) if texts else set()
        facts = await asyncio.to_thread(job.oracle.facts, imports)
    tests = await asyncio.to_thread(tracked_files, job.worktree)
    return _Shared(job, Prover(job.runner, job.env, job.worktree, tests), texts, facts)


async def generate_candidates(
    job: JobWork, model: ChatModel, store: TrajectoryStore, config: CandidateConfig, *, ledger: Ledger | None = None
) -> list[Trajectory]:
    """Run (or, on a resumed job, reuse) every candidate concurrently; one trajectory per candidate, in order."""
    ranked = [str(f["path"]) for f in job.recall.files if f.get("path")] if job.recall else []
    plans = plan_candidates(config.candidates, ranked, temperatures=config.temperatures, focus_size=config.focus_size)
    shared = await _prepare(job, plans)
    runs = (_run_candidate(shared, plan, model, store, config, ledger=ledger) for plan in plans)
    return list(await asyncio.gather(*runs))


async def _run_candidate(
    shared: _Shared,
    plan: CandidatePlan,
    model: ChatModel,
    store: TrajectoryStore,
    config: CandidateConfig,
    *,
    ledger: Ledger | None = None,
) -> Trajectory:
    """One candidate to its end. Budget, model and sandbox failures end it cleanly, recorded, never raised."""
    job = shared.job
    previous = await store.load(job.job_id, plan.index)
    if previous is not None and previous.finished:
        return previous
    trajectory = Trajectory(job.job_id, plan.index, plan.temperature, list(plan.focus), list(plan.sections))
    tree = job.scratch / f"candidate-{plan.index}-{secrets.token_hex(4)}"
    try:
        await asyncio.to_thread(clone_worktree, job.worktree, tree)
        await _Candidate(shared, plan, trajectory, tree, model, config).run(store)
    except BudgetExceeded as exc:
        trajectory.status, trajectory.error = CandidateStatus.BUDGET_EXCEEDED, str(exc)
    except (LLMError, SandboxError, PatchError) as exc:
        trajectory.status, trajectory.error = CandidateStatus.FAILED, f"{type(exc).__name__}: {exc}"
    finally:
        _account(trajectory, ledger, purpose_of(plan.index))
        await store.save(trajectory)
        await asyncio.to_thread(shutil.rmtree, tree, True)
    return trajectory


def purpose_of(candidate: int) -> str:
    """The accounting purpose of a candidate's calls: the generator role, one label per candidate."""
    return f"generate.candidate{candidate}"


def _account(trajectory: Trajectory, ledger: Ledger | None, purpose: str) -> None:
    """What this candidate spent; from the job's ledger when there is one, as it also holds the call that
    crossed the budget (whose reply never reached the candidate)."""
    if ledger is not None:
        calls = [c for c in ledger.calls if c.purpose == purpose]
        trajectory.spent_tokens = sum(c.prompt_tokens + c.completion_tokens for c in calls)
        trajectory.spent_usd = sum(c.cost_usd for c in calls)
    else:
        trajectory.spent_tokens = sum(t.prompt_tokens + t.completion_tokens for t in trajectory.turns)
        trajectory.spent_usd = sum(t.cost_usd for t in trajectory.turns)


class _Candidate:
    """The turn loop of one candidate, on its own copy of the worktree."""

    def __init__(
        self,
        shared: _Shared,
        plan: CandidatePlan,
        trajectory: Trajectory,
        tree: Path,
        model: ChatModel,
        config: CandidateConfig,
    ) -> None:
        self.shared, self.plan, self.trajectory, self.tree = shared, plan, trajectory, tree
        self.model, self.config = model, config
        self.test: tuple[str, str] | None = None
        self.edited = False

    async def run(self, store: TrajectoryStore) -> None:
        job = self.shared.job
        context = render_context(self.plan, job.recall, self.shared.file_texts, self.shared.version_facts)
        messages: list[Message] = [
            {"role": "system", "content": system_prompt(self.plan.index, 0)},
            {"role": "user", "content": first_prompt(job.issue, context, self.plan.index)},
        ]
        self.trajectory.messages = messages  # type: ignore[assignment]  # Message is a dict[str, str]
        for turn in range(self.config.turns):
            messages[0] = {"role": "system", "content": system_prompt(self.plan.index, turn)}
            outcome = await self._turn(turn, messages)
            if outcome.proven:
                self.trajectory.status = CandidateStatus.PROVEN
                return
            if turn + 1 < self.config.turns:
                messages.append({"role": "user", "content": outcome.prompt(self.plan.index, turn + 1)})
            await store.save(self.trajectory)
        self.trajectory.status = CandidateStatus.UNPROVEN

    async def _turn(self, turn: int, messages: list[Message]) -> TurnOutcome:
        record = TurnRecord(turn)
        self.trajectory.turns.append(record)
        reply = await self.model.chat(
            messages,
            purpose=purpose_of(self.plan.index),
            temperature=self.plan.temperature,
            max_tokens=self.config.max_tokens,
        )
        record.reply, record.cost_usd = reply.text, reply.cost_usd
        record.prompt_tokens, record.completion_tokens = reply.prompt_tokens, reply.completion_tokens
        messages.append({"role": "assistant", "content": reply.text})
        outcome = await self._assess(record, parse_answer(reply.text))
        record.verdict, record.feedback = outcome.verdict, outcome.report
        self.trajectory.test_path, self.trajectory.test_code = self.test or (None, None)
        return outcome

    async def _assess(self, record: TurnRecord, answer: CandidateAnswer) -> TurnOutcome:
        if not answer.usable and not (answer.test_only and self.edited):
            record.parse_errors = list(answer.errors)
            return malformed(answer.errors)
        if answer.test_path is not None and answer.test_code is not None:
            if not is_test_file(answer.test_path) or (self.shared.job.worktree / answer.test_path).exists():
                record.parse_errors = [f"unusable test path {answer.test_path!r}"]
                return bad_test_path(answer.test_path)
            self.test = (answer.test_path, answer.test_code)
        if answer.edits:
            outcome = await assess_edits(record, self.tree, answer.edits)
            self.edited = self.edited or any(e["status"] == "applied" for e in record.edits)
            self.trajectory.diff = record.diff
            if outcome is not None:
                return outcome
        oracle = self.shared.job.oracle
        if oracle is not None and (outcome := await assess_versions(record, oracle, self.tree, self.trajectory.diff)):
            return outcome
        if self.test is None:
            return no_test()
        job = self.shared.job
        return await assess_proof(
            record, self.shared.prover, self.tree, self.test, job.already_failing, self.trajectory.diff
        )
