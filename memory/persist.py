"""Serialise a Memory to one versioned, checksummed base file, written atomically (temp file + rename).

Updates append to a journal next to the base instead (memory/journal.py); a full write drops it.

The history (units, touches, co-change counts) and the message tokens are pickled rather than replayed: a
fresh worker loading pip's 5k units spent ~0.2 s decoding units from JSON, re-adding them and re-tokenising
their messages, against ~0.09 s to unpickle the result. The unpickler only builds the few classes the history
is made of (anything else is IndexCorrupt), and the state carries a fingerprint of their fields, so a file
written before any of them changed shape is rebuilt, never trusted. The snapshot's content and function term
counts travel with them as flat bytes (`TermIndex.dump`): a fresh worker's first query no longer re-counts
every file and function (~0.05 s for pip).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import pickle
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.engine import Memory
from memory.errors import IndexCorrupt
from memory.fusion import Example, Weights
from memory.history import History
from memory.model import FileChange, Unit
from memory.snapshot import FileEntry
from memory.symbols import Symbol
from memory.termindex import Dumped
from memory.vectors import Embedder

__all__ = [
    "FORMAT_VERSION",
    "entry_from",
    "entry_json",
    "examples_arrays",
    "examples_from",
    "journal_path",
    "pack",
    "pending_of",
    "read_base",
    "read_header",
    "read_memory",
    "schema",
    "unpack",
    "write_atomic",
    "write_memory",
]

# 7: hunks flat; 8: history, tokens pickled (schema fingerprint); 9: term counts; 10: flat examples; 11: title view;
# 12: symbols under if/try/with, TS overloads and `this.x`, symlink renames, non-UTF-8 paths;
# 13: `this` in a function assigned to `Foo.prototype.m`
FORMAT_VERSION = 13


def entry_json(entry: FileEntry) -> list[Any]:
    symbols = [[s.qualname, s.kind, s.start, s.end, s.signature, s.doc] for s in entry.symbols]
    return [entry.tokens, symbols, entry.func_tokens, entry.chunks]


def entry_from(row: list[Any]) -> FileEntry:
    tokens, symbols, func_tokens, chunks = row
    return FileEntry(tokens, [Symbol(*s) for s in symbols], func_tokens, chunks)


_PICKLED = frozenset(
    {
        ("memory.history", "History"),
        ("memory.model", "Unit"),
        ("memory.model", "FileChange"),
        ("collections", "Counter"),
        ("collections", "defaultdict"),
        ("builtins", "list"),
        ("builtins", "set"),
    }
)


def schema() -> str:
    """A fingerprint of the pickled classes' fields: it changes whenever one of them changes shape."""
    names = [[f.name for f in fields(Unit)], [f.name for f in fields(FileChange)], sorted(vars(History()))]
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]


class _HistoryUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _PICKLED:
            raise IndexCorrupt(f"memory file pickles {module}.{name}, which a history is not made of")
        return super().find_class(module, name)


def _pickled_history(memory: Memory) -> np.ndarray:
    parts = (memory.history, memory.msg_tokens, memory.snapshot.dump_terms())
    return np.frombuffer(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)


def _unpickled_history(array: np.ndarray) -> tuple[History, list[list[str]], tuple[Dumped, Dumped]]:
    """History, message tokens, and the snapshot's content and function term counts."""
    try:
        history, tokens, terms = _HistoryUnpickler(io.BytesIO(array.tobytes())).load()
    except (pickle.UnpicklingError, AttributeError, ValueError, TypeError, EOFError) as exc:
        raise IndexCorrupt(f"memory file has an unreadable history: {exc}") from exc
    if not isinstance(history, History) or not isinstance(tokens, list) or len(tokens) != len(history.units):
        raise IndexCorrupt("memory file has a malformed history")
    return history, tokens, terms


