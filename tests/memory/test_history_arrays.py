"""Tests for memory.history_arrays: prior, recency and co-change rates as arrays over candidate paths."""

from __future__ import annotations

import numpy as np
import pytest

from memory.history import History
from memory.history_arrays import RECENT_HALF_LIFE_UNITS, cochange_rates, prior_and_recency
from memory.model import FileChange, Unit


def _history(*units: list[str]) -> History:
    history = History()
    for i, paths in enumerate(units):
        history.add(Unit(f"s{i}", "", "a", 0, "m", (), [FileChange(p, p, "M") for p in paths]))
    return history


def test_prior_matches_the_per_path_definition() -> None:
    """The prior array equals History.prior for each path, untouched paths included."""
    history = _history(["a.py"], ["a.py", "b.py"], ["c.py"], ["a.py"])
    paths = ["a.py", "b.py", "c.py", "d.py"]
    prior, _ = prior_and_recency(history, paths)
    assert prior.tolist() == pytest.approx([history.prior(p) for p in paths])


def test_recency_halves_per_half_life_since_the_last_touch() -> None:
    """The last unit's files score 1, a file last touched k units earlier 0.5**(k/half-life), others 0."""
    history = _history(["a.py"], ["b.py"], ["a.py"])
    _, recent = prior_and_recency(history, ["a.py", "b.py", "z.py"])
    assert recent.tolist() == pytest.approx([1.0, 0.5 ** (1 / RECENT_HALF_LIFE_UNITS), 0.0])


def test_cochange_rates_are_conditional_probabilities() -> None:
    """Entry (i, j) is how often j changed among the units that changed i, over candidates only."""
    history = _history(["a.py", "b.py"], ["a.py", "c.py"], ["a.py"], ["b.py", "x.py"])
    pos = {"a.py": 0, "b.py": 1, "c.py": 2}
    dense = cochange_rates(history, pos).toarray()
    expected = np.array([[0, 1 / 3, 1 / 3], [1 / 2, 0, 0], [1, 0, 0]], dtype=np.float32)
    assert np.allclose(dense, expected)
    assert dense[0].tolist() == pytest.approx([history.cochange_prob("a.py", p) for p in pos])
