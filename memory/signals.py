"""Per-candidate ranking signals for one query, each column scaled to [0, 1].

Every signal is computed twice (`memory.fusion.VIEWS`): for the whole text, and for its first line alone. A
title says what changes; the body of a squash merge or an issue adds bullet lists, links and boilerplate that
pull the lexical and embedding signals elsewhere. The ranker learns per repo how much to trust each view.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.candidates import FileTable, rows_of
from memory.fusion import SIGNALS
from memory.history_arrays import cochange_rates
from memory.textproc import code_mentions, title_of, tokenize

if TYPE_CHECKING:
    from memory.engine import Memory

__all__ = ["cochange_matrix", "compute_features", "features_for", "similar_units"]

MESSAGE_TOP_K = 50
CHUNK_TOP_K = 300
CHUNK_TOP_PER_FILE = 3
MESSAGE_HALF_LIFE_UNITS = 100.0
NEIGHBOUR_UNITS = 10
_COL = {name: i for i, name in enumerate(SIGNALS)}


def _norm_columns(features: np.ndarray) -> np.ndarray:
    tops = features.max(axis=0) if features.size else np.zeros(features.shape[1])
    return features / np.where(tops > 0, tops, 1)


def similar_units(
    memory: Memory, query: str, query_vector: np.ndarray | None, k: int, message_scores: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Past units most like the query: BM25 over messages (`message_scores` if already computed for it), plus
    embedding similarity when available."""
    scores = memory.message_index().scores(tokenize(query)) if message_scores is None else message_scores
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


def _message_votes(
    memory: Memory, scores: np.ndarray, pos: dict[str, int], column: np.ndarray, half_life: float = 0.0
) -> None:
    """Each of the best-matching past units votes for the files it touched (optionally decayed by its age)."""
    now = len(memory.history.units)
    order = np.argsort(-scores)[:MESSAGE_TOP_K]
    for i in order:
        if scores[i] <= 0:
            break
        paths = memory.history.unit_paths[int(i)]
        decay = 0.5 ** ((now - int(i)) / half_life) if half_life > 0 else 1.0
        for path in paths:
            if path in pos:
                column[pos[path]] += decay * float(scores[i]) / math.sqrt(len(paths))


def _embedding_columns(memory: Memory, query_vector: np.ndarray, pos: dict[str, int], features: np.ndarray) -> None:
    index = memory.message_vindex()
    if index is not None:
        sims, ids = index.search(query_vector, MESSAGE_TOP_K)
        votes = np.maximum(sims, 0.0) ** 3
        _message_votes(memory, _scatter(ids, votes, len(memory.history.units)), pos, features[:, _COL["emb_message"]])
    chunks = memory.chunk_vindex()
    if chunks is None:
        return
    chunk_index, keys = chunks
    sims, ids = chunk_index.search(query_vector, CHUNK_TOP_K)
    per_file: dict[int, list[float]] = {}
    for sim, i in zip(sims, ids, strict=True):
        row = pos.get(keys[int(i)][0])
        if row is not None:
            per_file.setdefault(row, []).append(max(0.0, float(sim)))
    for row, values in per_file.items():
        features[row, _COL["emb_code"]] = max(values)
        features[row, _COL["emb_code_top"]] = sum(sorted(values)[-CHUNK_TOP_PER_FILE:]) / CHUNK_TOP_PER_FILE


def _scatter(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float32)
    out[ids] = values
    return out


def _mentions(table: FileTable, query: str, column: np.ndarray) -> None:
    """Symbols named in the query (one point each), the file's own stem (half), or a part of it (a quarter)."""
    mentioned = code_mentions(query)
    np.add.at(column, rows_of(table.names, mentioned), 1.0)
    column[rows_of(table.stems, mentioned | set(tokenize(query)))] += 0.5
    parts = np.unique(rows_of(table.parts, mentioned))
    column[np.setdiff1d(parts, rows_of(table.stems, mentioned))] += 0.25


def _neighbour_votes(memory: Memory, similar: list[tuple[int, float]], pos: dict[str, int], column: np.ndarray) -> None:
    """Files touched by the few past units most like the query, weighted by their similarity."""
    for unit_index, weight in similar:
        paths = memory.history.unit_paths[unit_index]
        for path in paths:
            if path in pos:
                column[pos[path]] += weight / math.sqrt(len(paths))


def _function_max(memory: Memory, tokens: list[str], table: FileTable, column: np.ndarray) -> None:
    """Each file's best function-level BM25 score (a long file matches through its one relevant function)."""
    scores = memory.snapshot.function_index().scores(tokens)
    if scores.size:
        np.maximum.at(column, table.func_rows, scores)


def _one_view(
    memory: Memory, query: str, query_vector: np.ndarray | None
) -> tuple[list[str], np.ndarray, list[tuple[int, float]]]:
    """The candidate paths, their (n, len(SIGNALS)) signals for `query` and the NEIGHBOUR_UNITS most similar units."""
    content = memory.snapshot.content_index()
    table, prior, recent, _ = memory.candidate_arrays()
    paths, pos = table.paths, table.pos
    features = np.zeros((len(paths), len(SIGNALS)), dtype=np.float32)
    tokens = tokenize(query)
    features[:, _COL["content"]] = content.scores(tokens)
    message_scores = memory.message_index().scores(tokens)
    _message_votes(memory, message_scores, pos, features[:, _COL["message"]])
    _message_votes(memory, message_scores, pos, features[:, _COL["message_recent"]], MESSAGE_HALF_LIFE_UNITS)
    if query_vector is not None:
        _embedding_columns(memory, query_vector, pos, features)
    features[:, _COL["prior"]] = prior
    _mentions(table, query, features[:, _COL["mention"]])
    features[:, _COL["history"]] = memory.history_index(paths).scores(tokens)
    features[:, _COL["path"]] = memory.path_index(paths).scores(tokens)
    features[:, _COL["recent"]] = recent
    features[:, _COL["size"]] = table.size
    features[:, _COL["content_flat"]] = memory.flat_content_index().scores(tokens)
    _function_max(memory, tokens, table, features[:, _COL["function"]])
    similar = similar_units(memory, query, query_vector, NEIGHBOUR_UNITS, message_scores)
    _neighbour_votes(memory, similar, pos, features[:, _COL["neighbors"]])
    return paths, _norm_columns(features), similar


def features_for(
    memory: Memory, query: str, query_vector: np.ndarray | None
) -> tuple[list[str], np.ndarray, list[tuple[int, float]]]:
    """The candidate paths, their (n, len(COLUMNS)) features (whole text, then title) and the most similar units."""
    paths, whole, similar = _one_view(memory, query, query_vector)
    title = title_of(query)
    if title == query.strip():
        return paths, np.hstack([whole, whole]), similar
    _, heading, _ = _one_view(memory, title, memory.query_vector(title) if query_vector is not None else None)
    return paths, np.hstack([whole, heading]), similar


def compute_features(memory: Memory, query: str, query_vector: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """The candidate paths and their (n, len(COLUMNS)) feature matrix for `query`."""
    paths, features, _ = features_for(memory, query, query_vector)
    return paths, features


def cochange_matrix(memory: Memory, paths: list[str]) -> sparse.csr_matrix:
    """P(column changes | row changes) between candidates, from the history so far."""
    return cochange_rates(memory.history, {p: i for i, p in enumerate(paths)})
