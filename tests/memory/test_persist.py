"""Tests for memory.persist: the pickled history and term counts load as they were; nothing else is unpickled."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

import numpy as np
import pytest

import memory.persist
from memory.builder import BuildConfig, build
from memory.engine import Memory
from memory.errors import IndexCorrupt
from memory.history import History
from memory.model import FileChange, Unit
from memory.persist import examples_arrays, examples_from, pending_of, read_memory, write_memory
from memory.snapshot import Snapshot
from memory.store import MEMORY_FILE, MemoryStore
from memory.textproc import tokenize
from memory.vectors import FakeEmbedder

CONFIG = BuildConfig(calibration_units=3, recalibrate_every=2)


@pytest.fixture
def built(history_repo: Path) -> Memory:
    return build(history_repo, FakeEmbedder(), CONFIG)


def test_history_and_message_tokens_load_as_they_were_written(built: Memory, tmp_path: Path) -> None:
    """Units, touches, function touches, co-change counts, renames and message tokens survive a round trip."""
    write_memory(built, tmp_path / MEMORY_FILE, {})
    loaded, _ = read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())
    before, after = built.history, loaded.history
    assert [u.to_json() for u in after.units] == [u.to_json() for u in before.units]
    assert after.touches == before.touches and after.func_touches == before.func_touches
    assert after.cochange == before.cochange and after.unit_paths == before.unit_paths
    assert after.by_sha == before.by_sha and after.reverted_shas() == before.reverted_shas()
    assert loaded.msg_tokens == built.msg_tokens
    assert "src/pkg/jar.py" in after.touches and "src/pkg/cookies.py" not in after.touches


def test_loaded_history_keeps_learning(built: Memory, tmp_path: Path, history_repo: Path) -> None:
    """A loaded history's tables are live: adding a unit updates them as in the built memory."""
    write_memory(built, tmp_path / MEMORY_FILE, {})
    loaded, _ = read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())
    files = [FileChange(p, p, "M") for p in ("src/pkg/jar.py", "src/pkg/client.py")]
    unit = Unit("f" * 40, built.snapshot.sha, "A", 0, "Share the jar with the client", (), files)
    for learner in (built, loaded):
        learner.history.add(unit)
    assert loaded.history.touches == built.history.touches
    assert loaded.history.cochange == built.history.cochange


def test_a_foreign_class_in_the_pickle_is_refused(
    built: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A history pickle naming any class a history is not made of is IndexCorrupt, never instantiated."""
    raw = pickle.dumps((datetime.date(2024, 1, 1), []))
    monkeypatch.setattr(memory.persist, "_pickled_history", lambda _: np.frombuffer(raw, dtype=np.uint8))
    write_memory(built, tmp_path / MEMORY_FILE, {})
    with pytest.raises(IndexCorrupt, match="datetime.date"):
        read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())


def test_history_of_another_shape_is_not_trusted(
    built: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose pickled classes had other fields (another schema fingerprint) is refused."""
    monkeypatch.setattr(memory.persist, "schema", lambda: "written-by-older-code")
    write_memory(built, tmp_path / MEMORY_FILE, {})
    monkeypatch.undo()
    with pytest.raises(IndexCorrupt, match="another shape"):
        read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())


def test_schema_changes_when_a_pickled_class_gains_a_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fingerprint follows the history's attributes (a new table means a new fingerprint)."""
    before = memory.persist.schema()
    original = History.__init__

    def with_extra(self: History) -> None:
        original(self)
        self.extra_table = {}  # type: ignore[attr-defined]

    monkeypatch.setattr(History, "__init__", with_extra)
    assert memory.persist.schema() != before


def test_store_rebuilds_a_memory_whose_history_is_refused(
    tmp_path: Path, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update over a file with a refused history builds memory again from git."""
    store = MemoryStore(tmp_path / "memory", FakeEmbedder(), CONFIG)
    monkeypatch.setattr(memory.persist, "schema", lambda: "written-by-older-code")
    store.update(history_repo)
    monkeypatch.undo()
    fresh = MemoryStore(tmp_path / "memory", FakeEmbedder(), CONFIG)
    assert len(fresh.update(history_repo).history.units) == 6
    fresh.load(history_repo)


def test_loaded_term_counts_score_like_counting_the_files_again(built: Memory, tmp_path: Path) -> None:
    """Content and function BM25 of a loaded memory equal those of a snapshot that re-counts its files."""
    write_memory(built, tmp_path / MEMORY_FILE, {})
    loaded, _ = read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())
    recounted = Snapshot()
    recounted.files = dict(loaded.snapshot.files)
    query = tokenize("cookie jar parsing in Client.send")
    np.testing.assert_array_equal(
        loaded.snapshot.content_index().scores(query), recounted.content_index().scores(query)
    )
    np.testing.assert_array_equal(
        loaded.snapshot.function_index().scores(query), recounted.function_index().scores(query)
    )
    assert loaded.snapshot.paths == recounted.paths and loaded.snapshot.func_keys == recounted.func_keys


def test_examples_round_trip_through_flat_arrays(history_repo: Path) -> None:
    """Features, co-change matrices (structure and rates) and gold rows come back as they were."""
    learned = build(history_repo, FakeEmbedder(), BuildConfig(calibration_units=10, recalibrate_every=2))
    examples = learned.examples + learned.examples[:1]
    assert len(examples) >= 2 and any(ex.cochange.nnz for ex in examples)
    back = examples_from([ex.gold for ex in examples], examples_arrays(examples))
    assert [ex.gold for ex in back] == [ex.gold for ex in examples]
    for mine, theirs in zip(back, examples, strict=True):
        np.testing.assert_array_equal(mine.features, theirs.features)
        np.testing.assert_array_equal(mine.cochange.toarray(), theirs.cochange.toarray())
    assert examples_from([], examples_arrays([])) == []


def test_examples_of_another_count_are_refused(built: Memory) -> None:
    """Golds that do not match the stored examples one to one are a ValueError."""
    with pytest.raises(ValueError, match="golds"):
        examples_from([[0]], examples_arrays(built.examples * 2))


@pytest.mark.parametrize("pending", [0, 3])
def test_examples_since_calibration_survive_a_round_trip(built: Memory, tmp_path: Path, pending: int) -> None:
    """The count towards the next recalibration is stored with the base, so a fresh process continues it."""
    built.pending_examples = pending
    write_memory(built, tmp_path / MEMORY_FILE, {})
    assert read_memory(tmp_path / MEMORY_FILE, FakeEmbedder())[0].pending_examples == pending


@pytest.mark.parametrize(("state", "count"), [({}, 0), ({"pending": 2}, 2)])
def test_a_stored_count_reads_as_stored(state: dict[str, object], count: int) -> None:
    """Files from before the count was kept read as 0."""
    assert pending_of(state) == count


@pytest.mark.parametrize("pending", [-1, "3", True, None])
def test_a_stored_count_that_is_not_a_count_is_malformed(pending: object) -> None:
    with pytest.raises(ValueError, match="not a count"):
        pending_of({"pending": pending})
