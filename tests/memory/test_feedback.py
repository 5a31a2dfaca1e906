"""Tests for memory.feedback."""

from __future__ import annotations

from pathlib import Path

from memory.feedback import Outcome, load_outcomes, rejected_like, save_outcomes


def test_outcomes_round_trip_and_missing_file_is_empty(tmp_path: Path) -> None:
    """Saved outcomes load back; a missing or corrupt file is an empty history."""
    path = tmp_path / "outcomes.json"
    assert load_outcomes(path) == []
    outcomes = [Outcome(1, "fix cookies", ["a.py"], merged=False, reason="wrong file", at=1.0)]
    save_outcomes(path, outcomes)
    assert load_outcomes(path) == outcomes
    path.write_text("{not json")
    assert load_outcomes(path) == []


def test_rejected_like_ignores_merged_and_unrelated() -> None:
    """Only rejected outcomes about similar text are recalled."""
    outcomes = [
        Outcome(1, "fix cookie parsing", ["a.py"], merged=False, reason="no"),
        Outcome(2, "fix cookie parsing", ["b.py"], merged=True),
        Outcome(3, "render help page", ["c.py"], merged=False),
    ]
    assert [r["pr"] for r in rejected_like(outcomes, "cookie parsing is broken")] == [1]