def _state(memory: Memory, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": schema(),
        "snapshot_sha": memory.snapshot.sha,
        "files": {p: entry_json(e) for p, e in memory.snapshot.files.items()},
        "weights": [memory.weights.signal, memory.weights.cochange, memory.weights.completion],
        "pending": memory.pending_examples,
        "chunk_keys": {p: quals for p, (quals, _) in memory.chunk_vectors.items()},
        "golds": [ex.gold for ex in memory.examples],
        "embedder": memory.embedder.name if memory.embedder else None,
        "extra": extra,
    }


def examples_arrays(examples: list[Example]) -> dict[str, np.ndarray]:
    """All examples in six flat arrays (one zip member each, not two per example): per example its number of
    candidates and of co-change entries, then every feature row, CSR row pointer, column index and rate."""
    matrices = [ex.cochange.tocsr() for ex in examples]
    width = examples[0].features.shape[1] if examples else 0
    return {
        "ex_sizes": np.array([ex.features.shape[0] for ex in examples], dtype=np.int64),
        "ex_nnz": np.array([m.nnz for m in matrices], dtype=np.int64),
        "ex_features": np.concatenate([ex.features for ex in examples]) if examples else np.zeros((0, width)),
        "ex_indptr": np.concatenate([m.indptr for m in matrices] or [np.zeros(0, dtype=np.int64)]),
        "ex_indices": np.concatenate([m.indices for m in matrices] or [np.zeros(0, dtype=np.int64)]),
        "ex_data": np.concatenate([m.data for m in matrices] or [np.zeros(0, dtype=np.float32)]),
    }


def examples_from(golds: list[list[int]], arrays: Any) -> list[Example]:
    """The examples `examples_arrays` flattened, each with its gold rows; ValueError when the parts disagree."""
    sizes, nnz = arrays["ex_sizes"], arrays["ex_nnz"]
    if not len(sizes) == len(nnz) == len(golds):
        raise ValueError(f"{len(golds)} golds for {len(sizes)} stored examples")
    if not golds:
        return []
    features = np.split(arrays["ex_features"], np.cumsum(sizes)[:-1])
    pointers = np.split(arrays["ex_indptr"], np.cumsum(sizes + 1)[:-1])
    cuts = np.cumsum(nnz)[:-1]
    columns, rates = np.split(arrays["ex_indices"], cuts), np.split(arrays["ex_data"], cuts)
    out = []
    for n, gold, feats, indptr, cols, data in zip(sizes, golds, features, pointers, columns, rates, strict=True):
        matrix = sparse.csr_matrix((data, cols, indptr), shape=(int(n), int(n)))
        out.append(Example(feats, matrix, gold))
    return out


def _arrays(memory: Memory) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {"msg_vectors": memory.message_vectors(), "history": _pickled_history(memory)}
    for i, (_, (_, vectors)) in enumerate(sorted(memory.chunk_vectors.items())):
        arrays[f"chunk_{i}"] = vectors
    return arrays | examples_arrays(memory.examples)


