"""An incremental update (load, learn the new commits, write a journal, reload) ends where a full build does."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from memory.builder import BuildConfig
from memory.engine import Memory
from memory.functions import rank_functions
from memory.fusion import Weights
from memory.store import MemoryStore
from memory.vectors import FakeEmbedder
from tests.conftest import git
from tests.memory.conftest import commit

TOPICS = ["cookie", "timeout", "redirect", "proxy", "header", "stream", "retry", "auth"]
QUERIES = ["Fix cookie header parsing", "Retry on proxy timeout", "Stream redirect auth", "Add a retry helper"]


def _module(topic: str, version: int) -> str:
    funcs = "".join(
        f'\n\ndef {topic}_{name}(value):\n    """{name.title()} the {topic}."""\n    return value + {version + i}\n'
        for i, name in enumerate(["parse", "send", "close"][: 1 + version % 3])
    )
    return f'"""The {topic} module."""{funcs}'


def _generate(root: Path, count: int, seed: int) -> list[str]:
    """Commits touching one to three modules each; some add, rename, move functions across files or delete."""
    rng = random.Random(seed)
    shas = []
    for n in range(count):
        picked = rng.sample(TOPICS, rng.randint(1, 3))
        files: dict[str, str | None] = {f"src/pkg/{t}.py": _module(t, n) for t in picked}
        if n % 7 == 6 and (root / "src/pkg/stream.py").exists():
            (root / "src/pkg/io").mkdir(exist_ok=True)
            git(root, "mv", "src/pkg/stream.py", f"src/pkg/io/stream_{n}.py")
            files = {f"src/pkg/io/stream_{n}.py": _module("stream", n)}
        elif n % 11 == 10 and (root / "src/pkg/proxy.py").exists():
            files["src/pkg/proxy.py"] = None
        shas.append(commit(root, f"{rng.choice(['Fix', 'Add', 'Refactor'])} {' and '.join(picked)} handling", files))
    return shas


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Memory, Memory]:
    """(incremental, full): built at an older commit, updated in two pushes by fresh workers and reloaded
    from base + journal; and a full build at HEAD."""
    root = tmp_path_factory.mktemp("generated")
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("pkg\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "Initial commit")
    shas = _generate(root, 18, seed=4)
    folder = tmp_path_factory.mktemp("memory")
    _store(folder / "incremental").update(root, shas[7])
    _store(folder / "incremental").update(root, shas[12])
    _store(folder / "incremental").update(root, "HEAD")
    incremental, _ = _store(folder / "incremental").load(root)
    return incremental, _store(folder / "full").update(root, "HEAD")


def _store(folder: Path) -> MemoryStore:
    """Every unit is learned online in both paths (a build bulk-adds older units with git's function names)."""
    return MemoryStore(folder, FakeEmbedder(), BuildConfig(calibration_units=100, recalibrate_every=4))


def _assert_same_memory(incremental: Memory, full: Memory) -> None:
    assert [u.sha for u in incremental.history.units] == [u.sha for u in full.history.units]
    assert incremental.snapshot.sha == full.snapshot.sha
    assert sorted(incremental.snapshot.files) == sorted(full.snapshot.files)
    for path, entry in full.snapshot.files.items():
        assert incremental.snapshot.files[path] == entry, path
    assert sorted(incremental.chunk_vectors) == sorted(full.chunk_vectors)
    for path, (quals, vectors) in full.chunk_vectors.items():
        assert incremental.chunk_vectors[path][0] == quals
        np.testing.assert_allclose(incremental.chunk_vectors[path][1], vectors, atol=1e-6)
    np.testing.assert_allclose(incremental.message_vectors(), full.message_vectors(), atol=1e-6)


def test_incremental_update_reaches_the_full_build_state(built: tuple[Memory, Memory]) -> None:
    """Units, snapshot entries, function vectors and message vectors equal those of a full build."""
    _assert_same_memory(*built)


def test_incremental_update_recalls_like_the_full_build(built: tuple[Memory, Memory]) -> None:
    """With the same fusion weights, files, their signals, similar past changes and functions rank identically."""
    incremental, full = built
    for query in QUERIES:
        left, right = incremental.rank(query, Weights()), full.rank(query, Weights())
        assert left.paths == right.paths and left.order == right.order
        np.testing.assert_allclose(left.features, right.features, atol=1e-5)
        assert [i for i, _ in left.similar_units] == [i for i, _ in right.similar_units]
        files = [left.paths[i] for i in left.order]
        assert rank_functions(incremental, query, files, left.similar_units, left.vector) == rank_functions(
            full, query, files, right.similar_units, right.vector
        )
