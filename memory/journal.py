"""The journal: what memory learned since its base file was written, so an update writes little.

A full write of pip's memory is ~25 MB (every file's tokens and every function's vector); an update of a few
units changes a few files. The journal holds the units learned since the base, the snapshot entries and
function vectors of the files they touched, the message vectors of those units, and the current weights and
calibration examples. It names its base by the base's checksum: a journal left over from an older base (a
crash between writing a new base and deleting the journal) is ignored, never applied to the wrong base.
It is cumulative and rewritten atomically on each update; the store compacts it into a new base when it grows.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from memory.engine import Memory
from memory.errors import IndexCorrupt
from memory.fusion import Weights
from memory.model import Unit
from memory.persist import (
    entry_from,
    entry_json,
    examples_arrays,
    examples_from,
    journal_path,
    pack,
    read_header,
    unpack,
    write_atomic,
)
from memory.textproc import tokenize
from memory.vectors import Embedder

__all__ = ["JOURNAL_VERSION", "read_journal", "write_journal"]

JOURNAL_VERSION = 2  # 2: hunks stored flat


def _touched(units: list[Unit]) -> list[str]:
    return sorted({p for u in units for f in u.files for p in (f.path, f.old_path)})


def _state(memory: Memory, base_units: int, paths: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    files = memory.snapshot.files
    return {
        "base_units": base_units,
        "units": [u.to_json() for u in memory.history.units[base_units:]],
        "snapshot_sha": memory.snapshot.sha,
        "files": {p: entry_json(files[p]) if p in files else None for p in paths},
        "chunk_keys": {p: memory.chunk_vectors[p][0] if p in memory.chunk_vectors else None for p in paths},
        "weights": [memory.weights.signal, memory.weights.cochange, memory.weights.completion],
        "golds": [ex.gold for ex in memory.examples],
        "embedder": memory.embedder.name if memory.embedder else None,
        "extra": extra,
    }


def write_journal(memory: Memory, base: Path, base_units: int, extra: dict[str, Any]) -> None:
    """Record everything learned after the base's first `base_units` units, atomically, next to `base`."""
    paths = _touched(memory.history.units[base_units:])
    arrays = examples_arrays(memory.examples)
    if memory.embedder is not None:
        arrays["msg_vectors"] = memory.message_vectors()[base_units:]
        with_vectors = [p for p in paths if p in memory.chunk_vectors]
        arrays |= {f"chunk_{i}": memory.chunk_vectors[p][1] for i, p in enumerate(with_vectors)}
    header = {"version": JOURNAL_VERSION, "base": read_header(base).get("sha256")}
    write_atomic(journal_path(base), pack(_state(memory, base_units, paths, extra), arrays, header))


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
    memory.examples = examples_from(state["golds"], arrays)


def read_journal(memory: Memory, base: Path, embedder: Embedder | None) -> tuple[int, dict[str, Any] | None]:
    """Apply the journal of `base` to `memory` (just read from it): (units in the base, the journal's extra).

    Without a journal, or with one left over from another base, memory is unchanged and extra is None.
    """
    path = journal_path(base)
    base_units = len(memory.history.units)
    if not path.exists():
        return base_units, None
    header, payload = unpack(path, JOURNAL_VERSION)
    if header.get("base") != read_header(base).get("sha256"):
        return base_units, None
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            state = json.loads(gzip.decompress(arrays["state"].tobytes()))
            if state["embedder"] != (embedder.name if embedder else None) or state["base_units"] != base_units:
                raise IndexCorrupt(f"journal {path} does not continue its base")
            _apply(memory, state, arrays)
            return base_units, state["extra"]
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise IndexCorrupt(f"journal {path} is malformed: {exc}") from exc
