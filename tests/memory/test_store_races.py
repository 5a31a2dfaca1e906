"""Tests for memory.store and memory.service under concurrency: readers without the lock, queued writers,
threads sharing one loaded memory, writers killed part-way, and what a fresh process picks up."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

import memory.builder
import memory.persist
import memory.store
from memory.builder import BuildConfig
from memory.feedback import Outcome, save_outcomes
from memory.service import RepoMemory
from memory.store import MEMORY_FILE, MemoryStore
from memory.vectors import FakeEmbedder
from tests.conftest import git
from tests.memory.conftest import commit

CONFIG = BuildConfig(calibration_units=3, recalibrate_every=4)


def _store(root: Path) -> MemoryStore:
    return MemoryStore(root, FakeEmbedder(), CONFIG)


def _client(n: int) -> str:
    return f"class Client:\n    def send(self):\n        return {n}\n"


def _shas(memory: Any) -> list[str]:
    return [u.sha for u in memory.history.units]


def test_reader_never_applies_a_journal_of_a_base_written_after_it_read(
    tmp_path: Path, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader holds no lock: a writer may replace the base, with as many units, and journal onto it, between the
    reader's read of the base and of the journal. The reader keeps the base it read, never a mix of the two."""
    root = tmp_path / "memory"
    _store(root).update(history_repo)
    before = _shas(_store(root).load(history_repo)[0])

    def writer_in_the_gap() -> None:
        git(history_repo, "commit", "-q", "--amend", "-m", "Reworded last change")  # same number of units
        _store(root).update(history_repo)  # a rebuild: a new base
        commit(history_repo, "After the rewrite", {"src/pkg/late.py": "def late():\n    return 1\n"})
        _store(root).update(history_repo)  # a journal onto the new base

    read_base = memory.persist.read_base
    gaps: list[int] = []

    def read_then_write(*args: Any) -> Any:
        out = read_base(*args)
        if not gaps:  # the reader's read; the writer's own reads go through
            gaps.append(1)
            writer_in_the_gap()
        return out

    monkeypatch.setattr(memory.store, "read_base", read_then_write)
    loaded, _ = _store(root).load(history_repo)
    assert _shas(loaded) == before


def test_update_queued_behind_another_learns_the_head_at_its_turn(
    tmp_path: Path, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that waited for the lock while the branch moved learns the branch's head when it gets the lock,
    not the head it saw before waiting (which would take memory backwards, through a full rebuild)."""
    root = tmp_path / "memory"
    store = _store(root)
    store.update(history_repo)
    waiting = threading.Event()
    sleep = time.sleep

    def note_wait(seconds: float) -> None:
        waiting.set()
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", note_wait)  # the lock's wait loop sleeps between tries
    queued = _store(root)
    result: list[Any] = []
    with store.locked(history_repo):
        worker = threading.Thread(target=lambda: result.append(queued.update(history_repo)))
        worker.start()
        assert waiting.wait(10)
        head = commit(history_repo, "Pushed while it waited", {"src/pkg/b.py": "def b():\n    return 2\n"})
    worker.join(30)
    assert result and result[0].snapshot.sha == head


def test_a_fresh_process_continues_the_recalibration_count(tmp_path: Path, history_repo: Path) -> None:
    """Examples since the last calibration are stored (base and journal), so recalibration does not depend on
    which worker handles which push: before, every load started the count at 0."""
    root = tmp_path / "memory"
    _store(root).update(history_repo)
    counts = []
    for n in range(3):
        commit(history_repo, f"Push {n}", {"src/pkg/client.py": _client(n)})  # modifies a file: an example
        live = _store(root).update(history_repo)
        counts.append((live.pending_examples, _store(root).load(history_repo)[0].pending_examples))
    assert counts == [(1, 1), (2, 2), (3, 3)]
    commit(history_repo, "Push 3", {"src/pkg/client.py": _client(3)})
    assert _store(root).update(history_repo).pending_examples == 0  # the fourth example recalibrates


def test_reader_thread_waits_for_a_half_learned_update(
    tmp_path: Path, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads of one worker share the loaded memory an update learns into: a reader sees it before the update or
    after, never with some of the new units learned."""
    memories = RepoMemory(tmp_path / "memory", FakeEmbedder(), CONFIG)
    memories.update(history_repo)
    for n in range(3):
        head = commit(history_repo, f"Push {n}", {f"src/pkg/m{n}.py": f"def m{n}():\n    return {n}\n"})
    paused, resume = threading.Event(), threading.Event()
    learn_online = memory.builder.learn_online

    def pausing(*args: Any, **kwargs: Any) -> Any:
        out = learn_online(*args, **kwargs)
        if threading.current_thread().name == "updater" and not paused.is_set():
            paused.set()
            resume.wait(10)
        return out

    monkeypatch.setattr(memory.builder, "learn_online", pausing)
    updater = threading.Thread(target=lambda: memories.update(history_repo), name="updater")
    updater.start()
    assert paused.wait(10)
    shown: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: shown.append(memories.show(history_repo)))
    reader.start()
    reader.join(0.3)
    resume.set()
    updater.join(30)
    reader.join(30)
    assert shown[0]["head"] == head


def test_temp_files_of_a_killed_writer_are_removed(tmp_path: Path, history_repo: Path) -> None:
    """A writer killed mid-write leaves its temp file; the next holder of the lock removes it (about the size of
    the memory file each), and leaves the real files alone."""
    store = _store(tmp_path / "memory")
    store.update(history_repo)
    folder = store.repo_dir(history_repo)
    left = [folder / ".memory.bin-k1ll3d.tmp", folder / ".memory.bin.journal-x.tmp", folder / ".skills.json-y.tmp"]
    for path in left:
        path.write_bytes(b"half")
    commit(history_repo, "Next", {"src/pkg/n.py": "def n():\n    return 1\n"})
    store.update(history_repo)
    assert not [p for p in left if p.exists()]
    assert (folder / MEMORY_FILE).exists()


def test_a_failed_json_write_leaves_no_temp_file(tmp_path: Path) -> None:
    """Outcomes (and the service's other JSON files) are written like the memory file: a failed write removes
    its temp file and leaves the old file as it was."""
    target = tmp_path / "outcomes.json"
    target.mkdir()  # the rename onto it fails
    with pytest.raises(OSError):
        save_outcomes(target, [Outcome(1, "text", ["a.py"], True)])
    assert [p.name for p in tmp_path.iterdir()] == ["outcomes.json"]