def pack(state: dict[str, Any], arrays: dict[str, np.ndarray], header: dict[str, Any]) -> bytes:
    """One file: a length-prefixed JSON header (with the payload's sha256), then an npz of arrays + gzip state."""
    buffer = io.BytesIO()
    raw_state = gzip.compress(json.dumps(state).encode(), compresslevel=1)
    savez: Any = np.savez  # numpy's stub types **kwds as the allow_pickle flag
    savez(buffer, **arrays, state=np.frombuffer(raw_state, dtype=np.uint8))
    payload = buffer.getvalue()
    head = json.dumps({**header, "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    return len(head).to_bytes(4, "big") + head + payload


def write_atomic(target: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def journal_path(base: Path) -> Path:
    return base.with_name(base.name + ".journal")


def write_memory(memory: Memory, target: Path, extra: dict[str, Any]) -> None:
    """Write `memory` to `target` atomically, as a new base: any journal of the old base is dropped."""
    write_atomic(target, pack(_state(memory, extra), _arrays(memory), {"version": FORMAT_VERSION}))
    journal_path(target).unlink(missing_ok=True)


def read_header(source: Path) -> dict[str, Any]:
    """Only the header of a memory file (cheap: the payload is not read)."""
    try:
        with source.open("rb") as handle:
            size = int.from_bytes(handle.read(4), "big")
            header = json.loads(handle.read(size))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"unreadable memory file {source}: {exc}") from exc
    if not isinstance(header, dict):
        raise IndexCorrupt(f"memory file {source} has no header")
    return header


def unpack(source: Path, version: int) -> tuple[dict[str, Any], bytes]:
    """Header and checksummed payload of a file written by `pack`; IndexCorrupt if anything is off."""
    try:
        raw = source.read_bytes()
        size = int.from_bytes(raw[:4], "big")
        header = json.loads(raw[4 : 4 + size])
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"unreadable memory file {source}: {exc}") from exc
    if not isinstance(header, dict) or header.get("version") != version:
        raise IndexCorrupt(f"memory file {source} has format {header!r}, expected version {version}")
    payload = raw[4 + size :]
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise IndexCorrupt(f"memory file {source} fails its checksum")
    return header, payload


def _restore(state: dict[str, Any], arrays: Any, embedder: Embedder | None) -> Memory:
    memory = Memory(embedder)
    memory.history, memory.msg_tokens, terms = _unpickled_history(arrays["history"])
    if embedder is not None and len(arrays["msg_vectors"]) == len(memory.history.units):
        memory.msg_vectors = [arrays["msg_vectors"]]
    memory.snapshot.files = {p: entry_from(row) for p, row in state["files"].items()}
    memory.snapshot.restore_terms(*terms)
    memory.snapshot.sha = state["snapshot_sha"]
    signal, cochange, completion = state["weights"]
    memory.weights = Weights(signal, cochange, completion)
    memory.pending_examples = pending_of(state)
    if embedder is not None:
        for i, (path, quals) in enumerate(sorted(state["chunk_keys"].items())):
            memory.chunk_vectors[path] = (quals, arrays[f"chunk_{i}"])
    memory.examples = examples_from(state["golds"], arrays)
    return memory


def pending_of(state: dict[str, Any]) -> int:
    """Examples made since the last calibration (files written before this was kept count none)."""
    pending = state.get("pending", 0)
    if not isinstance(pending, int) or isinstance(pending, bool) or pending < 0:
        raise ValueError(f"pending examples {pending!r} is not a count")
    return pending


@contextlib.contextmanager
def _opened(source: Path) -> Iterator[tuple[Any, dict[str, Any], str]]:
    """The arrays, the decoded state and the payload checksum of a memory file; anything malformed is IndexCorrupt."""
    header, payload = unpack(source, FORMAT_VERSION)
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            yield arrays, json.loads(gzip.decompress(arrays["state"].tobytes())), header["sha256"]
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise IndexCorrupt(f"memory file {source} is malformed: {exc}") from exc


def read_base(source: Path, embedder: Embedder | None) -> tuple[Memory, dict[str, Any], str]:
    """Load a memory file: memory, extra, and the checksum of the very bytes loaded (which a journal must name).

    Anything wrong with it (format, version, checksum, embedder) is IndexCorrupt.
    """
    with _opened(source) as (arrays, state, checksum):
        if state["embedder"] != (embedder.name if embedder else None):
            raise IndexCorrupt(f"memory file {source} was built with embedder {state['embedder']!r}")
        if state["schema"] != schema():
            raise IndexCorrupt(f"memory file {source} pickles a history of another shape")
        return _restore(state, arrays, embedder), state["extra"], checksum


def read_memory(source: Path, embedder: Embedder | None) -> tuple[Memory, dict[str, Any]]:
    """Load a memory file (without its journal); IndexCorrupt as `read_base`."""
    memory, extra, _ = read_base(source, embedder)
    return memory, extra


def read_embedder(source: Path) -> str | None:
    """The name of the embedder a memory file was built with (None: lexical only), without restoring it."""
    with _opened(source) as (_, state, _):
        name = state["embedder"]
    if name is not None and not isinstance(name, str):
        raise IndexCorrupt(f"memory file {source} names no embedder")
    return name
