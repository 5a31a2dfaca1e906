"""Tests for memory.builder: embeddings batched ahead of online learning give the same memory as one by one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from memory.builder import BuildConfig, build_from_units, chunk_batches, learn_online, learn_units, primed, unit_texts
from memory.engine import Memory
from memory.gitlog import BlobReader, iter_units
from memory.model import Unit
from memory.vectors import FakeEmbedder, PrimedEmbedder
from tests.memory.conftest import commit

CONFIG = BuildConfig(calibration_units=10, recalibrate_every=2)


class _Counting(FakeEmbedder):
    """The fake embedder, recording every text it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        self.calls += 1
        return super().embed(texts)


@pytest.fixture
def units(history_repo: Path) -> list[Unit]:
    """The fixture history plus two pushes that edit, add and re-edit functions."""
    body = "class Client:\n    def send(self, request):\n        return {}\n\n    def close(self):\n        pass\n"
    commit(history_repo, "Send returns a copy", {"src/pkg/client.py": body.format("dict(request)")})
    commit(history_repo, "Send returns a list", {"src/pkg/client.py": body.format("[request]")})
    return list(iter_units(history_repo))


def _start(repo: Path, units: list[Unit], embedder: FakeEmbedder) -> Memory:
    return build_from_units(repo, units[:3], embedder, CONFIG)


def test_chunk_batches_are_what_observe_embeds_per_unit(history_repo: Path, units: list[Unit]) -> None:
    """Per unit, the planned chunk texts are exactly the ones `observe` embeds when learning it unplanned."""
    embedder = _Counting()
    memory = _start(history_repo, units, embedder)
    with BlobReader(history_repo) as blobs:
        texts = [unit_texts(unit, blobs) for unit in units[3:]]
        planned = chunk_batches(_start(history_repo, units, FakeEmbedder()), units[3:], texts)
        for unit, post, batch in zip(units[3:], texts, planned, strict=True):
            embedder.texts.clear()
            learn_online(memory, unit, blobs, CONFIG, texts=post)
            assert sorted(set(embedder.texts) - {unit.message}) == sorted(batch)
    assert any(planned) and not all(planned)


def test_learning_ahead_gives_the_same_memory_as_one_by_one(history_repo: Path, units: list[Unit]) -> None:
    """Examples, message vectors, function vectors and snapshot entries match learning without a plan."""
    plain, ahead = _start(history_repo, units, FakeEmbedder()), _start(history_repo, units, FakeEmbedder())
    plain.max_stale_units = CONFIG.bulk_stale_units  # as learn_units lets message indexes lag
    with BlobReader(history_repo) as blobs:
        for unit in units[3:]:
            learn_online(plain, unit, blobs, CONFIG)
        plain.max_stale_units = 0
        plain.refresh_indexes()
        learn_units(ahead, units[3:], blobs, CONFIG)
    assert len(ahead.examples) == len(plain.examples) > 1
    for mine, theirs in zip(ahead.examples, plain.examples, strict=True):
        np.testing.assert_allclose(mine.features, theirs.features)
        assert mine.gold == theirs.gold
    np.testing.assert_allclose(ahead.message_vectors(), plain.message_vectors())
    assert ahead.chunk_vectors.keys() == plain.chunk_vectors.keys()
    for path, (quals, vectors) in plain.chunk_vectors.items():
        assert ahead.chunk_vectors[path][0] == quals
        np.testing.assert_allclose(ahead.chunk_vectors[path][1], vectors)
    assert ahead.snapshot.files == plain.snapshot.files
    assert ahead.rank("send a copy of the request").order == plain.rank("send a copy of the request").order


def test_learning_embeds_everything_in_one_batch(history_repo: Path, units: list[Unit]) -> None:
    """Messages and changed functions of all the units go to the model in one call, each text once."""
    embedder = _Counting()
    memory = _start(history_repo, units, embedder)
    embedder.texts.clear()
    embedder.calls = 0
    with BlobReader(history_repo) as blobs:
        learn_units(memory, units[3:], blobs, CONFIG)
    assert embedder.calls == 1 and len(embedder.texts) == len(set(embedder.texts))
    assert {u.message for u in units[3:]} <= set(embedder.texts)


def test_primed_restores_the_embedder_and_drops_unused_plans(history_repo: Path, units: list[Unit]) -> None:
    """After the block the memory has its own embedder back and keeps no prepared entries."""
    memory = _start(history_repo, units, FakeEmbedder())
    inner = memory.embedder
    with BlobReader(history_repo) as blobs:
        texts = [unit_texts(unit, blobs) for unit in units[3:]]
    with primed(memory, units[3:], texts):
        assert isinstance(memory.embedder, PrimedEmbedder)
        assert memory.snapshot._prepared
    assert memory.embedder is inner and not memory.snapshot._prepared
