"""Incremental memory update: time to learn the last N first-parent units of a long history, by phase.

    HF_HUB_OFFLINE=1 .venv/bin/python -m tests.benchmarks.bench_memory_update /tmp/repos/pip \
        [--commits 10] [--embedder model|fake|none] [--repeat 3] [--base DIR]

Builds memory at HEAD~N (or reuses the one in --base built for that commit), then, in fresh workers (model
loaded, no memory in process), updates to HEAD from a copy of that folder --repeat times: load base + journal,
learn the N units (calibration examples, ast/tree-sitter touches, embeddings), write the journal, refresh the
conventions profile; then the same update in workers that already hold the memory at HEAD~N (the files they
wrote are unchanged, so nothing is re-read). Baselines measured in the same run: the full build's cost per
unit times N when it is built (what a rebuild per push costs), and the two steps the previous update path
took instead of the journal and the per-file profile: writing the whole memory file, and re-mining the
conventions profile from the whole tree.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from memory.builder import BuildConfig
from memory.cli import embedder_for
from memory.errors import IndexCorrupt
from memory.gitlog import head_sha
from memory.journal import write_journal
from memory.persist import write_memory
from memory.profile_state import ProfileState, mine_profile, refresh_profile
from memory.service import RepoMemory
from memory.store import MEMORY_FILE, MemoryStore
from memory.textproc import tokenize
from memory.vectors import Embedder


class Clock:
    """Wall and process-CPU seconds of named phases."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def time(self, name: str, started: tuple[float, float]) -> None:
        self.wall.setdefault(name, []).append(time.perf_counter() - started[0])
        self.cpu.setdefault(name, []).append(time.process_time() - started[1])

    def line(self, name: str) -> str:
        wall, cpu = statistics.median(self.wall[name]), statistics.median(self.cpu[name])
        return f"{name}: {wall:.2f}s (CPU {cpu:.2f}s)"


def now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def ensure_base(repo: Path, base: Path, rev: str, embedder: Embedder | None, clock: Clock) -> int:
    """Memory at `rev` in `base` (built unless already there); returns its unit count."""
    store = MemoryStore(base, embedder, BuildConfig())
    target = head_sha(repo, rev)
    try:
        memory, _ = store.load(repo)
    except IndexCorrupt:
        memory = None  # missing or unusable: built below, as the store would
    if memory is not None and memory.snapshot.sha == target:
        print(f"reusing the memory built at {rev} in {base}")
        RepoMemory(base, embedder).update(repo, rev)  # nothing to learn; a profile of an older format is re-mined
        return len(memory.history.units)
    shutil.rmtree(store.repo_dir(repo), ignore_errors=True)
    started = now()
    units = len(RepoMemory(base, embedder).update(repo, rev).history.units)
    clock.time("full build", started)
    return units


def update_once(repo: Path, base: Path, embedder: Embedder | None, clock: Clock) -> int:
    """One fresh worker's update to HEAD from a copy of the base folder; returns the units learned."""
    with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
        shutil.copytree(base, folder, dirs_exist_ok=True)
        memories = RepoMemory(Path(folder), embedder)
        before = len(memories.store.load(repo)[0].history.units)
        started = now()
        memory = memories.update(repo, "HEAD")
        clock.time("update", started)
        return len(memory.history.units) - before


def update_warm(repo: Path, base: Path, embedder: Embedder | None, clock: Clock, rev: str) -> None:
    """A worker that already holds the memory at `rev` (it loaded or wrote it) learns up to HEAD."""
    with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
        shutil.copytree(base, folder, dirs_exist_ok=True)
        memories = RepoMemory(Path(folder), embedder)
        memories.update(repo, rev)  # loads; nothing to learn
        started = now()
        memories.update(repo, "HEAD")
        clock.time("update", started)


