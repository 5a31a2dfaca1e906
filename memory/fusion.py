"""Fusion of ranking signals, ranking metrics, and per-repo calibration of the fusion weights (pure numpy)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.rank import EXPANSIONS, expand, expanded_names, fit_listwise

__all__ = [
    "COLUMNS",
    "FEATURES",
    "SIGNALS",
    "VIEWS",
    "Example",
    "Weights",
    "calibrate",
    "contributions",
    "fuse",
    "rank_metrics",
    "rrf",
]

SIGNALS = (
    "content",
    "message",
    "emb_message",
    "emb_code",
    "prior",
    "mention",
    "history",
    "path",
    "recent",
    "size",
    "emb_code_top",
    "message_recent",
    "neighbors",
    "content_flat",
    "function",
)
VIEWS = ("", "@title")  # every signal is computed for the whole text and for its first line alone
COLUMNS = tuple(f"{name}{view}" for view in VIEWS for name in SIGNALS)
FEATURES = tuple(expanded_names(COLUMNS))
GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
L2_GRID = (0.01, 0.03, 0.1, 0.3)
MIN_LEARNED_EXAMPLES = 12
COCHANGE_SEEDS = 3
_HAND = {"content": 1.0, "message": 1.0, "emb_message": 0.5, "emb_code": 0.5, "prior": 0.25, "mention": 0.5}


@dataclass
class Weights:
    """Weights of the expanded features (`FEATURES`), the co-change propagation weight and the completion weight."""

    signal: dict[str, float] = field(default_factory=lambda: {**_HAND, "history": 0.5})
    cochange: float = 0.25
    completion: float = 1.0

    def vector(self) -> np.ndarray:
        return np.array([self.signal.get(s, 0.0) for s in FEATURES], dtype=np.float64)

    @classmethod
    def from_vector(cls, vector: np.ndarray, cochange: float, completion: float) -> Weights:
        return cls({name: float(v) for name, v in zip(FEATURES, vector, strict=True) if v}, cochange, completion)


@dataclass
class Example:
    """One past unit as a calibration example: candidate features, co-change matrix, gold candidate rows."""

    features: np.ndarray  # (n_candidates, len(COLUMNS)), each column scaled to [0, 1]
    cochange: sparse.csr_matrix  # P(column changes | row changes) between candidates
    gold: list[int]


def _norm(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values


def _unit_range(values: np.ndarray) -> np.ndarray:
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def fuse(features: np.ndarray, cochange: sparse.csr_matrix, weights: Weights) -> np.ndarray:
    """Linear score of the expanded features, plus co-change mass flowing from the top few files."""
    base: np.ndarray = np.asarray(expand(features) @ weights.vector(), dtype=np.float64)
    if weights.cochange <= 0 or cochange.nnz == 0 or base.size == 0:
        return base
    seeds = np.argsort(-base, kind="stable")[:COCHANGE_SEEDS]
    mass = np.exp(base[seeds] - base[seeds[0]])  # each seed's odds relative to the top one
    flow = np.asarray(cochange[seeds].T @ mass).ravel()
    spread = float(base.max() - base.min()) or 1.0
    return np.asarray(base + weights.cochange * _norm(flow) * spread, dtype=np.float64)


def contributions(features: np.ndarray, weights: Weights, row: int) -> np.ndarray:
    """What each signal added to candidate `row`'s linear score (its value and rank parts, in every view)."""
    parts = expand(features)[row] * weights.vector()
    return np.asarray(parts.reshape(len(EXPANSIONS) * len(VIEWS), len(SIGNALS)).sum(axis=0), dtype=np.float64)


def complete(scores: np.ndarray, cochange: sparse.csr_matrix, seeds: int | Sequence[int], weight: float) -> np.ndarray:
    """Scores for the rest of a change once `seeds` (one row or several) are known to be in it.

    Co-change mass flows from every seed: the seeds' co-change rows are summed, scaled to a top of 1 and
    weighted on top of the range-scaled fused scores; the seeds themselves score -inf. With one seed the
    sum is that seed's row itself, so the scores are exactly those of the single-seed formula.
    """
    rows = [seeds] if isinstance(seeds, int | np.integer) else list(seeds)
    row = np.asarray(cochange[rows].todense()).sum(axis=0) if rows else np.zeros(scores.shape, np.float32)
    out = _unit_range(scores) + weight * _norm(np.asarray(row).ravel())
    out[rows] = -np.inf
    return out


