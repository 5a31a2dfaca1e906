"""Tests for memory.recall: explained files and functions, seed sets, and packing into the token budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.budget import json_tokens
from memory.builder import BuildConfig, build
from memory.gitlog import unit_diff
from memory.recall import CONVENTIONS_SHARE, Recall, recall, resolve_seeds
from tests.memory.test_engine import paired_memory

PATHS = ["src/click/termui.py", "examples/termui/termui.py", "src/click/core.py", "README.py"]


@pytest.mark.parametrize(
    ("seeds", "known", "unknown"),
    [
        (["src/click/core.py"], ["src/click/core.py"], []),
        (["./src/click/core.py"], ["src/click/core.py"], []),
        (["core.py"], ["src/click/core.py"], []),
        (["click/core.py", "core.py"], ["src/click/core.py"], []),
        (["termui.py"], [], ["termui.py"]),
        (["ore.py", "docs/index.rst"], [], ["ore.py", "docs/index.rst"]),
        (["README.py", "nope.py", "README.py"], ["README.py"], ["nope.py"]),
    ],
)
def test_resolve_seeds(seeds: list[str], known: list[str], unknown: list[str]) -> None:
    """Seeds name a candidate by path or by a unique path tail; missing and ambiguous ones are unknown."""
    assert resolve_seeds(PATHS, seeds) == (known, unknown)


def test_recall_completes_from_every_seed() -> None:
    """Two seeds bring both their partners to the top of the completion, seeds left out."""
    answer = recall(paired_memory(), "unrelated words", seeds=["a.py", "b.py"])
    assert set(answer.completion[:2]) == {"c.py", "d.py"} and not {"a.py", "b.py"} & set(answer.completion)
    assert answer.seeds == ["a.py", "b.py"] and answer.unknown_seeds == []


def test_recall_reports_unknown_seeds_and_completes_from_the_rest() -> None:
    """A seed naming no candidate is listed in unknown_seeds; the known ones still drive the completion."""
    memory = paired_memory()
    answer = recall(memory, "unrelated words", seeds=["a.py", "docs/guide.md"])
    assert answer.unknown_seeds == ["docs/guide.md"] and answer.seeds == ["a.py"]
    assert answer.completion == recall(memory, "unrelated words", seeds=["a.py"]).completion


def test_recall_without_known_seeds_has_no_completion() -> None:
    """When no seed names a candidate, the completion is empty rather than the plain ranking."""
    answer = recall(paired_memory(), "unrelated words", seeds=["nope.py"])
    assert answer.completion == [] and answer.unknown_seeds == ["nope.py"]


def test_recall_explains_and_includes_similar_changes(history_repo: Path) -> None:
    """Files come with reasons; the similar past change carries its diff."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(memory, "cookie attributes parsing", diff_of=lambda u: unit_diff(history_repo, u))
    assert answer.files[0]["path"] == "src/pkg/jar.py"
    assert any("similar past changes" in why for why in answer.files[0]["why"])
    change = next(c for c in answer.changes if c["title"] == "Parse cookie attributes")
    assert 'split("; ")' in change["diff"]


def test_functions_carry_a_signature_and_reasons(history_repo: Path) -> None:
    """Each ranked function says why it was ranked and carries its known signature."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(memory, "Client send timeout")
    send = next(f for f in answer.functions if f["qualname"] == "Client.send")
    assert send["signature"] == "def send(self, request)"
    assert send["why"][:2] == ["in the #1 ranked file", "its code matches Client, send, timeout"]
    assert (
        send["why"][2].startswith("changed by similar past changes: ")
        and "'Fix timeout in Client.send'" in send["why"][2]
    )
    assert all(f["why"] and f["signature"] for f in answer.functions)


def _full_recall(repo: Path, budget: int) -> Recall:
    memory = build(repo, None, BuildConfig(calibration_units=2))
    return recall(
        memory,
        "Client send timeout",
        budget_tokens=budget,
        seeds=["src/pkg/jar.py", "missing.py"],
        diff_of=lambda u: unit_diff(repo, u),
        conventions={"title": {"capitalized": 1.0, "words": [f"w{i}" for i in range(300)]}, "tests": {"dirs": ["t"]}},
        skills=[{"id": "s1", "text": "Add a test for every fix."}],
        rejected=[{"pr": 1, "files": ["src/pkg/client.py"], "reason": "no", "rejected": True}],
    )


def test_tiny_budget_keeps_the_first_file_before_anything_else(history_repo: Path) -> None:
    """With room for only a little more than the empty answer, the top file is what is kept."""
    empty = Recall(budget_tokens=100, seeds=["src/pkg/jar.py"], unknown_seeds=["missing.py"]).tokens()
    answer = _full_recall(history_repo, empty + 25)
    assert [f["path"] for f in answer.files] == ["src/pkg/client.py"] and answer.files[0]["why"]
    assert not (answer.functions or answer.completion or answer.changes or answer.conventions or answer.skills)


@pytest.mark.parametrize("budget", [80, 100, 120, 160, 250, 400, 700, 1000, 2000, 4000])
def test_recall_never_exceeds_the_token_budget(history_repo: Path, budget: int) -> None:
    """Whatever the budget, the answer's JSON, counted as the code counts it, stays within it."""
    assert _full_recall(history_repo, budget).tokens() <= budget


def test_conventions_survive_the_default_budget_trimmed(history_repo: Path) -> None:
    """At the default budget with seeds, a profile too big for its share is trimmed, not dropped."""
    answer = _full_recall(history_repo, 4000)
    assert answer.conventions["title"]["capitalized"] == 1.0 and len(answer.conventions["title"]["words"]) < 300
    assert json_tokens(answer.conventions) < 4000 // CONVENTIONS_SHARE
    assert answer.completion and answer.files and answer.functions


def test_recall_marks_reverted_changes(history_repo: Path) -> None:
    """A past change that was later reverted is flagged as such."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(memory, "Add a broken helper")
    flagged = {c["title"]: c["reverted"] for c in answer.changes}
    assert flagged.get("Add a broken helper") is True
