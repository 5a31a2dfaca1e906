"""Tests for memory.replay: memory handed out at each unit's parent is the memory a build at that parent gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from memory.builder import BuildConfig, build
from memory.engine import Memory
from memory.replay import before_units, known_vectors, past_of
from memory.vectors import FakeEmbedder
from tests.memory.conftest import commit

CONFIG = BuildConfig(calibration_units=10, recalibrate_every=2)


class _Counting(FakeEmbedder):
    """The fake embedder, recording every text it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed(texts)


@pytest.fixture
def repo(history_repo: Path) -> Path:
    """The fixture history plus a push that changes a signature and one that adds a module."""
    client = "class Client:\n    def send(self, request, timeout=None):\n        return request\n"
    commit(history_repo, "Send takes a timeout", {"src/pkg/client.py": client})
    commit(history_repo, "Add retries", {"src/pkg/retry.py": "def retry(call, times=3):\n    return call()\n"})
    return history_repo


def _same_knowledge(replayed: Memory, fresh: Memory) -> None:
    assert [u.sha for u in replayed.history.units] == [u.sha for u in fresh.history.units]
    assert replayed.snapshot.sha == fresh.snapshot.sha
    assert sorted(replayed.snapshot.files) == sorted(fresh.snapshot.files)
    for path, entry in fresh.snapshot.files.items():
        assert replayed.snapshot.files[path].symbols == entry.symbols
    fresh.weights = replayed.weights
    query = "retry the request when the timeout expires"
    assert np.allclose(replayed.rank(query).features, fresh.rank(query).features)


def test_each_unit_is_handed_memory_as_a_build_at_its_parent_knows_it(repo: Path) -> None:
    head = build(repo, FakeEmbedder(), CONFIG)
    wanted = [u.sha for u in head.history.units[1:] if not u.is_revert]
    seen = []
    for unit, before in before_units(repo, past_of(head), wanted):
        _same_knowledge(before, build(repo, FakeEmbedder(), CONFIG, until=unit.parent))
        seen.append(unit.sha)
    assert seen == wanted


def test_only_text_the_later_memory_has_no_vector_for_is_embedded(repo: Path) -> None:
    counting = _Counting()
    head = build(repo, counting, CONFIG)
    known = known_vectors(head)
    counting.texts.clear()
    changed = head.history.units[-2]  # "Send takes a timeout": its parent's `send` is the one text memory lacks
    ((unit, before),) = before_units(repo, past_of(head), [changed.sha])
    before.rank(unit.message)
    chunks = set(before.snapshot.files["src/pkg/client.py"].chunks.values())
    assert counting.texts and set(counting.texts) <= chunks
    assert not set(counting.texts) & set(known)


def test_unknown_units_are_skipped_and_the_later_memory_is_left_as_it_was(repo: Path) -> None:
    head = build(repo, FakeEmbedder(), CONFIG)
    funcs = [[c.funcs for c in u.files] for u in head.history.units]
    units = head.history.units
    found = [u.sha for u, _ in before_units(repo, past_of(head), ["0" * 40, units[2].sha, units[4].sha])]
    assert found == [units[2].sha, units[4].sha]
    assert list(before_units(repo, past_of(head), ["0" * 40])) == []
    assert [[c.funcs for c in u.files] for u in head.history.units] == funcs
    assert head.snapshot.sha == units[-1].sha


def test_without_an_embedder_memory_is_replayed_without_vectors(repo: Path) -> None:
    head = build(repo, None, CONFIG)
    last = head.history.units[-1]
    ((unit, before),) = before_units(repo, past_of(head), [last.sha])
    assert before.embedder is None and before.snapshot.sha == unit.parent
    assert "src/pkg/retry.py" not in before.snapshot.files