def recall_latency(repo: Path, base: Path, embedder: Embedder | None, queries: int) -> None:
    """Recall p50/p95 over recent unit messages in a worker holding the updated memory; content BM25 alone
    (one query against the snapshot's index) is the baseline."""
    with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
        shutil.copytree(base, folder, dirs_exist_ok=True)
        memories = RepoMemory(Path(folder), embedder)
        memory = memories.update(repo, "HEAD")
        titles = [u.message for u in memory.history.units[-queries:] if u.message]
        memories.recall(repo, titles[0])  # warm, as a worker would be
        recall_ms, bm25_ms = [], []
        for title in titles:
            started = time.perf_counter()
            memories.recall(repo, title, budget_tokens=4000)
            middle = time.perf_counter()
            memory.snapshot.content_index().scores(tokenize(title))
            recall_ms.append((middle - started) * 1000)
            bm25_ms.append((time.perf_counter() - middle) * 1000)
    for name, values in (("recall (full, with diffs)", recall_ms), ("baseline content-bm25", bm25_ms)):
        print(f"{name}: p50 {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms over {len(values)} queries")
    print(f"recall p95 / content-bm25 p95: {p95(recall_ms) / max(1e-6, p95(bm25_ms)):.1f}x")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def phases(repo: Path, base: Path, embedder: Embedder | None, clock: Clock) -> None:
    """The same update split into its phases, plus the old path's whole-file write and whole-tree re-mining."""
    with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
        shutil.copytree(base, folder, dirs_exist_ok=True)
        store = MemoryStore(Path(folder), embedder, BuildConfig())
        started = now()
        memory, extra, held = store._load(repo)
        clock.time("  load base + journal", started)
        started = now()
        units = store._new_units(repo, memory.snapshot.sha, head_sha(repo, "HEAD"))
        clock.time("  list new units (git log)", started)
        if units is None:
            raise SystemExit(f"{repo}: the base memory is not on HEAD's first-parent line; rebuild --base")
        started = now()
        store._learn_new(repo, memory, units)
        clock.time("  learn units", started)
        path = store.repo_dir(repo) / MEMORY_FILE
        started = now()
        write_journal(memory, path, held, extra)
        clock.time("  write journal", started)
        old = RepoMemory(Path(folder), embedder)._stored_conventions(store.repo_dir(repo))
        started = now()
        refresh_profile(repo, memory, ProfileState.from_json(old))
        clock.time("  refresh conventions (touched files)", started)
        started = now()
        write_memory(memory, path, extra)
        clock.time("baseline: write the whole memory file", started)
        started = now()
        mine_profile(repo, memory)
        clock.time("baseline: re-mine conventions from the whole tree", started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--commits", type=int, default=10, help="first-parent units to learn in the update")
    parser.add_argument("--embedder", choices=("model", "fake", "none"), default="model")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--queries", type=int, default=40, help="recall latency over this many recent units")
    parser.add_argument("--base", type=Path, help="keep the memory built at HEAD~N here, reused by later runs")
    args = parser.parse_args()
    print(f"load average at start (2 shared cores): {os.getloadavg()[0]:.1f}")
    embedder = embedder_for(args.embedder)
    if embedder is not None:
        embedder.embed(["warm the model up, as a worker would be"] * 10)
    clock = Clock()
    with tempfile.TemporaryDirectory(prefix="bench-update-base-") as scratch:
        base = args.base or Path(scratch)
        base_units = ensure_base(args.repo, base, f"HEAD~{args.commits}", embedder, clock)
        learned = [update_once(args.repo, base, embedder, clock) for _ in range(args.repeat)]
        warm = Clock()
        for _ in range(args.repeat):
            update_warm(args.repo, base, embedder, warm, f"HEAD~{args.commits}")
        phases(args.repo, base, embedder, clock)
        if args.queries:
            recall_latency(args.repo, base, embedder, args.queries)
    update = statistics.median(clock.wall["update"])
    print(f"embedder: {args.embedder}; memory at HEAD~{args.commits}: {base_units} units; update learned {learned[0]}")
    print(f"incremental {clock.line('update')} median of {args.repeat} fresh workers (load + learn + save + profile)")
    print(f"warm worker (memory at HEAD~{args.commits} already in process) {warm.line('update')}")
    for name in clock.wall:
        if name.startswith(("  ", "baseline")):
            print(clock.line(name))
    old = sum(statistics.median(clock.wall[n]) for n in clock.wall if n.startswith("baseline"))
    new = sum(statistics.median(clock.wall[n]) for n in clock.wall if n.startswith(("  write", "  refresh")))
    print(f"save + profile: journal + touched files {new:.2f}s vs whole file + whole tree {old:.2f}s: {old / new:.1f}x")
    if "full build" not in clock.wall:
        print("full build: not measured in this run (memory at HEAD~N reused from --base)")
    else:
        build = clock.wall["full build"][0]
        per_unit = build / max(1, base_units) * max(1, learned[0])
        print(f"{clock.line('full build')} for {base_units} units")
        print(
            f"baseline: full build cost per unit x {learned[0]} units = {per_unit:.2f}s; update / that: "
            f"{update / per_unit:.2f}x; update / full build: {update / build:.4f}"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
