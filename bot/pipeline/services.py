"""Adapters the pipeline runs on, built from settings on first use: memory, sandbox, model. Heavy imports stay inside.

services = Services.from_settings(settings)
model = services.model(ledger)        # None when no model is configured
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.llm import Budget, Endpoint, Ledger, OpenAIChatModel, Price, PriceTable, RetryPolicy, Role
from bot.settings import Settings

if TYPE_CHECKING:
    from memory.service import RepoMemory
    from sandbox.envs import EnvBuilder
    from sandbox.runner import TestRunner

__all__ = ["Services", "budget_from"]


def budget_from(settings: Settings, tokens: int | None, usd: float | None) -> Budget:
    """The stricter of the service's per-job limits and a repository's own."""
    max_tokens = _least(settings.job_budget_tokens, tokens)
    return Budget(
        max_tokens=None if max_tokens is None else int(max_tokens), max_usd=_least(settings.job_budget_usd, usd)
    )


def _least(*values: float | None) -> float | None:
    """The smallest of the limits that are set; None when none is."""
    present = [v for v in values if v is not None]
    return min(present) if present else None


@dataclass
class Services:
    """What a pipeline run needs besides the repository and the issue; one instance per worker or CLI run."""

    settings: Settings
    _memory: RepoMemory | None = field(default=None, init=False)
    _builder: EnvBuilder | None = field(default=None, init=False)
    _runner: TestRunner | None = field(default=None, init=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(settings)

    @property
    def has_model(self) -> bool:
        return bool(self.settings.llm_base_url and self.settings.llm_model)

    def memory(self) -> RepoMemory:
        if self._memory is None:
            from memory.service import RepoMemory

            embedder = None
            if self.settings.memory_embedder:
                from memory.vectors import SentenceEmbedder

                embedder = SentenceEmbedder(Path(self.settings.memory_embedder))
            self._memory = RepoMemory(self.settings.memory_dir, embedder)
        return self._memory

    def env_builder(self) -> EnvBuilder:
        if self._builder is None:
            from sandbox.backends import BubblewrapBackend
            from sandbox.envs import EnvBuilder
            from sandbox.index import IndexSettings
            from sandbox.pythons import find_interpreters, pyenv_dirs

            dirs: list[Path] = []
            for folder in self.settings.sandbox_python_dirs:
                dirs += pyenv_dirs(folder.parent) if folder.name == "versions" else [folder]
            self._builder = EnvBuilder(
                backend=BubblewrapBackend(),
                cache_dir=self.settings.sandbox_cache_dir,
                interpreters=find_interpreters(dirs),
                index=IndexSettings(
                    index_url=self.settings.sandbox_index_url,
                    trusted_networks=tuple(self.settings.sandbox_trusted_networks),
                ),
            )
        return self._builder

    def runner(self, work_dir: Path) -> TestRunner:
        from sandbox.backends import BubblewrapBackend
        from sandbox.limits import Limits
        from sandbox.runner import TestRunner

        wall = self.settings.sandbox_test_wall_s
        return TestRunner(
            backend=BubblewrapBackend(),
            max_parallel=self.settings.sandbox_max_parallel,
            work_dir=work_dir,
            limits=Limits(wall_s=wall, cpu_s=int(wall)),
        )

    def model(self, ledger: Ledger) -> OpenAIChatModel | None:
        """The generator (and judge) client bound to the job's ledger; None without a configured model."""
        s = self.settings
        if not (s.llm_base_url and s.llm_model):
            return None
        key = s.llm_api_key.get_secret_value() if s.llm_api_key else "none"
        endpoints = {Role.GENERATOR: Endpoint(s.llm_base_url, s.llm_model, key)}
        if s.llm_judge_model:
            endpoints[Role.JUDGE] = Endpoint(s.llm_judge_base_url or s.llm_base_url, s.llm_judge_model, key)
        if s.llm_skill_model:
            endpoints[Role.SKILL_DISTILLER] = Endpoint(s.llm_skill_base_url or s.llm_base_url, s.llm_skill_model, key)
        prices = PriceTable(default=Price(s.llm_prompt_usd_per_mtok, s.llm_completion_usd_per_mtok))
        retry = RetryPolicy(max_attempts=s.llm_max_attempts)
        return OpenAIChatModel(endpoints, ledger=ledger, prices=prices, timeout_s=s.llm_timeout_s, retry=retry)
