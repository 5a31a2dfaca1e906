"""A learned listwise ranker over the per-candidate signals (pure numpy + scipy).

Each query's candidates get their signal columns plus, per column, the reciprocal rank of the candidate in that
column (robust to how peaked a signal's scores are). A linear scorer over these is fitted by minimising the
softmax cross-entropy of the gold candidates (ListNet with a one-hot-per-gold target), with an L2 penalty, on
the repo's own recent units; the penalty is picked on the newest part of that history, then the model is refit
on all of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize  # type: ignore[import-untyped]  # scipy ships no stubs

__all__ = ["EXPANSIONS", "expand", "expanded_names", "fit_listwise", "softmax_loss"]

EXPANSIONS = ("", ":rank")
Query = tuple[np.ndarray, Sequence[int]]  # expanded features (n, d) and the gold rows


def expanded_names(signals: Sequence[str]) -> list[str]:
    """Names of the expanded columns, in `expand`'s order."""
    return [f"{name}{suffix}" for suffix in EXPANSIONS for name in signals]


def expand(features: np.ndarray) -> np.ndarray:
    """The signal columns followed by each column's reciprocal rank (0 where the signal is 0)."""
    n = features.shape[0]
    if n == 0:
        return np.zeros((0, 2 * features.shape[1]), dtype=np.float32)
    order = np.argsort(-features, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(n)[:, None], axis=0)
    reciprocal = np.where(features > 0, 1.0 / (1.0 + ranks), 0.0)
    return np.hstack([features, reciprocal]).astype(np.float32)


def _loss_and_grad(w: np.ndarray, queries: Sequence[Query], l2: float, center: np.ndarray) -> tuple[float, np.ndarray]:
    shift = w - center
    loss = l2 * float(shift @ shift)
    grad = 2 * l2 * shift
    for x, gold in queries:
        logits = x @ w
        logits = logits - logits.max()
        probs = np.exp(logits)
        total = probs.sum()
        probs /= total
        target = np.zeros_like(probs)
        target[list(gold)] = 1.0 / len(gold)
        loss -= (float(logits[list(gold)].mean()) - float(np.log(total))) / len(queries)
        grad += x.T @ (probs - target) / len(queries)
    return loss, grad


def softmax_loss(w: np.ndarray, queries: Sequence[Query]) -> float:
    """Mean cross-entropy of the gold rows under softmax(x @ w) (no penalty)."""
    return _loss_and_grad(w, queries, 0.0, w)[0]


def fit_listwise(queries: Sequence[Query], l2: float, center: np.ndarray | None = None) -> np.ndarray:
    """Weights minimising the softmax cross-entropy of gold rows over `queries` plus l2 * |w - center|^2."""
    width = queries[0][0].shape[1] if queries else 0
    w0 = np.zeros(width) if center is None else np.asarray(center, dtype=np.float64)
    if not queries:
        return w0
    cast = [(np.asarray(x, dtype=np.float64), g) for x, g in queries if len(g)]
    result = optimize.minimize(_loss_and_grad, w0, args=(cast, l2, w0), jac=True, method="L-BFGS-B")
    return np.asarray(result.x, dtype=np.float64)
