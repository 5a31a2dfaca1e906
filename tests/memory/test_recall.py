"""Tests for memory.recall and memory.budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.budget import approx_tokens, trim_lines
from memory.builder import BuildConfig, build
from memory.gitlog import unit_diff
from memory.recall import recall


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("abcd", 1), ("abcde", 2)])
def test_approx_tokens_is_chars_over_four(text: str, tokens: int) -> None:
    """Tokens are approximated as ceil(characters / 4)."""
    assert approx_tokens(text) == tokens


def test_trim_lines_keeps_whole_lines_and_marks_the_cut() -> None:
    """Trimmed text keeps leading whole lines within the budget and says it was trimmed."""
    text = "\n".join(f"line {i}" for i in range(100))
    trimmed = trim_lines(text, 20)
    assert trimmed.endswith("... (trimmed)") and approx_tokens(trimmed) <= 20
    assert trimmed.splitlines()[0] == "line 0"


def test_recall_explains_and_includes_similar_changes(history_repo: Path) -> None:
    """Files come with reasons; the similar past change carries its diff."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(memory, "cookie attributes parsing", diff_of=lambda u: unit_diff(history_repo, u))
    assert answer.files[0]["path"] == "src/pkg/jar.py"
    assert any("similar past changes" in why for why in answer.files[0]["why"])
    change = next(c for c in answer.changes if c["title"] == "Parse cookie attributes")
    assert 'split("; ")' in change["diff"]


@pytest.mark.parametrize("budget", [120, 400, 2000])
def test_recall_fits_the_token_budget(history_repo: Path, budget: int) -> None:
    """Whatever the budget, the JSON answer stays within it."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(
        memory,
        "Client send timeout",
        budget_tokens=budget,
        diff_of=lambda u: unit_diff(history_repo, u),
        conventions={"title": {"capitalized": 1.0}},
    )
    assert answer.tokens() <= budget


def test_recall_marks_reverted_changes(history_repo: Path) -> None:
    """A past change that was later reverted is flagged as such."""
    memory = build(history_repo, None, BuildConfig(calibration_units=2))
    answer = recall(memory, "Add a broken helper")
    flagged = {c["title"]: c["reverted"] for c in answer.changes}
    assert flagged.get("Add a broken helper") is True
