"""Fixtures for candidate trajectories: the scripted model, the real sandbox, and a job built on a real repo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.llm import Budget, Endpoint, Ledger, OpenAIChatModel, PriceTable, RetryPolicy, Role
from bot.patching.candidates import JobWork
from bot.patching.context import Issue
from bot.patching.versions import VersionOracle
from memory.recall import Recall
from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder, Environment
from sandbox.runner import TestRunner
from tests.llm.scripted import ScriptedLLM, scripted_llm, scripted_llm_server
from tests.sandbox.helpers import bwrap_backend, env_builder, env_cache, interpreters, local_index

__all__ = [
    "bwrap_backend",
    "env_builder",
    "env_cache",
    "interpreters",
    "local_index",
    "make_job",
    "make_model",
    "scripted_llm",
    "scripted_llm_server",
]

MakeJob = Callable[..., JobWork]


@pytest.fixture
def make_job(bwrap_backend: BubblewrapBackend, env_builder: EnvBuilder, tmp_path: Path) -> MakeJob:
    """Factory: a JobWork for a real repository, with its environment built (cached) by the real sandbox."""

    def make(
        repo: Path,
        issue: Issue,
        *,
        recall: Recall | None = None,
        builder: EnvBuilder | None = None,
        job_id: str = "job-1",
    ) -> JobWork:
        env: Environment = (builder or env_builder).ensure(repo)
        runner = TestRunner(backend=bwrap_backend, max_parallel=2, work_dir=tmp_path)
        scratch = tmp_path / "scratch"
        oracle = VersionOracle.from_environment(env)
        return JobWork(job_id, repo, issue, env, runner, scratch, recall=recall, oracle=oracle)

    return make


@pytest.fixture
def make_model(scripted_llm: ScriptedLLM) -> Callable[..., OpenAIChatModel]:
    """Factory: the real OpenAI-compatible client pointed at the scripted model, with its own ledger."""

    def make(budget: Budget | None = None, prices: PriceTable | None = None) -> OpenAIChatModel:
        endpoints = {Role.GENERATOR: Endpoint(scripted_llm.base_url, "scripted", "test-key")}
        retry = RetryPolicy(max_attempts=1)
        return OpenAIChatModel(endpoints, ledger=Ledger(budget), prices=prices, timeout_s=30, retry=retry)

    return make
