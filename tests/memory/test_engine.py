"""Tests for memory.engine with the builder on a real git history and the fake embedder."""

from __future__ import annotations

from pathlib import Path

from memory.builder import BuildConfig, build
from memory.engine import Memory
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