def rank_metrics(
    order: Sequence[Hashable], gold: Sequence[Hashable], ks: Sequence[int] = (1, 5, 10)
) -> dict[str, float]:
    """R@k, Acc@5 (all gold in the top 5) and reciprocal rank of the first gold item in `order`."""
    gold_set = set(gold)
    if not gold_set:
        return {}
    position: dict[Hashable, int] = {}
    for rank, item in enumerate(order):
        position.setdefault(item, rank)
    ranks = sorted(position.get(g, len(order) + 10**6) for g in gold_set)
    out = {f"R@{k}": sum(r < k for r in ranks) / len(gold_set) for k in ks}
    out["Acc@5"] = float(all(r < 5 for r in ranks))
    out["MRR"] = 1.0 / (ranks[0] + 1) if ranks[0] < len(order) else 0.0
    return out


def rrf(rankings: Sequence[Sequence[int]], k: int = 60) -> list[int]:
    """Reciprocal-rank fusion of several rankings over the same items."""
    score: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            score[item] = score.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(score, key=lambda i: (-score[i], i))


def _objective(examples: Sequence[Example], weights: Weights) -> float:
    total = 0.0
    for ex in examples:
        order = np.argsort(-fuse(ex.features, ex.cochange, weights), kind="stable")
        m = rank_metrics(order.tolist(), ex.gold)
        total += m["MRR"] + m["R@5"]
    return total / max(1, len(examples))


def _completion_objective(examples: Sequence[Example], weights: Weights) -> float:
    total, count = 0.0, 0
    for ex in examples:
        if len(ex.gold) < 2:
            continue
        scores = fuse(ex.features, ex.cochange, weights)
        order = np.argsort(-complete(scores, ex.cochange, ex.gold[0], weights.completion), kind="stable")
        total += rank_metrics(order.tolist()[:-1], ex.gold[1:])["MRR"]
        count += 1
    return total / max(1, count)


def _copy(weights: Weights) -> Weights:
    return Weights(dict(weights.signal), weights.cochange, weights.completion)


def _coordinate_ascent(examples: Sequence[Example], start: Weights, passes: int) -> Weights:
    """Grid search one signal weight at a time (for histories too short to fit a ranker on)."""
    best = _copy(start)
    best_score = _objective(examples, best)
    for _ in range(passes):
        for name in SIGNALS:
            for value in GRID:
                trial = _copy(best)
                trial.signal[name] = value
                score = _objective(examples, trial)
                if score > best_score + 1e-9:
                    best, best_score = trial, score
    return best


def _learned(examples: Sequence[Example]) -> Weights:
    """The listwise ranker, averaged over the L2_GRID penalties (no penalty is picked, so none is overfitted)."""
    queries = [(expand(ex.features), ex.gold) for ex in examples]
    vector = np.mean([fit_listwise(queries, l2) for l2 in L2_GRID], axis=0)
    return Weights.from_vector(vector, 0.0, 1.0)


def calibrate(examples: Sequence[Example], start: Weights | None = None, passes: int = 2) -> Weights:
    """Fit the fusion to `examples` (only history already seen), maximising MRR + R@5.

    With at least MIN_LEARNED_EXAMPLES examples the signal weights come from the listwise ranker
    (memory.rank, averaged over the L2_GRID penalties); with fewer, from coordinate ascent over GRID
    starting at `start`. The co-change and completion weights are then picked on GRID.
    """
    start = start or Weights()
    if not examples:
        return _copy(start)
    if len(examples) >= MIN_LEARNED_EXAMPLES:
        best = _learned(examples)
    else:
        best = _coordinate_ascent(examples, start, passes)
    best.cochange = -max((_objective(examples, Weights(best.signal, v, 1.0)), -v) for v in GRID)[1]
    scored = [(_completion_objective(examples, Weights(best.signal, best.cochange, v)), -v) for v in GRID]
    best.completion = -max(scored)[1]
    return best
