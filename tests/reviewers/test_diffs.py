"""Unified diffs: parse, apply, rebuild."""

from __future__ import annotations

import pytest

from reviewers.diffs import apply_diff, make_diff, parse_diff, render_diff
from reviewers.errors import PatchError

BEFORE = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"


@pytest.mark.parametrize(
    "after",
    [
        "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n",
        "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n",
        "z\na\nb\nc\nd\ne\nf\ng\nh\ni\nJ\nk\n",
        "a\nc\nd\ne\nf\ng\nh\ni\nj\n",
    ],
)
def test_round_trip(after: str) -> None:
    """Applying a diff made from two texts gives the second; parse then render gives an equivalent diff."""
    diff = make_diff("m.py", BEFORE, after, context=1)
    assert apply_diff({"m.py": BEFORE}, diff) == {"m.py": after}
    assert apply_diff({"m.py": BEFORE}, render_diff(parse_diff(diff))) == {"m.py": after}


def test_created_and_deleted_files() -> None:
    """/dev/null sides create and delete files."""
    diff = make_diff("new.py", None, "x = 1\n") + make_diff("m.py", BEFORE, None)
    assert apply_diff({"m.py": BEFORE}, diff) == {"new.py": "x = 1\n", "m.py": None}


def test_mismatched_hunk_is_refused() -> None:
    """A hunk whose old lines are not in the original is an error, never a fuzzy application."""
    diff = make_diff("m.py", BEFORE, BEFORE.replace("c", "C"))
    with pytest.raises(PatchError):
        apply_diff({"m.py": BEFORE.replace("b", "x")}, diff)
