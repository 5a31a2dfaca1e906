"""Tests for memory.journal: updates write a journal next to an untouched base; stale or damaged journals."""

from __future__ import annotations

from pathlib import Path

import pytest

import memory.store
from memory.builder import BuildConfig
from memory.errors import IndexCorrupt
from memory.persist import journal_path
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
