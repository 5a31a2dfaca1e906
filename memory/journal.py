"""The journal: what memory learned since its base file was written, so an update writes little.

A full write of pip's memory is ~25 MB (every file's tokens and every function's vector); an update of a few
units changes a few files. The journal holds the units learned since the base, the snapshot entries and
function vectors of the files they touched, the message vectors of those units, the current weights, and the
calibration examples made since the base (the rest of the current window is named as a slice of the base's
own examples: rewriting all ~100 of them, ~10 MB of co-change matrices, was most of a journal's size). It
names its base by the base's checksum: a journal left over from an older base (a
crash between writing a new base and deleting the journal) is ignored, never applied to the wrong base.
It is cumulative and rewritten atomically on each update; the store compacts it into a new base when it grows.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from memory.engine import Memory
from memory.errors import IndexCorrupt
from memory.fusion import Example, Weights
from memory.model import Unit
from memory.persist import (
    entry_from,
    entry_json,
    examples_arrays,
    examples_from,
    journal_path,
    pack,
    pending_of,
    read_header,
    unpack,
    write_atomic,
)
from memory.textproc import tokenize
from memory.vectors import Embedder

__all__ = ["JOURNAL_VERSION", "Base", "read_journal", "write_journal"]

# 2: hunks flat; 3: only the examples made since the base, and a slice of its own; 4: flat examples; 5: title view
JOURNAL_VERSION = 5


class Base(NamedTuple):
    """What the base file holds: the first `units` units, and `examples` (the very objects loaded or written)."""

    units: int
    examples: list[Example]


def _window(memory: Memory, base: Base) -> tuple[int, int]:
    """(start, count): the current examples begin with base.examples[start : start + count], then new ones.

    The window only drops examples from its front and appends new ones, so the base's survivors lead it.
    """
    rows = {id(example): row for row, example in enumerate(base.examples)}
    start = rows.get(id(memory.examples[0])) if memory.examples else None
    if start is None:
        return len(base.examples), 0
    count = 0
    while (
        count < len(memory.examples)
        and start + count < len(base.examples)
        and memory.examples[count] is base.examples[start + count]
    ):
        count += 1
    return start, count


def _touched(units: list[Unit]) -> list[str]:
    return sorted({p for u in units for f in u.files for p in (f.path, f.old_path)})


def _state(memory: Memory, base: Base, paths: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    files = memory.snapshot.files
    start, count = _window(memory, base)
    return {
        "base_units": base.units,
        "units": [u.to_json() for u in memory.history.units[base.units :]],
        "snapshot_sha": memory.snapshot.sha,
        "files": {p: entry_json(files[p]) if p in files else None for p in paths},
        "chunk_keys": {p: memory.chunk_vectors[p][0] if p in memory.chunk_vectors else None for p in paths},
        "weights": [memory.weights.signal, memory.weights.cochange, memory.weights.completion],
        "pending": memory.pending_examples,
        "base_examples": [start, count],
        "golds": [ex.gold for ex in memory.examples[count:]],
        "embedder": memory.embedder.name if memory.embedder else None,
        "extra": extra,
    }


def write_journal(memory: Memory, path: Path, base: Base, extra: dict[str, Any]) -> None:
    """Record everything learned since `base` (the memory file at `path`), atomically, next to it."""
    paths = _touched(memory.history.units[base.units :])
    state = _state(memory, base, paths, extra)
    arrays = examples_arrays(memory.examples[state["base_examples"][1] :])
    if memory.embedder is not None:
        arrays["msg_vectors"] = memory.message_vectors()[base.units :]
        with_vectors = [p for p in paths if p in memory.chunk_vectors]
        arrays |= {f"chunk_{i}": memory.chunk_vectors[p][1] for i, p in enumerate(with_vectors)}
    header = {"version": JOURNAL_VERSION, "base": read_header(path).get("sha256")}
    write_atomic(journal_path(path), pack(state, arrays, header))


def _apply(memory: Memory, state: dict[str, Any], arrays: Any) -> None:
    units = [Unit.from_json(row) for row in state["units"]]
    for unit in units:
        memory.history.add(unit)
        memory.msg_tokens.append(tokenize(unit.message))
    if memory.embedder is not None and len(arrays["msg_vectors"]) == len(units):
        memory.msg_vectors.append(arrays["msg_vectors"])
    for path, row in state["files"].items():
        memory.snapshot.files.pop(path, None)
        if row is not None:
            memory.snapshot.files[path] = entry_from(row)
    with_vectors = [p for p, quals in sorted(state["chunk_keys"].items()) if quals is not None]
    for path in state["chunk_keys"]:
        memory.chunk_vectors.pop(path, None)
    if memory.embedder is not None:
        for i, path in enumerate(with_vectors):
            memory.chunk_vectors[path] = (state["chunk_keys"][path], arrays[f"chunk_{i}"])
    memory.snapshot.sha = state["snapshot_sha"]
    memory.weights = Weights(*state["weights"])
    memory.pending_examples = pending_of(state)
    start, count = state["base_examples"]
    if start + count > len(memory.examples):
        raise ValueError(f"journal keeps base examples {start}..{start + count} of {len(memory.examples)}")
    memory.examples = memory.examples[start : start + count] + examples_from(state["golds"], arrays)


def read_journal(
    memory: Memory, base: Path, embedder: Embedder | None, checksum: str
) -> tuple[Base, dict[str, Any] | None]:
    """Apply the journal of `base` to `memory` (just read from it): (what the base holds, the journal's extra).

    `checksum` is that of the base bytes `memory` was read from (`read_base`), not of the file now on disk: a
    reader holds no lock, and a writer may have replaced the base since. Without a journal, or with one of
    another base, memory is unchanged and extra is None.
    """
    path = journal_path(base)
    base_units = len(memory.history.units)
    held = Base(base_units, list(memory.examples))
    if not path.exists():
        return held, None
    header, payload = unpack(path, JOURNAL_VERSION)
    if header.get("base") != checksum:
        return held, None
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            state = json.loads(gzip.decompress(arrays["state"].tobytes()))
            if state["embedder"] != (embedder.name if embedder else None) or state["base_units"] != base_units:
                raise IndexCorrupt(f"journal {path} does not continue its base")
            _apply(memory, state, arrays)
            return held, state["extra"]
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise IndexCorrupt(f"journal {path} is malformed: {exc}") from exc
