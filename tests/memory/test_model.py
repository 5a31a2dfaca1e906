"""Tests for memory.model: the JSON rows units and file changes are stored as."""

from __future__ import annotations

import json

import pytest

from memory.model import FileChange, Unit


def test_unit_round_trips_through_json() -> None:
    """A unit with several hunks per file comes back equal, hunks as tuples."""
    change = FileChange("a.py", "old.py", "R", 3, 1, [(1, 2, 1, 3), (10, 0, 11, 1)], ["f"])
    unit = Unit("s", "p", "me", 5, "Fix", (3,), [change, FileChange("b.py", "b.py", "A")], reverts="x")
    back = Unit.from_json(json.loads(json.dumps(unit.to_json())))
    assert back == unit
    assert back.files[0].hunks[1] == (10, 0, 11, 1)


def test_hunks_are_stored_flat() -> None:
    """The stored row holds the hunks as one flat list of ints, four per hunk."""
    assert FileChange("a.py", "a.py", "M", hunks=[(1, 2, 3, 4), (5, 6, 7, 8)]).to_json()[5] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_ragged_hunk_list_is_rejected() -> None:
    """A flat hunk list whose length is not a multiple of four raises ValueError (a malformed file)."""
    with pytest.raises(ValueError, match="zip"):
        FileChange.from_json(["a.py", "a.py", "M", 0, 0, [1, 2, 3, 4, 5], []])
