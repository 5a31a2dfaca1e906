"""Tests for memory.journal: updates write a journal next to an untouched base; stale or damaged journals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import memory.store
from memory.builder import BuildConfig
from memory.errors import IndexCorrupt
from memory.journal import JOURNAL_VERSION, Base, write_journal
from memory.persist import journal_path, unpack
from memory.store import MEMORY_FILE, MemoryStore
from memory.vectors import FakeEmbedder
from tests.memory.conftest import commit


@pytest.fixture
def store(tmp_path: Path) -> MemoryStore:
    return MemoryStore(tmp_path / "memory", FakeEmbedder(), BuildConfig(calibration_units=3, recalibrate_every=2))


def _push(repo: Path, n: int) -> None:
    commit(
        repo,
        f"Teach the client trick {n}",
        {"src/pkg/client.py": f"class Client:\n    def trick(self):\n        return {n}\n"},
    )


def test_update_writes_a_journal_and_leaves_the_base_alone(store: MemoryStore, history_repo: Path) -> None:
    """After a push the base file is byte-identical and a fresh load sees the new unit through the journal."""
    store.update(history_repo)
    base = store.repo_dir(history_repo) / MEMORY_FILE
    before = base.read_bytes()
    _push(history_repo, 1)
    learned = store.update(history_repo)
    assert base.read_bytes() == before and journal_path(base).exists()
    loaded, _ = MemoryStore(store.root, FakeEmbedder()).load(history_repo)
    assert [u.sha for u in loaded.history.units] == [u.sha for u in learned.history.units]
    assert loaded.snapshot.files["src/pkg/client.py"] == learned.snapshot.files["src/pkg/client.py"]
    assert loaded.chunk_vectors["src/pkg/client.py"][0] == ["Client.trick"]
    assert loaded.weights == learned.weights and len(loaded.examples) == len(learned.examples)


def test_journal_of_another_base_is_ignored(store: MemoryStore, history_repo: Path) -> None:
    """A journal left from an older base (crash between writing a base and deleting it) is never applied."""
    store.update(history_repo)
    base = store.repo_dir(history_repo) / MEMORY_FILE
    _push(history_repo, 1)
    store.update(history_repo)
    stale = journal_path(base).read_bytes()
    store.save(history_repo, store.load(history_repo)[0], {})  # a new base drops the journal...
    journal_path(base).write_bytes(stale)  # ...unless the process died before that
    loaded, _ = store.load(history_repo)
    assert len(loaded.history.units) == 7


def test_damaged_journal_is_corrupt_and_rebuilt(store: MemoryStore, history_repo: Path) -> None:
    """A journal failing its checksum makes the load fail, and the next update rebuilds from git."""
    store.update(history_repo)
    _push(history_repo, 1)
    store.update(history_repo)
    journal = journal_path(store.repo_dir(history_repo) / MEMORY_FILE)
    raw = journal.read_bytes()
    journal.write_bytes(raw[:-5] + bytes(b ^ 0xFF for b in raw[-5:]))
    with pytest.raises(IndexCorrupt):
        store.load(history_repo)
    assert len(store.update(history_repo).history.units) == 7
    assert not journal.exists()


def test_long_journal_is_compacted_into_a_new_base(
    store: MemoryStore, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COMPACT_UNITS journaled units, an update writes a new base and drops the journal."""
    monkeypatch.setattr(memory.store, "COMPACT_UNITS", 1)
    store.update(history_repo)
    base = store.repo_dir(history_repo) / MEMORY_FILE
    _push(history_repo, 1)
    store.update(history_repo)
    assert journal_path(base).exists()
    _push(history_repo, 2)
    store.update(history_repo)
    assert not journal_path(base).exists()
    assert len(store.load(history_repo)[0].history.units) == 8


def _journal_examples(base: Path) -> int:
    """How many calibration examples the journal next to `base` stores itself."""
    _, payload = unpack(journal_path(base), JOURNAL_VERSION)
    with np.load(io.BytesIO(payload)) as arrays:
        return len(arrays["ex_sizes"])


@pytest.mark.parametrize(("pushes", "kept"), [(3, 1), (4, 0)])
def test_journal_stores_only_examples_made_since_the_base(
    tmp_path: Path, history_repo: Path, pushes: int, kept: int
) -> None:
    """The base's surviving examples are named, not copied; a fresh load has exactly the learned window."""
    config = BuildConfig(calibration_units=4, recalibrate_every=2)
    store = MemoryStore(tmp_path / "memory", FakeEmbedder(), config)
    built = store.update(history_repo)
    base = store.repo_dir(history_repo) / MEMORY_FILE
    from_base = list(built.examples)
    for n in range(pushes):
        _push(history_repo, n)
        learned = store.update(history_repo)
    new = [ex for ex in learned.examples if all(ex is not old for old in from_base)]
    assert len(from_base) == 1 and len(learned.examples) - len(new) == kept
    assert len(new) == pushes and _journal_examples(base) == pushes
    loaded, _ = MemoryStore(store.root, FakeEmbedder(), config).load(history_repo)
    assert [ex.gold for ex in loaded.examples] == [ex.gold for ex in learned.examples]
    for mine, theirs in zip(loaded.examples, learned.examples, strict=True):
        np.testing.assert_array_equal(mine.features, theirs.features)
        assert (mine.cochange != theirs.cochange).nnz == 0


def test_journal_naming_examples_the_base_lacks_is_corrupt(store: MemoryStore, history_repo: Path) -> None:
    """A journal that keeps a slice of base examples beyond the base's own is malformed, never applied."""
    built = store.update(history_repo)
    base = store.repo_dir(history_repo) / MEMORY_FILE
    _push(history_repo, 1)
    learned = store.update(history_repo)
    padding = [learned.examples[0]] * 5  # pretend the base had five more examples before these
    write_journal(learned, base, Base(6, padding + list(built.examples)), {})
    with pytest.raises(IndexCorrupt, match="malformed"):
        MemoryStore(store.root, FakeEmbedder()).load(history_repo)
