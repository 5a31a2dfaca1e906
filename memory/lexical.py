"""BM25 over token lists (bm25s), with the empty-corpus and unknown-token cases handled."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Bm25Index"]


class Bm25Index:
    """Score every document of a fixed corpus against a tokenized query.

    Usage::

        index = Bm25Index([["parse", "args"], ["http", "client"]])
        index.scores(["parse"])   # array([0.9, 0.0])
    """

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> None:
        import bm25s

        self.size = len(docs)
        self._bm25 = None
        # bm25s needs at least one token somewhere; an all-empty corpus simply scores zero.
        if any(docs):
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index([list(d) or ["\x00empty"] for d in docs], show_progress=False)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        if self._bm25 is None or not query:
            return np.zeros(self.size, dtype=np.float32)
        known = [t for t in dict.fromkeys(query) if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
