"""Build memory from a git repository: bulk history, the tree at the split, then online units with calibration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from memory.engine import Memory
from memory.fusion import Example, calibrate
from memory.gitlog import BlobReader, iter_units, list_tree
from memory.model import Unit
from memory.paths import is_candidate
from memory.textproc import title_of
from memory.vectors import Embedder, PrimedEmbedder

__all__ = [
    "BuildConfig",
    "build",
    "build_from_units",
    "chunk_batches",
    "gold_paths",
    "learn_online",
    "learn_units",
    "primed",
    "unit_texts",
]


@dataclass
class BuildConfig:
    """How memory learns: how many recent units calibrate the fusion, and how often to recalibrate."""

    calibration_units: int = 300
    recalibrate_every: int = 25
    bulk_stale_units: int = 10  # while building, message indexes are rebuilt every this many units


def tree_texts(repo: Path, sha: str, blobs: BlobReader) -> dict[str, str | None]:
    """Candidate files at `sha` with their text."""
    return {path: blobs.read(blob) for path, blob in list_tree(repo, sha).items() if is_candidate(path)}


def unit_texts(unit: Unit, blobs: BlobReader) -> dict[str, str | None]:
    """Post-image text of each candidate file the unit touched (None when deleted)."""
    out: dict[str, str | None] = {}
    for change in unit.files:
        if is_candidate(change.path):
            out[change.path] = None if change.status == "D" else blobs.read(f"{unit.sha}:{change.path}")
    return out


def gold_paths(memory: Memory, unit: Unit) -> list[str]:
    """Candidate files the unit modified that exist at its parent (the localization target)."""
    return [p for p in unit.modified_paths() if p in memory.snapshot.files]


def learn_online(
    memory: Memory,
    unit: Unit,
    blobs: BlobReader,
    config: BuildConfig,
    recalibrate: bool = True,
    *,
    texts: dict[str, str | None] | None = None,
) -> Example | None:
    """Score the unit as a calibration example with what memory knew before it, then learn it.

    `texts` are the unit's post-images (`unit_texts`) when the caller already read them.
    """
    example = memory.example(unit.message, gold_paths(memory, unit)) if unit.message.strip() else None
    memory.observe(unit, unit_texts(unit, blobs) if texts is None else texts)
    if example is not None:
        remember_example(memory, example, config, recalibrate)
    return example


def remember_example(memory: Memory, example: Example, config: BuildConfig, recalibrate: bool = True) -> None:
    """Keep the example for calibration; recalibrate every `recalibrate_every` new ones."""
    memory.examples.append(example)
    del memory.examples[: -config.calibration_units]
    memory.pending_examples += 1
    if recalibrate and memory.pending_examples >= config.recalibrate_every:
        memory.weights = calibrate(memory.examples, memory.weights)
        memory.pending_examples = 0


def chunk_batches(memory: Memory, units: list[Unit], texts: list[dict[str, str | None]]) -> list[list[str]]:
    """Per unit, the function chunks `observe` will embed for it: those not in the previous version of a file
    it touched (a function moved by a rename keeps its vector).

    The entries are made once here (`Snapshot.prepare`) and set by `observe` without parsing again.
    """
    files = memory.snapshot.files
    current: dict[str, set[str]] = {}
    batches = []
    for unit, post in zip(units, texts, strict=True):
        renamed = [c.old_path for c in unit.files if c.status == "R" and c.old_path != c.path]
        known: set[str] = set()
        for path in [*renamed, *post]:
            known |= current.get(path, set(files[path].chunks.values()) if path in files else set())
            current[path] = set()
        fresh: set[str] = set()
        for path, text in post.items():
            current[path] = set(memory.snapshot.prepare(path, text).chunks.values()) if text is not None else set()
            fresh |= current[path]
        batches.append(sorted(fresh - known))
    return batches


@contextmanager
def primed(memory: Memory, units: list[Unit], texts: list[dict[str, str | None]]) -> Iterator[None]:
    """Embed the units' messages, their titles and changed functions in one batch up front (each message is
    both a calibration query, with its title, and a message); learning then finds every vector it asks for
    already made.

    One batch sorted by length pads less than one per unit, and the files are parsed once (`Snapshot.prepare`).
    """
    inner = memory.embedder
    if inner is not None:
        batches = chunk_batches(memory, units, texts)
        messages = [u.message for u in units if u.message.strip()]
        titles = [title_of(m) for m in messages]
        memory.embedder = PrimedEmbedder(inner, messages + titles + [t for batch in batches for t in batch])
    try:
        yield
    finally:
        memory.embedder = inner
        memory.snapshot.forget_prepared()


def learn_units(
    memory: Memory, units: list[Unit], blobs: BlobReader, config: BuildConfig, recalibrate: bool = True
) -> None:
    """Learn units online in order, embeddings batched up front; message indexes may lag `bulk_stale_units`.

    No calibration example ever sees its own unit, and the final state is fresh.
    """
    memory.max_stale_units = config.bulk_stale_units
    texts = [unit_texts(unit, blobs) for unit in units]
    try:
        with primed(memory, units, texts):
            for unit, post in zip(units, texts, strict=True):
                learn_online(memory, unit, blobs, config, recalibrate, texts=post)
    finally:
        memory.max_stale_units = 0
        memory.refresh_indexes()


def build_from_units(repo: Path, units: list[Unit], embedder: Embedder | None, config: BuildConfig) -> Memory:
    """Bulk-learn all but the last `calibration_units` units, learn those online, then calibrate."""
    memory = Memory(embedder)
    split = max(0, len(units) - config.calibration_units)
    memory.add_units(units[:split])
    with BlobReader(repo) as blobs:
        if split:
            memory.set_files(tree_texts(repo, units[split - 1].sha, blobs))
            memory.snapshot.sha = units[split - 1].sha
        learn_units(memory, units[split:], blobs, config, recalibrate=False)
    memory.weights = calibrate(memory.examples)
    memory.pending_examples = 0
    return memory


def build(repo: Path, embedder: Embedder | None, config: BuildConfig | None = None, until: str = "HEAD") -> Memory:
    """Memory of `repo` up to `until`, calibrated on its own most recent units."""
    return build_from_units(repo, list(iter_units(repo, until)), embedder, config or BuildConfig())
