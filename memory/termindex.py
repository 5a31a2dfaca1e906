"""BM25 over named documents that change a few at a time: a changed document is re-counted, nothing else.

Scores equal bm25s's default (Lucene) variant, which `lexical.Bm25Index` wraps: idf = ln(1 + (N - df + 0.5) /
(df + 0.5)), tf part = tf / (tf + k1 (1 - b + b dl / avgdl)), summed over the query's distinct known tokens; an
empty document counts as one placeholder token, as there. bm25s re-tokenises the whole corpus on every
rebuild; here each document keeps its term-id and count arrays, and the term-major matrix the scores need is
re-assembled from them with numpy only when the documents changed since the last query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.lexical import Bm25Index

__all__ = ["Dumped", "TermIndex", "TermScores"]

EMPTY = "\x00empty"
Dumped = tuple[list[Any], list[str], bytes, bytes, bytes]  # keys, vocabulary, sizes, ids, counts (see dump)


class TermIndex:
    """Documents keyed by any hashable; `scores` ranks them in a given order.

    Usage::

        index = TermIndex()
        index.set("a.py", ["parse", "args"])
        index.set("b.py", ["http", "client"])
        index.scores(["a.py", "b.py"], ["parse"])   # array([0.9, 0.0])
    """

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._docs: dict[Hashable, tuple[np.ndarray, np.ndarray]] = {}
        self._matrix: tuple[list[Hashable], Any, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._docs)

    def set(self, key: Hashable, tokens: Sequence[str]) -> None:
        counts = Counter(tokens) or Counter({EMPTY: 1})
        vocab = self._vocab
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in counts), dtype=np.int64, count=len(counts))
        self._docs[key] = (ids, np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        self._matrix = None

    def dump(self) -> Dumped:
        """Everything counted, as flat data to persist: keys, vocabulary (in id order), and per key, in key
        order, its number of distinct terms, then all term ids and all counts (int64 and float64 bytes)."""
        rows = list(self._docs.values())
        sizes = np.fromiter((len(ids) for ids, _ in rows), dtype=np.int64, count=len(rows))
        ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        counts = np.concatenate([c for _, c in rows]) if rows else np.zeros(0)
        return list(self._docs), list(self._vocab), sizes.tobytes(), ids.tobytes(), counts.tobytes()

    @classmethod
    def restore(cls, dumped: Dumped) -> TermIndex:
        """The index `dump` was taken from; ValueError when the parts do not fit together."""
        keys, vocab, raw_sizes, raw_ids, raw_counts = dumped
        sizes = np.frombuffer(raw_sizes, dtype=np.int64)
        ids, counts = np.frombuffer(raw_ids, dtype=np.int64), np.frombuffer(raw_counts, dtype=np.float64)
        fits = len(sizes) == len(keys) and len(ids) == int(sizes.sum()) == len(counts)
        if not fits or (ids.size and (ids.min() < 0 or ids.max() >= len(vocab))):
            raise ValueError("term index parts do not fit together")
        index = cls()
        index._vocab = {term: i for i, term in enumerate(vocab)}
        if keys:  # np.split of nothing still gives one (empty) part
            splits = np.cumsum(sizes)[:-1]
            parts = zip(np.split(ids, splits), np.split(counts, splits), strict=True)
            index._docs = dict(zip(keys, parts, strict=True))
        return index

    def remove(self, key: Hashable) -> None:
        if self._docs.pop(key, None) is not None:
            self._matrix = None

    def _term_major(self, order: Sequence[Hashable]) -> tuple[Any, np.ndarray]:
        """(documents x terms) counts in column-major form, and document lengths, for `order`."""
        if self._matrix is None or self._matrix[0] != list(order):
            rows = [self._docs[key] for key in order]
            sizes = np.fromiter((len(ids) for ids, _ in rows), dtype=np.int64, count=len(rows))
            indptr = np.concatenate([[0], np.cumsum(sizes)])
            indices = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
            data = np.concatenate([c for _, c in rows]) if rows else np.zeros(0)
            matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(order), len(self._vocab)))
            lengths = np.fromiter((c.sum() for _, c in rows), dtype=np.float64, count=len(rows))
            self._matrix = (list(order), matrix.tocsc(), lengths)
        return self._matrix[1], self._matrix[2]

    def scores(self, order: Sequence[Hashable], query: Sequence[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
        """BM25 of each document in `order` (all must be set) for the query tokens."""
        terms = [self._vocab[t] for t in dict.fromkeys(query) if t in self._vocab]
        out = np.zeros(len(order), dtype=np.float64)
        if not terms or not order:
            return out.astype(np.float32)
        matrix, lengths = self._term_major(order)
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        n = len(order)
        for term in terms:
            start, end = matrix.indptr[term], matrix.indptr[term + 1]
            if start == end:
                continue
            docs, tf = matrix.indices[start:end], matrix.data[start:end]
            idf = np.log(1 + (n - (end - start) + 0.5) / (end - start + 0.5))
            out[docs] += idf * tf / (norm[docs] + tf)
        return out.astype(np.float32)


class TermScores(Bm25Index):
    """A fixed view of a TermIndex in one order: a drop-in `lexical.Bm25Index` that needs no rebuild."""

    def __init__(self, index: TermIndex, order: Sequence[Hashable], k1: float = 1.5, b: float = 0.75) -> None:
        # No super().__init__(): that would index a corpus with bm25s, which is what this view avoids.
        self.index, self.order, self.k1, self.b = index, list(order), k1, b
        self.size = len(self.order)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return self.index.scores(self.order, query, self.k1, self.b)
