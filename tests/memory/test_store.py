"""Tests for memory.store and memory.persist: build, incremental update, corruption, versions, locking."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import memory.store
from memory.builder import BuildConfig
from memory.errors import GitFailed, IndexCorrupt, LockTimeout, NoCommits, NotARepository
from memory.persist import FORMAT_VERSION, read_memory
from memory.store import MEMORY_FILE, MemoryStore, repo_head
from memory.vectors import FakeEmbedder
from tests.conftest import git
from tests.memory.conftest import commit


@pytest.fixture
def store(tmp_path: Path) -> MemoryStore:
    return MemoryStore(tmp_path / "memory", FakeEmbedder(), BuildConfig(calibration_units=3, recalibrate_every=2))


def test_first_update_builds_and_persists(store: MemoryStore, history_repo: Path) -> None:
    """The first update builds from the whole history and writes a loadable file at HEAD."""
    memory = store.update(history_repo)
    loaded, _ = store.load(history_repo)
    head = git(history_repo, "rev-parse", "HEAD").strip()
    assert memory.snapshot.sha == loaded.snapshot.sha == head
    assert len(loaded.history.units) == 6
    assert sorted(loaded.snapshot.files) == ["src/pkg/client.py", "src/pkg/jar.py"]
    assert loaded.weights == memory.weights


def test_update_learns_only_new_commits(store: MemoryStore, history_repo: Path) -> None:
    """After a push, the update reads only the units after the last indexed commit."""
    before = store.update(history_repo)
    first_shas = [u.sha for u in before.history.units]
    commit(
        history_repo,
        "Close the client politely",
        {"src/pkg/client.py": "class Client:\n    def close(self):\n        return 1\n"},
    )
    after = store.update(history_repo)
    assert [u.sha for u in after.history.units][:-1] == first_shas
    assert after.history.units[-1].title == "Close the client politely"
    assert after.history.units[-1].files[0].funcs == ["Client.send", "Client.close"]  # send was deleted


def test_loaded_memory_ranks_like_the_built_one(store: MemoryStore, history_repo: Path) -> None:
    """A reloaded memory gives the same ranking as the one that was saved."""
    built = store.update(history_repo)
    loaded, _ = store.load(history_repo)
    query = "cookie parsing of attributes"
    assert built.rank(query).order == loaded.rank(query).order


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_corrupt_or_old_files_are_rebuilt(store: MemoryStore, history_repo: Path, damage: bytes | None) -> None:
    """An empty, garbage or flipped-byte memory file raises IndexCorrupt on load and is rebuilt by update."""
    store.update(history_repo)
    path = store.repo_dir(history_repo) / MEMORY_FILE
    raw = path.read_bytes()
    path.write_bytes(raw[:-10] + bytes(b ^ 0xFF for b in raw[-10:]) if damage is None else damage)
    with pytest.raises(IndexCorrupt):
        store.load(history_repo)
    assert len(store.update(history_repo).history.units) == 6
    store.load(history_repo)


def test_other_format_version_is_not_trusted(store: MemoryStore, history_repo: Path) -> None:
    """A file written by another format version is refused."""
    store.update(history_repo)
    path = store.repo_dir(history_repo) / MEMORY_FILE
    raw = path.read_bytes()
    old = f'"version": {FORMAT_VERSION - 1}'.encode()
    path.write_bytes(raw.replace(f'"version": {FORMAT_VERSION}'.encode(), old, 1))
    with pytest.raises(IndexCorrupt, match="version"):
        read_memory(path, FakeEmbedder())


def test_other_embedder_is_not_trusted(store: MemoryStore, history_repo: Path) -> None:
    """Vectors from another embedder are never mixed with the current one's."""
    store.update(history_repo)
    with pytest.raises(IndexCorrupt, match="embedder"):
        read_memory(store.repo_dir(history_repo) / MEMORY_FILE, FakeEmbedder(dim=32))


def test_stored_embedder_names_what_memory_was_built_with(tmp_path: Path, history_repo: Path) -> None:
    """The stored embedder is read back whatever embedder asks (fake-64 here, None for lexical-only memory)."""
    fake, lexical = MemoryStore(tmp_path / "fake", FakeEmbedder()), MemoryStore(tmp_path / "lexical", None)
    fake.update(history_repo)
    lexical.update(history_repo)
    assert MemoryStore(fake.root, None).stored_embedder(history_repo) == "fake-64"
    assert MemoryStore(lexical.root, FakeEmbedder()).stored_embedder(history_repo) is None


def test_stored_embedder_without_memory_is_index_corrupt(store: MemoryStore, history_repo: Path) -> None:
    """Nothing stored, or a file that cannot be read, is IndexCorrupt, like a load."""
    with pytest.raises(IndexCorrupt, match="no memory"):
        store.stored_embedder(history_repo)
    store.update(history_repo)
    (store.repo_dir(history_repo) / MEMORY_FILE).write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt):
        store.stored_embedder(history_repo)


def test_update_outside_a_repository_is_not_a_repository(store: MemoryStore, tmp_path: Path) -> None:
    """A folder outside git raises NotARepository (a GitFailed) naming it, and leaves no memory folder."""
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(NotARepository, match=f"^{folder} is not a git repository$"):
        store.update(folder)
    assert not store.root.exists()


