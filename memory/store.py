"""Per-repo memory on disk: where it lives, the per-repo file lock, and load-or-build-or-update under it."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from memory.builder import BuildConfig, build, learn_units
from memory.engine import Memory
from memory.errors import GitFailed, IndexCorrupt, LockTimeout, NoCommits, NotARepository
from memory.gitlog import BlobReader, head_sha, iter_units, run_git, shallow_roots
from memory.journal import Base, read_journal, write_journal
from memory.model import Unit
from memory.persist import journal_path, read_base, read_embedder, write_memory
from memory.vectors import Embedder

__all__ = ["MemoryStore", "gc_paused", "repo_head"]

MEMORY_FILE = "memory.bin"
COMPACT_UNITS = 200  # past this many units in the journal, an update writes a new base instead
PAUSED_UNITS = 200  # an update learns up to this many units with the cyclic collector paused (seconds, not minutes)
SHALLOW_KEY = "shallow"  # in a memory's extra: the commits a shallow clone's history was cut at when it was built


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees everything acyclic).

    Loading memory makes about half a million tracked objects (units, file changes, token lists), which sets
    off collections that traverse them, and the rest of the heap, a loaded model included, again and again;
    measured on pip's memory: units decoded in 0.25 s with collections vs 0.04 s without, a 10-unit update
    1.8-2.3 s vs 1.5 s. Memory makes next to no cyclic garbage (a whole build of pallets/click with the
    collector off left 80 unreachable objects), so nothing piles up; the collector runs after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _to_oldest_generation()
            gc.enable()


def _to_oldest_generation() -> None:
    """Move every tracked object into the oldest generation, where only full collections look.

    Left young, what the block made (a loaded memory: ~140k tracked objects for pip) would be traversed by
    the next young collection and again by the next middle one, ~0.07 s and ~0.09 s measured, both right
    after an update. `unfreeze` documents putting the permanent generation back into the oldest one; nothing
    is kept frozen, so cycles are still found by the next full collection. Skipped when the process froze
    objects itself (unfreezing would undo that).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def repo_head(repo: Path, rev: str = "HEAD") -> str:
    """The commit `rev` names in `repo`; NotARepository or NoCommits when there is none for those reasons."""
    try:
        return head_sha(repo, rev)
    except GitFailed as exc:
        try:
            run_git(repo, "rev-parse", "--git-dir")
        except GitFailed:
            raise NotARepository(f"{repo} is not a git repository") from exc
        if rev == "HEAD":
            raise NoCommits(f"{repo} has no commits yet") from exc
        raise


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _drop_stale_temps(folder: Path) -> None:
    """Remove temp files a killed writer left (every write in the folder is made under its lock, so once the
    lock is held, none of them is still being written)."""
    for stale in folder.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


