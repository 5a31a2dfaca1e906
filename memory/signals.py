"""Per-candidate ranking signals for one query, each column scaled to [0, 1]."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.fusion import SIGNALS
from memory.textproc import code_mentions, split_identifier, tokenize

if TYPE_CHECKING:
    from memory.engine import Memory

__all__ = ["cochange_matrix", "compute_features", "similar_units"]

MESSAGE_TOP_K = 50
CHUNK_TOP_K = 300


def _norm_columns(features: np.ndarray) -> np.ndarray:
    tops = features.max(axis=0) if features.size else np.zeros(features.shape[1])
    return features / np.where(tops > 0, tops, 1)


def similar_units(memory: Memory, query: str, query_vector: np.ndarray | None, k: int) -> list[tuple[int, float]]:
    """Past units most like the query: BM25 over messages, plus embedding similarity when available."""
    scores = memory.message_index().scores(tokenize(query))
    top = scores.max() if scores.size else 0.0
    combined: dict[int, float] = {}
    if top > 0:
        for i in np.argsort(-scores)[:k]:
            if scores[i] > 0:
                combined[int(i)] = float(scores[i] / top)
    index = memory.message_vindex()
    if index is not None and query_vector is not None:
        sims, ids = index.search(query_vector, k)
        for sim, i in zip(sims, ids, strict=True):
            combined[int(i)] = combined.get(int(i), 0.0) + max(0.0, float(sim)) ** 2
    return sorted(combined.items(), key=lambda item: -item[1])[:k]


def _message_votes(memory: Memory, scores: np.ndarray, pos: dict[str, int], column: np.ndarray) -> None:
    order = np.argsort(-scores)[:MESSAGE_TOP_K]
    for i in order:
        if scores[i] <= 0:
            break
        paths = memory.history.unit_paths[int(i)]
        for path in paths:
            if path in pos:
                column[pos[path]] += float(scores[i]) / math.sqrt(len(paths))


def _embedding_columns(memory: Memory, query_vector: np.ndarray, pos: dict[str, int], features: np.ndarray) -> None:
    index = memory.message_vindex()
    if index is not None:
        sims, ids = index.search(query_vector, MESSAGE_TOP_K)
        votes = np.maximum(sims, 0.0) ** 3
        _message_votes(memory, _scatter(ids, votes, len(memory.history.units)), pos, features[:, 2])
    chunks = memory.chunk_vindex()
    if chunks is not None:
        chunk_index, keys = chunks
        sims, ids = chunk_index.search(query_vector, CHUNK_TOP_K)
        for sim, i in zip(sims, ids, strict=True):
            row = pos.get(keys[int(i)][0])
            if row is not None:
                features[row, 3] = max(features[row, 3], float(sim))


def _scatter(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float32)
    out[ids] = values
    return out


def _mentions(memory: Memory, query: str, paths: list[str], column: np.ndarray) -> None:
    mentioned = code_mentions(query)
    words = set(tokenize(query))
    for row, path in enumerate(paths):
        entry = memory.snapshot.files[path]
        names = {s.name.lower() for s in entry.symbols}
        stem = path.rsplit("/", 1)[-1].split(".")[0].lower().strip("_")
        column[row] = len(mentioned & names) + (1.0 if stem in mentioned or stem in words else 0.0) * 0.5
        if not mentioned.isdisjoint(split_identifier(stem)) and stem not in mentioned:
            column[row] += 0.25


def compute_features(memory: Memory, query: str, query_vector: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """The candidate paths and their (n, len(SIGNALS)) feature matrix for `query`."""
    content = memory.snapshot.content_index()
    paths = memory.snapshot.paths
    pos = {p: i for i, p in enumerate(paths)}
    features = np.zeros((len(paths), len(SIGNALS)), dtype=np.float32)
    tokens = tokenize(query)
    features[:, 0] = content.scores(tokens)
    _message_votes(memory, memory.message_index().scores(tokens), pos, features[:, 1])
    if query_vector is not None:
        _embedding_columns(memory, query_vector, pos, features)
    features[:, 4] = [memory.history.prior(p) for p in paths]
    _mentions(memory, query, paths, features[:, 5])
    features[:, 6] = memory.history_index(paths).scores(tokens)
    return paths, _norm_columns(features)


def cochange_matrix(memory: Memory, paths: list[str]) -> sparse.csr_matrix:
    """P(column changes | row changes) between candidates, from the history so far."""
    pos = {p: i for i, p in enumerate(paths)}
    rows, cols, vals = [], [], []
    for path, others in memory.history.cochange.items():
        i = pos.get(path)
        touches = len(memory.history.touches.get(path, ()))
        if i is None or not touches:
            continue
        for other, count in others.items():
            j = pos.get(other)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(count / touches)
    n = len(paths)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=np.float32)
