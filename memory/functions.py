"""Function-level ranking inside the top-ranked files, and the function-BM25 baseline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from memory.textproc import code_mentions, tokenize

if TYPE_CHECKING:
    from memory.engine import Memory

__all__ = ["FUNCTION_FILES", "ScoredFunction", "bm25_functions", "rank_functions", "score_functions"]

FUNCTION_FILES = 10
FuncKey = tuple[str, str]


def bm25_functions(memory: Memory, query: str) -> tuple[list[FuncKey], np.ndarray]:
    """Every function of every candidate file with its BM25 score for `query`."""
    index = memory.snapshot.function_index()
    return memory.snapshot.func_keys, index.scores(tokenize(query))


def _history_votes(memory: Memory, similar: list[tuple[int, float]]) -> dict[FuncKey, float]:
    votes: dict[FuncKey, float] = {}
    for unit_index, weight in similar:
        for change in memory.history.units[unit_index].files:
            for name in change.funcs:
                key = (change.path, name)
                votes[key] = votes.get(key, 0.0) + weight
    return votes


def _emb_scores(memory: Memory, query_vector: np.ndarray | None, paths: set[str]) -> dict[FuncKey, float]:
    if query_vector is None:
        return {}
    out: dict[FuncKey, float] = {}
    for path in paths:
        quals, vectors = memory.chunk_vectors.get(path, ([], np.zeros((0, 1))))
        if quals:
            for qual, sim in zip(quals, vectors @ query_vector, strict=True):
                out[(path, qual)] = float(sim)
    return out


@dataclass(frozen=True)
class ScoredFunction:
    """A function of a top file, its score, and each term's part of it (see `score_functions`)."""

    key: FuncKey
    score: float
    terms: dict[str, float]


def score_functions(
    memory: Memory,
    query: str,
    file_order: list[str],
    similar: list[tuple[int, float]],
    query_vector: np.ndarray | None = None,
) -> list[ScoredFunction]:
    """Functions of the top files, best first, scored by these terms: "file" (1 / its file's rank), "text"
    (function BM25 over the best), "changes" (votes of similar past changes that touched it), "mention" (its
    name is in the query) and "embedding" (cosine of its chunk)."""
    keys, bm25 = bm25_functions(memory, query)
    top_files = {p: rank for rank, p in enumerate(file_order[:FUNCTION_FILES])}
    scale = (float(bm25.max()) if bm25.size else 0.0) or 1.0  # a repo may have no functions at all
    votes = _history_votes(memory, similar)
    vote_scale = max(votes.values(), default=0.0) or 1.0
    mentioned = code_mentions(query)
    emb = _emb_scores(memory, query_vector, set(top_files))
    scored: list[ScoredFunction] = []
    for (path, qual), lexical in zip(keys, bm25, strict=True):
        if path not in top_files:
            continue
        name = qual.rsplit(".", 1)[-1]
        terms = {
            "file": 1.0 / (1 + top_files[path]),
            "text": float(lexical) / scale,
            "changes": 0.5 * (votes.get((path, name), 0.0) + votes.get((path, qual), 0.0)) / vote_scale,
            "mention": 0.5 * (name.lower() in mentioned),
            "embedding": 0.5 * max(0.0, emb.get((path, qual), 0.0)),
        }
        score = terms["file"] + terms["text"]  # summed in this order, as the benchmark's figures were
        score += terms["changes"]
        score += terms["mention"] + terms["embedding"]
        scored.append(ScoredFunction((path, qual), score, terms))
    scored.sort(key=lambda item: -item.score)
    return scored


def rank_functions(
    memory: Memory,
    query: str,
    file_order: list[str],
    similar: list[tuple[int, float]],
    query_vector: np.ndarray | None = None,
) -> list[FuncKey]:
    """Functions of the top files, best first (`score_functions` without the scores)."""
    return [f.key for f in score_functions(memory, query, file_order, similar, query_vector)]
