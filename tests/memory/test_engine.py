"""Tests for memory.engine with the builder on a real git history and the fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from memory.builder import BuildConfig, build
from memory.engine import Memory, Ranked
from memory.model import FileChange, Unit
from memory.vectors import FakeEmbedder


def _unit(sha: str, message: str, paths: list[str]) -> Unit:
    return Unit(sha, "", "a", 0, message, (), [FileChange(p, p, "M") for p in paths])


def test_ranking_prefers_files_past_similar_changes_touched(history_repo: Path) -> None:
    """A text like a past change's message ranks the file that change touched first."""
    memory = build(history_repo, FakeEmbedder(), BuildConfig(calibration_units=2))
    ranked = memory.rank("cookie attributes are parsed wrongly")
    assert ranked.paths[ranked.order[0]] == "src/pkg/jar.py"


def test_history_follows_renames(history_repo: Path) -> None:
    """Touches recorded under an old path move to the file's new path."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    assert "src/pkg/cookies.py" not in memory.history.touches
    assert len(memory.history.touches["src/pkg/jar.py"]) == 3


def test_observe_records_precise_functions_from_the_parent_tree() -> None:
    """Online, a unit's touched functions come from the pre-image ast, qualified by class."""
    memory = Memory(FakeEmbedder())
    memory.set_files(
        {"pkg/a.py": "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n"}
    )
    unit = Unit("s1", "", "a", 0, "Change g", (), [FileChange("pkg/a.py", "pkg/a.py", "M", 1, 1, [(6, 1, 6, 1)])])
    memory.observe(
        unit, {"pkg/a.py": "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 3\n"}
    )
    assert unit.files[0].funcs == ["A.g"]
    assert memory.history.func_touches["pkg/a.py"]["g"] == 1


def test_cochange_completion_ranks_partners_first() -> None:
    """Given one file of a change, files that historically change with it come first."""
    memory = Memory(None)
    memory.set_files({p: "x = 1\n" for p in ("a.py", "b.py", "c.py", "d.py")})
    memory.add_units([_unit(f"s{i}", "tweak", ["a.py", "c.py"]) for i in range(3)] + [_unit("t", "other", ["b.py"])])
    ranked = memory.rank("unrelated words")
    assert memory.complete(ranked, "a.py")[0] == "c.py"


def test_chunk_vectors_are_reused_for_unchanged_functions() -> None:
    """Re-setting a file only embeds the functions whose text changed."""

    class Counting(FakeEmbedder):
        calls = 0

        def embed(self, texts):
            Counting.calls += len(texts)
            return super().embed(texts)

    memory = Memory(Counting())
    memory.set_files({"m.py": "def a():\n    return 1\n\n\ndef b():\n    return 2\n"})
    assert Counting.calls == 2
    memory.set_files({"m.py": "def a():\n    return 1\n\n\ndef b():\n    return 3\n"})
    assert Counting.calls == 3


def paired_memory() -> Memory:
    """Five files: a.py changes with c.py, b.py with d.py, e.py alone."""
    memory = Memory(None)
    memory.set_files({p: "x = 1\n" for p in ("a.py", "b.py", "c.py", "d.py", "e.py")})
    units = [_unit(f"a{i}", "tweak", ["a.py", "c.py"]) for i in range(3)]
    units += [_unit(f"b{i}", "adjust", ["b.py", "d.py"]) for i in range(3)] + [_unit("e", "other", ["e.py"])]
    memory.add_units(units)
    return memory


def test_completion_over_a_seed_set_ranks_partners_of_every_seed() -> None:
    """With two seeds, the partners of both come first and the seeds themselves are left out."""
    memory = paired_memory()
    ranked = memory.rank("unrelated words")
    rest = memory.complete(ranked, ["a.py", "b.py"])
    assert set(rest[:2]) == {"c.py", "d.py"} and not {"a.py", "b.py"} & set(rest)


def _old_single_seed_order(memory: Memory, ranked: Ranked, seed: int) -> list[str]:
    """The completion order as computed before seed sets (the formula kept verbatim as the reference)."""
    row = np.asarray(ranked.cochange[seed].todense()).ravel()
    low, high = float(ranked.scores.min()), float(ranked.scores.max())
    ranged = (ranked.scores - low) / (high - low) if high > low else np.zeros_like(ranked.scores)
    old = ranged + memory.weights.completion * (row / float(row.max()) if float(row.max()) > 0 else row)
    old[seed] = -np.inf
    return [ranked.paths[i] for i in np.argsort(-old, kind="stable")[:-1]]


@pytest.mark.parametrize("repo", ["paired", "history"])
def test_single_seed_completion_is_the_old_single_seed_order(repo: str, history_repo: Path) -> None:
    """One seed, as a path or a one-item list, gives exactly the order of the old single-seed formula."""
    memory = paired_memory() if repo == "paired" else build(history_repo, None, BuildConfig(calibration_units=2))
    ranked = memory.rank("tweak the Client send timeout")
    for seed, path in enumerate(ranked.paths):
        expected = _old_single_seed_order(memory, ranked, seed)
        assert memory.complete(ranked, path) == expected == memory.complete(ranked, [path])


def test_completion_ignores_seeds_that_are_not_candidates() -> None:
    """A seed that is not a candidate changes nothing; with no candidate seed the plain ranking comes back."""
    memory = paired_memory()
    ranked = memory.rank("unrelated words")
    assert memory.complete(ranked, ["a.py", "README.md"]) == memory.complete(ranked, "a.py")
    assert memory.complete(ranked, ["README.md"]) == [ranked.paths[i] for i in ranked.order]