class MemoryStore:
    """Memory files under `root`, one folder per repository, guarded by an fcntl lock per repository.

    Usage::

        store = MemoryStore(Path("/var/memory"), embedder)
        memory = store.update(Path("checkout"))    # build the first time, then only new commits
    """

    def __init__(
        self, root: Path, embedder: Embedder | None, config: BuildConfig | None = None, lock_timeout_s: float = 600.0
    ) -> None:
        self.root = root
        self.embedder = embedder
        self.config = config or BuildConfig()
        self.lock_timeout_s = lock_timeout_s
        # Per memory folder, what this process last wrote or read there: (file identities, memory, extra, what
        # the base holds). A worker that handles push after push then skips re-reading ~25 MB per update.
        self._live: dict[Path, tuple[tuple[Any, ...], Memory, dict[str, Any], Base]] = {}
        self._guards: dict[Path, threading.RLock] = {}
        self._guards_lock = threading.Lock()

    def repo_dir(self, repo: Path) -> Path:
        resolved = repo.resolve()
        digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
        return self.root / f"{resolved.name}-{digest}"

    def guard(self, repo: Path) -> threading.RLock:
        """The in-process lock around changing a loaded memory in place (an incremental update learning units).

        The memory an update changes is the one this process last loaded, which readers in other threads may be
        ranking with; they hold this lock while they read it, so they see it before the update or after, never
        half-learned. Take it last: never wait for the file lock (`locked`) while holding it.
        """
        folder = self.repo_dir(repo)
        with self._guards_lock:
            return self._guards.setdefault(folder, threading.RLock())

    @contextmanager
    def locked(self, repo: Path) -> Iterator[Path]:
        """Hold the repository's lock (concurrent workers queue here); yields its memory folder."""
        folder = self.repo_dir(repo)
        folder.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        with open(folder / "lock", "a+b") as handle:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() > deadline:
                        raise LockTimeout(f"memory lock for {repo} held for over {self.lock_timeout_s}s") from exc
                    time.sleep(0.05)
            try:
                _drop_stale_temps(folder)
                yield folder
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def load(self, repo: Path) -> tuple[Memory, dict[str, Any]]:
        """The persisted memory of `repo`; IndexCorrupt when missing, damaged or of another version."""
        memory, extra, _ = self._load(repo)
        return memory, extra

    def stored_embedder(self, repo: Path) -> str | None:
        """The name of the embedder `repo`'s persisted memory was built with (None: lexical only).

        Decodes only the state of the base file, not the memory (a journal always continues its base's
        embedder); IndexCorrupt when there is no memory, or none this version can read.
        """
        path = self.repo_dir(repo) / MEMORY_FILE
        if not path.exists():
            raise IndexCorrupt(f"no memory for {repo} yet")
        return read_embedder(path)

    def _load(self, repo: Path) -> tuple[Memory, dict[str, Any], Base]:
        """Base file plus its journal: memory, extra, and what of it the base file holds."""
        path = self.repo_dir(repo) / MEMORY_FILE
        if not path.exists():
            raise IndexCorrupt(f"no memory for {repo} yet")
        with gc_paused():
            memory, extra, checksum = read_base(path, self.embedder)
            base, journal_extra = read_journal(memory, path, self.embedder, checksum)
        return memory, extra if journal_extra is None else journal_extra, base

    def _stamp(self, folder: Path) -> tuple[Any, ...]:
        """Identity of the base file and its journal (inode, size, mtime): any rewrite or damage changes it."""
        base, journal = folder / MEMORY_FILE, journal_path(folder / MEMORY_FILE)
        return tuple(
            (s.st_ino, s.st_size, s.st_mtime_ns) if (s := _stat(p)) is not None else None for p in (base, journal)
        )

    def _load_live(self, repo: Path, folder: Path) -> tuple[Memory, dict[str, Any], Base]:
        """What this process last wrote, if the files still hold exactly that; else a load from disk.

        The memory handed out is the caller's to change: it leaves the in-process copy until written again.
        """
        live = self._live.pop(folder, None)
        if live is not None and self._stamp(folder) == live[0]:
            return live[1], live[2], live[3]
        return self._load(repo)

    def _keep_live(self, folder: Path, memory: Memory, extra: dict[str, Any], base: Base) -> None:
        self._live[folder] = (self._stamp(folder), memory, extra, base)

    def update(self, repo: Path, rev: str = "HEAD") -> Memory:
        """Bring memory up to `rev`: incremental when possible, a full rebuild when the file can't be trusted.

        An incremental update writes only a journal of what it learned; past COMPACT_UNITS journaled units,
        it writes a new base instead.
        """
        repo_head(repo, rev)  # a path that is no repository fails here, before its memory folder is made
        with self.locked(repo) as folder:
            # Resolved under the lock: a worker that queued here while another learned a newer head must not
            # take memory back to the head it saw before it waited.
            target, cut = repo_head(repo, rev), shallow_roots(repo)
            try:
                memory, extra, base = self._load_live(repo, folder)
            except IndexCorrupt:
                memory, extra, base = self._build(repo, target, cut)
            else:
                same_cut = extra.get(SHALLOW_KEY, []) == cut  # a deepened clone has history memory never saw
                if memory.snapshot.sha == target and same_cut:
                    self._keep_live(folder, memory, extra, base)
                    return memory
                units = self._new_units(repo, memory.snapshot.sha, target) if same_cut else None
                if units is None:
                    memory, extra, base = self._build(repo, target, cut)
                else:
                    with self.guard(repo):
                        self._learn_new(repo, memory, units)
            if len(memory.history.units) - base.units > COMPACT_UNITS or not base.units:
                write_memory(memory, folder / MEMORY_FILE, extra)
                base = Base(len(memory.history.units), list(memory.examples))
            else:
                write_journal(memory, folder / MEMORY_FILE, base, extra)
            self._keep_live(folder, memory, extra, base)
            return memory

    def save(self, repo: Path, memory: Memory, extra: dict[str, Any]) -> None:
        with self.locked(repo) as folder:
            self._live.pop(folder, None)
            write_memory(memory, folder / MEMORY_FILE, extra)

    def _build(self, repo: Path, target: str, cut: list[str]) -> tuple[Memory, dict[str, Any], Base]:
        """A full build at `target`, remembering where a shallow clone's history was cut."""
        return build(repo, self.embedder, self.config, target), ({SHALLOW_KEY: cut} if cut else {}), Base(0, [])

    def _new_units(self, repo: Path, old: str, new: str) -> list[Unit] | None:
        """The first-parent units after `old` up to `new`; None when `old` is not on `new`'s first-parent line.

        That happens when history was rewritten (the old head is gone or no longer an ancestor), or when the
        old head is only reachable through a merge's second parent (main merged into a branch that then
        became main): the units memory holds are then no longer the branch's, so memory starts again.
        """
        try:
            run_git(repo, "merge-base", "--is-ancestor", old, new)
        except GitFailed:
            return None
        units = list(iter_units(repo, until=new, since=old))
        return units if units and units[0].parent == old else None

    def _learn_new(self, repo: Path, memory: Memory, units: list[Unit]) -> None:
        with BlobReader(repo) as blobs, gc_paused() if len(units) <= PAUSED_UNITS else nullcontext():
            learn_units(memory, units, blobs, self.config)
