"""Chronological localization benchmark: memory before a cut, units after it scored in order, then learned.

Gold is the non-test source files a unit modified that exist at its parent; function gold is the functions of
those files whose pre-image lines it changed. Each unit is added to memory right after it is scored, and the
fusion is recalibrated every `recalibrate_every` units on the most recent examples (history already seen).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from memory.builder import BuildConfig, build_from_units, gold_paths, remember_example, unit_texts
from memory.engine import Memory, Ranked
from memory.functions import bm25_functions, rank_functions
from memory.fusion import Example, rank_metrics, rrf
from memory.gitlog import BlobReader, iter_units
from memory.model import Unit
from memory.vectors import Embedder

__all__ = ["METHODS", "BenchResult", "delta_interval", "format_intervals", "run_bench"]

METHODS = ("memory", "content-bm25", "rrf(content,message)")
LEVELS = ("file", "function", "completion")


@dataclass
class BenchResult:
    """Per level ("file", "function", "completion") and method, the metrics of every evaluated unit."""

    repo: str
    cut: str
    history_units: int = 0
    scores: dict[str, dict[str, list[dict[str, float]]]] = field(default_factory=lambda: defaultdict(dict))
    build_s: float = 0.0
    eval_s: float = 0.0

    def add(self, level: str, method: str, metrics: dict[str, float]) -> None:
        if metrics:
            self.scores[level].setdefault(method, []).append(metrics)

    def means(self, level: str, method: str) -> dict[str, float]:
        rows = self.scores[level].get(method, [])
        return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]} if rows else {}

    def count(self, level: str) -> int:
        return len(self.scores[level].get("memory", []))


def delta_interval(
    results: list[BenchResult], level: str, metric: str, draws: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean over repos of memory minus content-BM25 on `metric`, with a 95% paired bootstrap interval.

    Each repo's units are resampled with replacement (the same draw for both methods, so the pairing holds) and
    the per-repo mean deltas are averaged, as the headline figure is.
    """
    rng = np.random.default_rng(seed)
    per_repo = []
    for result in results:
        mine = np.array([row[metric] for row in result.scores[level].get("memory", [])])
        base = np.array([row[metric] for row in result.scores[level].get(METHODS[1], [])])
        if mine.size and mine.size == base.size:
            per_repo.append(mine - base)
    if not per_repo:
        return 0.0, 0.0, 0.0
    point = float(np.mean([d.mean() for d in per_repo]))
    samples = np.mean([d[rng.integers(0, d.size, (draws, d.size))].mean(axis=1) for d in per_repo], axis=0)
    low, high = np.percentile(samples, [2.5, 97.5])
    return point, float(low), float(high)


def format_intervals(results: list[BenchResult]) -> str:
    """The file-level R@5 and MRR deltas over content-BM25 (points), each with its 95% bootstrap interval."""
    lines = []
    for metric in ("R@5", "MRR"):
        point, low, high = (100 * v for v in delta_interval(results, "file", metric))
        lines.append(f"file {metric} delta, 95% paired bootstrap over units: {point:+.1f} [{low:+.1f}, {high:+.1f}]")
    return "\n".join(lines)


def cut_index(units: list[Unit], cut: str) -> int:
    """Index of the first unit committed on or after the ISO date `cut` (UTC)."""
    stamp = datetime.fromisoformat(cut).replace(tzinfo=UTC).timestamp()
    return next((i for i, u in enumerate(units) if u.timestamp >= stamp), len(units))


def _file_level(memory: Memory, ranked: Ranked, gold: list[int], result: BenchResult) -> list[int]:
    content = np.argsort(-ranked.features[:, 0], kind="stable").tolist()
    message = np.argsort(-ranked.features[:, 1], kind="stable").tolist()
    fused = rrf([content, message])
    for method, order in zip(METHODS, (ranked.order, content, fused), strict=True):
        result.add("file", method, rank_metrics(order, gold))
    if len(gold) > 1:
        pos = {p: i for i, p in enumerate(ranked.paths)}
        seed = gold[0]
        mine = [pos[p] for p in memory.complete(ranked, ranked.paths[seed])]
        for method, order in zip(METHODS, (mine, content, fused), strict=True):
            result.add("completion", method, rank_metrics([i for i in order if i != seed], gold[1:]))
    return fused


def _function_level(memory: Memory, unit: Unit, ranked: Ranked, fused: list[int], result: BenchResult) -> None:
    touched = memory.touched_functions(unit)
    gold = [(p, q) for p in gold_paths(memory, unit) for q in touched.get(p, [])]
    if not gold:
        return
    keys, scores = bm25_functions(memory, unit.message)
    baseline = [keys[i] for i in np.argsort(-scores, kind="stable")]
    files = [ranked.paths[i] for i in ranked.order]
    mine = rank_functions(memory, unit.message, files, ranked.similar_units, ranked.vector)
    other = rank_functions(memory, unit.message, [ranked.paths[i] for i in fused], [], None)
    for method, order in zip(METHODS, (mine, baseline, other), strict=True):
        result.add("function", method, rank_metrics(order, gold))


def evaluate_unit(memory: Memory, unit: Unit, result: BenchResult) -> Example | None:
    """Score one unit with every method (before learning it); return its calibration example."""
    gold_files = gold_paths(memory, unit)
    if not gold_files or not unit.message.strip():
        return None
    ranked = memory.rank(unit.message)
    pos = {p: i for i, p in enumerate(ranked.paths)}
    gold = [pos[p] for p in gold_files]
    fused = _file_level(memory, ranked, gold, result)
    _function_level(memory, unit, ranked, fused, result)
    return Example(ranked.features, ranked.cochange, gold)


def run_bench(
    repo: Path, cut: str, embedder: Embedder | None, config: BuildConfig | None = None, limit: int | None = None
) -> BenchResult:
    """Build memory from the units before `cut`, then evaluate (and learn) the units after it, in order."""
    config = config or BuildConfig()
    units = list(iter_units(repo))
    split = cut_index(units, cut)
    result = BenchResult(repo=str(repo), cut=cut, history_units=split)
    started = time.perf_counter()
    memory = build_from_units(repo, units[:split], embedder, config)
    result.build_s = time.perf_counter() - started
    with BlobReader(repo) as blobs:
        for unit in units[split:][:limit]:
            example = evaluate_unit(memory, unit, result)
            memory.observe(unit, unit_texts(unit, blobs))
            if example is not None:
                remember_example(memory, example, config)
    result.eval_s = time.perf_counter() - started - result.build_s
    return result


def format_result(result: BenchResult) -> str:
    """A plain-text table: one line per level and method, plus the evaluated unit counts."""
    lines = [
        f"{result.repo} cut={result.cut} history_units={result.history_units} "
        f"build={result.build_s:.1f}s eval={result.eval_s:.1f}s"
    ]
    for level in LEVELS:
        lines.append(f"  {level} (units={result.count(level)})")
        for method in METHODS:
            m = result.means(level, method)
            cells = " ".join(f"{k}={v:.3f}" for k, v in m.items())
            lines.append(f"    {method:22s} {cells}")
    return "\n".join(lines)
