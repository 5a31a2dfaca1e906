"""Equivalence guard for memory.signals: features and rankings of a generated history match a stored golden file.

The golden file was written by the per-file loop implementation before the signals were vectorised; any
change that moves a feature, a score or an order fails here. Regenerate only for an intended change of the
ranking (`.venv/bin/python -m tests.memory.test_signals_equivalence`).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from memory.engine import Memory
from memory.fusion import VIEWS
from memory.model import FileChange, Unit
from memory.vectors import FakeEmbedder

GOLDEN = Path(__file__).parent / "data" / "ranking_golden.npz"
WORDS = "parse cookie client send timeout retry header proxy auth stream decode encode url query cache pool".split()
QUERIES = (
    "Fix timeout in Client.send when the proxy drops",
    "parse_cookie fails on quoted header values",
    "Retry the stream decode in pool.py",
    "cache url query encode",
    "nothing matches zzz",
)


def _text(rng: random.Random, name: str, version: int) -> str:
    funcs = [
        f"def {rng.choice(WORDS)}_{i}_{name}(value):\n    return {rng.choice(WORDS)!r} + str({version})\n"
        for i in range(rng.randint(0, 6))
    ]
    classes = f"class {name.title()}Thing:\n    def {rng.choice(WORDS)}(self):\n        return {version}\n"
    return f'"""{" ".join(rng.sample(WORDS, 3))}."""\n\n' + "\n\n".join(funcs + [classes])


def _message(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))


class _Generator:
    """A seeded random history: files under a few packages, edits, additions, renames and deletions."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.files = {f"pkg/{d}/{w}_{i}.py": "" for i in range(12) for d, w in zip("abc", WORDS, strict=False)}
        self.files.update({f"src/{w}.py": "" for w in WORDS[:8]})
        self.files = {p: _text(self.rng, p.rsplit("/", 1)[-1][:-3], 0) for p in self.files}
        self.count = 0

    def unit(self) -> tuple[Unit, dict[str, str | None]]:
        rng, self.count = self.rng, self.count + 1
        changes: list[FileChange] = []
        texts: dict[str, str | None] = {}
        for path in rng.sample(sorted(self.files), rng.randint(1, 5)):
            roll = rng.random()
            if roll < 0.05:
                new = path.replace(".py", f"_r{self.count}.py")
                changes.append(FileChange(new, path, "R", 3, 1, [(1, 1, 1, 3)]))
                self.files[new] = self.files.pop(path)
                texts[new] = self.files[new]
            elif roll < 0.08 and len(self.files) > 20:
                changes.append(FileChange(path, path, "D", 0, 5, [(1, 5, 0, 0)]))
                del self.files[path]
                texts[path] = None
            else:
                self.files[path] = texts[path] = _text(rng, path.rsplit("/", 1)[-1][:-3], self.count)
                changes.append(FileChange(path, path, "M", 2, 2, [(2, 2, 2, 2)]))
        if rng.random() < 0.1:
            new = f"pkg/new/{rng.choice(WORDS)}_{self.count}.py"
            self.files[new] = texts[new] = _text(rng, "added", self.count)
            changes.append(FileChange(new, new, "A", 5, 0, [(0, 0, 1, 5)]))
        unit = Unit(f"sha{self.count}", f"sha{self.count - 1}", "a", 1000 + self.count, _message(rng), (), changes)
        return unit, texts


def states() -> dict[str, np.ndarray]:
    """Features, co-change, fused scores and orders per query, after the bulk build and after online steps."""
    gen = _Generator(7)
    memory = Memory(FakeEmbedder(16))
    memory.set_files(dict(gen.files))
    bulk = [gen.unit() for _ in range(80)]
    memory.add_units([u for u, _ in bulk])
    memory.set_files({p: t for _, texts in bulk for p, t in texts.items()})
    out: dict[str, np.ndarray] = {}
    for stage in range(3):
        for q, query in enumerate(QUERIES):
            ranked = memory.rank(query)
            key = f"s{stage}q{q}"
            out[f"{key}_paths"] = np.array(ranked.paths)
            whole, title = np.hsplit(ranked.features, len(VIEWS))
            assert np.array_equal(whole, title)  # one-line queries: the title view is the whole text's
            out[f"{key}_features"] = whole
            out[f"{key}_cochange"] = ranked.cochange.toarray()
            out[f"{key}_scores"] = ranked.scores
            out[f"{key}_order"] = np.array(ranked.order)
            out[f"{key}_similar"] = np.array([i for i, _ in ranked.similar_units])
            out[f"{key}_weights"] = np.array([w for _, w in ranked.similar_units])
        for _ in range(15):
            unit, texts = gen.unit()
            memory.observe(unit, texts)
    return out


@pytest.fixture(scope="module")
def current() -> dict[str, np.ndarray]:
    return states()


def test_golden_file_covers_every_state(current: dict[str, np.ndarray]) -> None:
    """The stored golden file holds the same arrays (names) the current code produces."""
    with np.load(GOLDEN) as golden:
        assert sorted(golden.files) == sorted(current)


@pytest.mark.parametrize("part", ["paths", "order", "similar"])
def test_candidates_orders_and_neighbours_are_unchanged(current: dict[str, np.ndarray], part: str) -> None:
    """Candidate paths, ranking orders and similar units (their indexes) equal the golden ones exactly."""
    with np.load(GOLDEN) as golden:
        for key in (k for k in current if k.endswith(part)):
            np.testing.assert_array_equal(current[key], golden[key], err_msg=key)


@pytest.mark.parametrize("part", ["features", "cochange", "scores", "weights"])
def test_features_and_scores_are_unchanged(current: dict[str, np.ndarray], part: str) -> None:
    """Every feature column, co-change probability, fused score and similarity weight is allclose to the golden one."""
    with np.load(GOLDEN) as golden:
        for key in (k for k in current if k.endswith(part)):
            assert np.allclose(current[key], golden[key], rtol=1e-5, atol=1e-6), key


if __name__ == "__main__":
    np.savez_compressed(GOLDEN, **states())  # type: ignore[arg-type]
