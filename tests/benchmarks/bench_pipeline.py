"""Benchmark of the fix pipeline on scenario 1 (the fixture repo's `split()` bug, 2 candidates, scripted model).

    .venv/bin/python -m tests.benchmarks.bench_pipeline [REPO] [--runs 2]

REPO defaults to the generated fixture repository (tests/e2e/fixture_repo.py). Prints, per run, the time in each
stage, the model's own latency and the pipeline's overhead without it; then tokens sent per candidate with the
default recall budget against a recall-free baseline and an unbounded recall, all measured in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr

from bot.llm import Ledger
from bot.llm.protocol import ChatModel, ChatReply, Message
from bot.patching.context import Issue
from bot.patching.trajectory import FileTrajectoryStore
from bot.pipeline.engine import FixTask, LocalStager, Run, run_stages
from bot.pipeline.services import Services, budget_from
from bot.repo_config import parse_config
from bot.settings import Settings
from tests.e2e.fixture_repo import ISSUE_BODY, ISSUE_TITLE, build_fixture_repo, fix_answer
from tests.llm.scripted import ScriptedLLM, build_app

INDEX = Path("/opt/pypi/simple")


class TimedModel:
    """Wraps a ChatModel and adds up the time spent waiting for it (the model's own latency)."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner, self.seconds, self.calls = inner, 0.0, 0

    async def chat(
        self, messages: Sequence[Message], *, purpose: str, temperature: float = 0.0, max_tokens: int | None = None
    ) -> ChatReply:
        started = time.monotonic()
        try:
            return await self.inner.chat(messages, purpose=purpose, temperature=temperature, max_tokens=max_tokens)
        finally:
            self.seconds += time.monotonic() - started
            self.calls += 1


def serve_scripted() -> tuple[ScriptedLLM, uvicorn.Server]:
    llm = ScriptedLLM()
    server = uvicorn.Server(uvicorn.Config(build_app(llm), host="127.0.0.1", port=0, log_level="error", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    llm.base_url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/v1"
    return llm, server


async def one_run(
    repo: Path, settings: Settings, work: Path, services: Services, *, combined: bool = True
) -> dict[str, Any]:
    from bot.patching.workspace import clone_worktree

    base = work / "base"
    clone_worktree(repo, base)
    config = parse_config((repo / ".github/organic-pr.yml").read_text())
    ledger = Ledger(budget_from(settings, None, None))
    inner = services.model(ledger)
    assert inner is not None
    model = TimedModel(inner)
    task = FixTask("bench", Issue(ISSUE_TITLE, ISSUE_BODY, 1), base, repo, config, work / "scratch")
    run = Run(services, LocalStager(), FileTrajectoryStore(work / "trajectories"), ledger, model)
    run.combined_select = combined
    started = time.monotonic()
    result = await run_stages(task, run)
    total = time.monotonic() - started
    await inner.aclose()
    prompts = [c["prompt_tokens"] for c in result["candidates"]]
    return {
        "timings": dict(run.timings),
        "total": total,
        "model_s": model.seconds,
        "calls": model.calls,
        "prompts": prompts,
        "recall_tokens": result["recall"]["tokens"],
        "winner": result["winner"],
    }


def settings_for(llm: ScriptedLLM, root: Path, recall_budget: int) -> Settings:
    return Settings(
        github_webhook_secret=SecretStr("bench"),
        llm_base_url=llm.base_url,
        llm_model="scripted",
        llm_max_attempts=1,
        sandbox_index_url=INDEX.as_uri(),
        sandbox_cache_dir=root / "env-cache",
        memory_dir=root / "memory",
        workspace_dir=root / "ws",
        recall_budget_tokens=recall_budget,
    )


def show(label: str, r: dict[str, Any]) -> None:
    stages = "  ".join(f"{k}={v:.2f}s" for k, v in r["timings"].items())
    overhead = r["total"] - r["model_s"]
    print(
        f"{label:<18} total={r['total']:.2f}s model={r['model_s']:.2f}s ({r['calls']} calls) "
        f"overhead={overhead:.2f}s | {stages}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=2, help="warm runs after the cold one (bounded to 5)")
    args = parser.parse_args(argv)
    llm, server = serve_scripted()
    llm.on("generate", fix_answer(), repeat=True)
    root = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        repo = args.repo or build_fixture_repo(root / "ledger")
        baselines: list[dict[str, Any]] = []
        results = []
        for i in range(1 + min(args.runs, 5)):
            settings = settings_for(llm, root, 3000)
            services = Services.from_settings(settings)
            if i:  # the baseline, measured in this run: select with one sandbox run per matrix
                base = asyncio.run(one_run(repo, settings, root / f"base-{i}", services, combined=False))
                show(f"baseline run {i}", base)
                baselines.append(base)
            r = asyncio.run(one_run(repo, settings, root / f"run-{i}", services))
            show("cold (env build)" if i == 0 else f"warm run {i}", r)
            results.append(r)
        warm = results[1:] or results
        mean = {k: sum(r["timings"][k] for r in warm) / len(warm) for k in warm[0]["timings"]}
        slowest = max(mean, key=lambda k: mean[k])
        overhead = sum(r["total"] - r["model_s"] for r in warm) / len(warm)
        print("warm mean per stage: " + "  ".join(f"{k}={v:.2f}s" for k, v in mean.items()))
        print(
            f"slowest warm stage: {slowest} ({mean[slowest]:.2f}s, {mean[slowest] / sum(mean.values()):.0%} of stages)"
        )
        print(f"pipeline overhead without model latency (warm mean): {overhead:.2f}s")
        if baselines:
            select_base = sum(b["timings"]["select"] for b in baselines) / len(baselines)
            base_overhead = sum(b["total"] - b["model_s"] for b in baselines) / len(baselines)
            print(
                f"select: baseline (a run per matrix) {select_base:.2f}s -> combined {mean['select']:.2f}s "
                f"= {mean['select'] / select_base:.2f}x; overhead {base_overhead:.2f}s -> {overhead:.2f}s "
                f"= {overhead / base_overhead:.2f}x"
            )
        tokens(llm, root, repo, warm[0])
    finally:
        server.should_exit = True
        shutil.rmtree(root, ignore_errors=True)


def tokens(llm: ScriptedLLM, root: Path, repo: Path, default: dict[str, Any]) -> None:
    """Prompt tokens per candidate: default recall budget vs unbounded recall vs no recall (baseline)."""
    rows = {"budget 3000 (default)": default}
    for label, budget in (("unbounded recall", 1_000_000), ("tiny recall (200)", 200)):
        settings = settings_for(llm, root, budget)
        rows[label] = asyncio.run(one_run(repo, settings, root / f"tok-{budget}", Services.from_settings(settings)))
    base = sum(default["prompts"][0])
    for label, r in rows.items():
        first = [p[0] for p in r["prompts"]]
        print(
            f"{label:<22} recall={r['recall_tokens']:>6} tok  first-turn prompt per candidate={first} "
            f"(x{sum(r['prompts'][0]) / base:.2f} of default) winner={r['winner']}"
        )


if __name__ == "__main__":
    main()
