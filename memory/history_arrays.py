"""History-derived per-candidate arrays: the recency-weighted prior, the last-touch recency and co-change rates.

Each is a function of the history and the candidate paths only, so memory keeps the result until either
changes; computing one is numpy over all touches at once instead of a Python loop per file and per touch.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.history import PRIOR_HALF_LIFE_UNITS, History

__all__ = ["RECENT_HALF_LIFE_UNITS", "cochange_rates", "prior_and_recency"]

RECENT_HALF_LIFE_UNITS = 20.0


def prior_and_recency(history: History, paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per path, `History.prior` and the recency (1 for the last unit, halving every RECENT_HALF_LIFE_UNITS)."""
    now = len(history.units)
    lists = [history.touches.get(p, ()) for p in paths]
    counts = np.fromiter((len(t) for t in lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(chain.from_iterable(lists), dtype=np.float64, count=int(counts.sum()))
    rows = np.repeat(np.arange(len(paths)), counts)
    total = np.bincount(rows, weights=0.5 ** ((now - flat) / PRIOR_HALF_LIFE_UNITS), minlength=len(paths))
    recent = np.zeros(len(paths), dtype=np.float32)
    touched = counts > 0
    last = flat[np.cumsum(counts)[touched] - 1]
    recent[touched] = 0.5 ** ((now - 1 - last) / RECENT_HALF_LIFE_UNITS)
    return np.log1p(total).astype(np.float32), recent


def cochange_rates(history: History, pos: dict[str, int]) -> sparse.csr_matrix:
    """P(column changes | row changes) between the candidates at `pos`, from the history so far."""
    rows, cols, vals = [], [], []
    for path, others in history.cochange.items():
        i = pos.get(path)
        touches = len(history.touches.get(path, ()))
        if i is None or not touches:
            continue
        for other, count in others.items():
            j = pos.get(other)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(count / touches)
    n = len(pos)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=np.float32)
