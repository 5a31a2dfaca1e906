"""Serialise a Memory to one versioned, checksummed file, written atomically (temp file + rename)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.engine import Memory
from memory.errors import IndexCorrupt
from memory.fusion import Example, Weights
from memory.model import Unit
from memory.snapshot import FileEntry
from memory.symbols import Symbol
from memory.textproc import tokenize
from memory.vectors import Embedder

__all__ = ["FORMAT_VERSION", "read_memory", "write_memory"]

FORMAT_VERSION = 5


def _entry_json(entry: FileEntry) -> list[Any]:
    symbols = [[s.qualname, s.kind, s.start, s.end, s.signature, s.doc] for s in entry.symbols]
    return [entry.tokens, symbols, entry.func_tokens, entry.chunks]


def _entry(row: list[Any]) -> FileEntry:
    tokens, symbols, func_tokens, chunks = row
    return FileEntry(tokens, [Symbol(*s) for s in symbols], func_tokens, chunks)


def _state(memory: Memory, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "units": [u.to_json() for u in memory.history.units],
        "snapshot_sha": memory.snapshot.sha,
        "files": {p: _entry_json(e) for p, e in memory.snapshot.files.items()},
        "weights": [memory.weights.signal, memory.weights.cochange, memory.weights.completion],
        "chunk_keys": {p: quals for p, (quals, _) in memory.chunk_vectors.items()},
        "golds": [ex.gold for ex in memory.examples],
        "embedder": memory.embedder.name if memory.embedder else None,
        "extra": extra,
    }


def _arrays(memory: Memory) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {"msg_vectors": memory.message_vectors()}
    for i, (_, (_, vectors)) in enumerate(sorted(memory.chunk_vectors.items())):
        arrays[f"chunk_{i}"] = vectors
    for i, ex in enumerate(memory.examples):
        coo = ex.cochange.tocoo()
        arrays[f"ex_{i}_f"] = ex.features
        arrays[f"ex_{i}_c"] = np.stack([coo.row.astype(np.float32), coo.col.astype(np.float32), coo.data])
    return arrays


def write_memory(memory: Memory, target: Path, extra: dict[str, Any]) -> None:
    """Write `memory` to `target` atomically; readers see the old file or the new one, never a mix."""
    state = gzip.compress(json.dumps(_state(memory, extra)).encode(), compresslevel=3)
    buffer = io.BytesIO()
    arrays = _arrays(memory)
    arrays["state"] = np.frombuffer(state, dtype=np.uint8)
    savez: Any = np.savez  # numpy's stub types **kwds as the allow_pickle flag
    savez(buffer, **arrays)
    payload = buffer.getvalue()
    header = json.dumps({"version": FORMAT_VERSION, "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".memory-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(len(header).to_bytes(4, "big") + header + payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _payload(source: Path) -> bytes:
    try:
        raw = source.read_bytes()
        size = int.from_bytes(raw[:4], "big")
        header = json.loads(raw[4 : 4 + size])
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"unreadable memory file {source}: {exc}") from exc
    if not isinstance(header, dict) or header.get("version") != FORMAT_VERSION:
        raise IndexCorrupt(f"memory file {source} has format {header!r}, expected version {FORMAT_VERSION}")
    payload = raw[4 + size :]
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise IndexCorrupt(f"memory file {source} fails its checksum")
    return payload


def _restore(state: dict[str, Any], arrays: Any, embedder: Embedder | None) -> Memory:
    memory = Memory(embedder)
    units = [Unit.from_json(row) for row in state["units"]]
    for unit in units:
        memory.history.add(unit)
        memory.msg_tokens.append(tokenize(unit.message))
    if embedder is not None and len(arrays["msg_vectors"]) == len(units):
        memory.msg_vectors = [arrays["msg_vectors"]]
    memory.snapshot.files = {p: _entry(row) for p, row in state["files"].items()}
    memory.snapshot.sha = state["snapshot_sha"]
    signal, cochange, completion = state["weights"]
    memory.weights = Weights(signal, cochange, completion)
    if embedder is not None:
        for i, (path, quals) in enumerate(sorted(state["chunk_keys"].items())):
            memory.chunk_vectors[path] = (quals, arrays[f"chunk_{i}"])
    for i, gold in enumerate(state["golds"]):
        features, coo = arrays[f"ex_{i}_f"], arrays[f"ex_{i}_c"]
        n = features.shape[0]
        matrix = sparse.csr_matrix((coo[2], (coo[0].astype(int), coo[1].astype(int))), shape=(n, n))
        memory.examples.append(Example(features, matrix, gold))
    return memory


def read_memory(source: Path, embedder: Embedder | None) -> tuple[Memory, dict[str, Any]]:
    """Load a memory file; anything wrong with it (format, version, checksum, embedder) is IndexCorrupt."""
    payload = _payload(source)
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            state = json.loads(gzip.decompress(arrays["state"].tobytes()))
            if state["embedder"] != (embedder.name if embedder else None):
                raise IndexCorrupt(f"memory file {source} was built with embedder {state['embedder']!r}")
            return _restore(state, arrays, embedder), state["extra"]
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise IndexCorrupt(f"memory file {source} is malformed: {exc}") from exc
