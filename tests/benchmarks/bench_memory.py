"""Repository memory: chronological localization quality on dev repos, and build/update/recall speed.

    .venv/bin/python -m tests.benchmarks.bench_memory \
        --repo /tmp/repos/click:2024-01-01 --repo /tmp/repos/httpx:2023-01-01 \
        --repo /tmp/repos/starlette:2023-01-01 --big /tmp/repos/pip [--embedder model|fake|none] [--limit N]

Quality: per repo, file- and function-level R@1/5/10, Acc@5, MRR and co-change completion for memory, with
content-BM25 and RRF(content-BM25, message-BM25) measured in the same run; then the mean deltas vs content-BM25.
Speed (on --big): full build up to HEAD~10 (embeddings and conventions included), then, in a fresh
process state, the incremental update of the last 10 first-parent units (load from disk + learn +
save), then recall latency (p50/p95 over recent unit titles). Baselines in the same run: streaming
`git log` alone for the build, a content-BM25-only query for recall. Peak memory is ru_maxrss.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from memory.bench import METHODS, BenchResult, format_intervals, format_result, run_bench
from memory.builder import BuildConfig
from memory.cli import embedder_for
from memory.gitlog import iter_units
from memory.service import RepoMemory
from memory.textproc import tokenize


def quality(specs: list[str], kind: str, limit: int | None) -> None:
    results: list[BenchResult] = []
    for spec in specs:
        path, cut = spec.rsplit(":", 1)
        result = run_bench(Path(path), cut, embedder_for(kind), BuildConfig(), limit=limit)
        print(format_result(result), flush=True)
        results.append(result)
    for level in ("file", "function", "completion"):
        for metric in ("R@5", "MRR"):
            deltas = [
                r.means(level, "memory")[metric] - r.means(level, "content-bm25")[metric]
                for r in results
                if r.means(level, "memory")
            ]
            rrf = [
                r.means(level, METHODS[2])[metric] - r.means(level, "content-bm25")[metric]
                for r in results
                if r.means(level, "memory")
            ]
            if deltas:
                print(
                    f"mean delta vs content-bm25 {level:10s} {metric:4s}: memory {100 * statistics.mean(deltas):+.1f} "
                    f"pts (min {100 * min(deltas):+.1f}), rrf {100 * statistics.mean(rrf):+.1f} pts"
                )
    print(format_intervals(results))


def speed(repo: Path, kind: str, queries: int) -> None:
    started = time.perf_counter()
    units = sum(1 for _ in iter_units(repo))
    ingest_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        embedder = embedder_for(kind)
        memories = RepoMemory(Path(folder), embedder)
        started, cpu_started = time.perf_counter(), time.process_time()
        memory = memories.update(repo, "HEAD~10")
        build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        memories = RepoMemory(Path(folder), embedder)  # a worker with the model loaded: memory comes from disk
        started, cpu_started = time.perf_counter(), time.process_time()
        memory = memories.update(repo, "HEAD")
        update_s, update_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        print(
            f"full build: {len(memory.history.units) - 10} units ({units} in git log) in {build_s:.1f}s; "
            f"(process CPU {build_cpu_s:.1f}s, all threads); baseline git-log ingestion alone {ingest_s:.1f}s; "
            f"ratio {build_s / ingest_s:.1f}x"
        )
        print(
            f"incremental update of 10 units (load + learn + save): {update_s:.2f}s (CPU {update_cpu_s:.2f}s) "
            f"({update_s / build_s:.4f} of a full build)"
        )
        titles = [u.message for u in memory.history.units[-queries:] if u.message]
        memories.recall(repo, titles[0])  # warm the process cache, as a worker would be
        recall_ms, core_ms, bm25_ms = [], [], []
        for title in titles:
            t0 = time.perf_counter()
            memories.recall(repo, title, budget_tokens=4000)
            t1 = time.perf_counter()
            memory.rank(title)
            t2 = time.perf_counter()
            memory.snapshot.content_index().scores(tokenize(title))
            t3 = time.perf_counter()
            recall_ms.append((t1 - t0) * 1000)
            core_ms.append((t2 - t1) * 1000)
            bm25_ms.append((t3 - t2) * 1000)
        named = (("recall (full, with diffs)", recall_ms), ("rank only", core_ms), ("baseline content-bm25", bm25_ms))
        for name, values in named:
            print(
                f"{name}: p50 {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms over {len(values)} queries"
            )
        print(f"recall p95 / content-bm25 p95: {p95(recall_ms) / max(1e-6, p95(bm25_ms)):.1f}x")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", action="append", default=[], help="PATH:CUT (ISO date); repeatable")
    parser.add_argument("--big", type=Path, help="a long history for the build/update/recall speed figures")
    parser.add_argument("--embedder", choices=("model", "fake", "none"), default="model")
    parser.add_argument("--limit", type=int, default=None, help="at most this many units after each cut")
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    print(f"load average at start (2 shared cores): {os.getloadavg()[0]:.1f}")
    if args.repo:
        quality(args.repo, args.embedder, args.limit)
    if args.big:
        speed(args.big, args.embedder, args.queries)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