def test_update_of_a_repository_without_commits_is_no_commits(store: MemoryStore, tmp_path: Path) -> None:
    """A freshly initialised repository raises NoCommits (a GitFailed) naming it."""
    folder = tmp_path / "empty"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    with pytest.raises(NoCommits, match=f"^{folder} has no commits yet$"):
        store.update(folder)


def test_repo_head_of_an_unknown_revision_stays_git_failed(history_repo: Path) -> None:
    """Only HEAD missing means no commits; another unknown revision is a plain GitFailed."""
    with pytest.raises(GitFailed) as caught:
        repo_head(history_repo, "no-such-branch")
    assert type(caught.value) is GitFailed
    assert repo_head(history_repo) == git(history_repo, "rev-parse", "HEAD").strip()


def test_rewritten_history_triggers_a_rebuild(store: MemoryStore, history_repo: Path) -> None:
    """When the indexed head is no longer an ancestor (force push), memory is rebuilt from scratch."""
    store.update(history_repo)
    git(history_repo, "reset", "-q", "--hard", "HEAD~2")
    commit(history_repo, "Another direction", {"src/pkg/other.py": "def other():\n    return 2\n"})
    memory = store.update(history_repo)
    assert [u.title for u in memory.history.units][-1] == "Another direction"
    assert len(memory.history.units) == 5


def test_main_merged_into_a_branch_that_became_main_triggers_a_rebuild(store: MemoryStore, history_repo: Path) -> None:
    """When the old head is reached only through a merge's second parent, its units are not kept."""
    git(history_repo, "checkout", "-q", "-b", "side", "HEAD~3")
    commit(history_repo, "Side work", {"src/pkg/side.py": "def side():\n    return 3\n"})
    store.update(history_repo, "main")
    git(history_repo, "merge", "-q", "--no-ff", "main", "-m", "Merge main into side")
    git(history_repo, "branch", "-q", "-f", "main", "side")
    memory = store.update(history_repo, "main")
    fresh = MemoryStore(store.root.parent / "fresh", None, store.config).update(history_repo, "main")
    assert [u.sha for u in memory.history.units] == [u.sha for u in fresh.history.units]


def test_deepened_shallow_clone_triggers_a_rebuild(store: MemoryStore, history_repo: Path, tmp_path: Path) -> None:
    """Memory built on a shallow clone is rebuilt once the clone is deepened, so the older history is learned."""
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history_repo}", "clone")
    clone = tmp_path / "clone"
    assert len(store.update(clone).history.units) == 2
    git(clone, "fetch", "-q", "--unshallow")
    assert len(store.update(clone).history.units) == 6


def test_lock_is_exclusive_per_repo(tmp_path: Path, history_repo: Path) -> None:
    """A second holder waits for the lock and times out while the first holds it."""
    store = MemoryStore(tmp_path / "memory", None, lock_timeout_s=0.2)
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.locked(history_repo):
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    entered.wait(5)
    try:
        with pytest.raises(LockTimeout), store.locked(history_repo):
            pass
    finally:
        release.set()
        worker.join()
    with store.locked(history_repo):
        pass


def test_worker_reuses_the_memory_it_wrote(
    store: MemoryStore, history_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second push in the same process learns on the memory it holds, without re-reading the files."""
    store.update(history_repo)
    commit(history_repo, "Close politely", {"src/pkg/client.py": "class Client:\n    def close(self):\n        pass\n"})

    def refuse(*args: object) -> None:
        raise AssertionError("memory was read from disk")

    monkeypatch.setattr(memory.store, "read_base", refuse)
    assert store.update(history_repo).history.units[-1].title == "Close politely"


def test_worker_rereads_files_another_worker_changed(store: MemoryStore, history_repo: Path) -> None:
    """When another worker has written since, the held memory is dropped and the files are read."""
    store.update(history_repo)
    commit(history_repo, "First push", {"src/pkg/a.py": "def a():\n    return 1\n"})
    MemoryStore(store.root, FakeEmbedder(), store.config).update(history_repo)
    commit(history_repo, "Second push", {"src/pkg/b.py": "def b():\n    return 2\n"})
    titles = [u.title for u in store.update(history_repo).history.units]
    assert titles[-2:] == ["First push", "Second push"]


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_paused_restores_the_collector_state(enabled: bool) -> None:
    """Inside the block the collector is off; after it (even on error) it is as it was before."""
    import gc

    from memory.store import gc_paused

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with pytest.raises(RuntimeError), gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_gc_paused_leaves_what_it_made_in_the_oldest_generation() -> None:
    """Objects made in the block are where only full collections look, and are still collectable there."""
    import gc

    from memory.store import gc_paused

    with gc_paused():
        made = [[n] for n in range(3)]
    assert any(o is made for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


def test_gc_paused_keeps_objects_the_process_froze_itself() -> None:
    """When the process froze objects (before a fork, say), the block leaves them frozen."""
    import gc

    from memory.store import gc_paused

    gc.freeze()
    try:
        with gc_paused():
            made = [1, 2]
        assert gc.get_freeze_count() > 0  # an unfreeze would have emptied the permanent generation
        assert not any(o is made for o in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
