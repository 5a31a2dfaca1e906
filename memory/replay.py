"""Memory as it was just before past units: the context a blind attempt at one of them may see.

Memory at a later head knows each past change: its files, its functions after the change, its own message voting
for the files it touched. A blind attempt given that memory is not blind. `before_units` rebuilds memory at the
parent of the earliest unit asked for, then replays the history forward, handing out memory at each asked unit's
parent, so no unit is seen by the memory its own attempt recalls from. Two things make this cheap:

- vectors of messages and function chunks the later memory already has are reused, so only text that differs
  at the parent is embedded again;
- the fusion weights are the later memory's, not recalibrated: they are a few dozen numbers fitted on hundreds
  of units, and no unit's files can be read from them.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from memory.builder import tree_texts, unit_texts
from memory.engine import Memory
from memory.fusion import Weights
from memory.gitlog import BlobReader
from memory.model import Unit
from memory.vectors import Embedder, PrimedEmbedder

__all__ = ["Past", "before_units", "known_vectors", "past_of"]


@dataclass
class Past:
    """What the replay needs from a later memory, copied while that memory is guarded against writers."""

    units: list[Unit]
    weights: Weights
    embedder: Embedder | None


def known_vectors(memory: Memory) -> dict[str, np.ndarray]:
    """Every message and function chunk memory has a vector for, by its text."""
    known: dict[str, np.ndarray] = {}
    units = memory.history.units
    messages = memory.message_vectors() if memory.msg_vectors else None
    if messages is not None and len(messages) == len(units):
        known.update(zip((u.message for u in units), messages, strict=True))
    for path, (quals, vectors) in memory.chunk_vectors.items():
        entry = memory.snapshot.files.get(path)
        if entry is not None:
            known.update((entry.chunks[q], v) for q, v in zip(quals, vectors, strict=True) if q in entry.chunks)
    return known


def past_of(memory: Memory) -> Past:
    """A copy of what `before_units` reads from `memory` (call it under the repo's guard)."""
    embedder = memory.embedder
    if embedder is not None:
        primed = PrimedEmbedder(embedder)
        primed.remember(known_vectors(memory))
        embedder = primed
    return Past(list(memory.history.units), copy.deepcopy(memory.weights), embedder)


def before_units(repo: Path, past: Past, shas: Collection[str]) -> Iterator[tuple[Unit, Memory]]:
    """Each unit of `shas` found in the history, oldest first, with memory as it was at the unit's parent.

    The memory handed out is replayed forward after the caller is done with it: use it before the next item.
    Units not in the history are skipped; the units are the first-parent line, so each is its
    predecessor's child.
    """
    asked = set(shas)
    rows = sorted(i for i, unit in enumerate(past.units) if unit.sha in asked)
    if not rows:
        return
    memory = Memory(past.embedder)
    memory.add_units(past.units[: rows[0]])
    memory.weights = past.weights
    wanted = set(rows)
    with BlobReader(repo) as blobs:
        if rows[0]:
            memory.set_files(tree_texts(repo, past.units[rows[0] - 1].sha, blobs))
            memory.snapshot.sha = past.units[rows[0] - 1].sha
        for index in range(rows[0], rows[-1] + 1):
            unit = past.units[index]
            if index in wanted:
                yield unit, memory
            if index < rows[-1]:
                memory.observe(copy.deepcopy(unit), unit_texts(unit, blobs))  # observe sets the copy's funcs
