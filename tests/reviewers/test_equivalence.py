"""Normalization and clustering of equivalent candidates."""

from __future__ import annotations

import pytest

from reviewers.base import Candidate, PoolContext
from reviewers.diffs import make_diff
from reviewers.equivalence import EquivalenceReviewer, cluster, normalize_source

ORIGINAL = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("x = 1\n", "x=1  # one\n", True),
        ("def f(x):\n    return x\n", "def f( x ):\n\n    return (x)\n", True),
        ("x = [1,\n 2]\n", "x = [1, 2]\n", True),
        ("x = 1\n", "x = 2\n", False),
        ("def f(x):\n    '''Doc.'''\n    return x\n", "def f(x):\n    return x\n", False),
    ],
)
def test_normalize(a: str, b: str, same: bool) -> None:
    """Comments, whitespace and layout vanish; code and docstrings stay."""
    assert (normalize_source(a, "m.py") == normalize_source(b, "m.py")) is same


def test_equivalent_candidates_are_clustered() -> None:
    """Two spellings of one fix share a cluster; a different fix gets its own."""
    one = Candidate("one", make_diff("m.py", ORIGINAL, "def f(x):\n    return x + 2\n"))
    two = Candidate("two", make_diff("m.py", ORIGINAL, "def f(x):\n    # two more\n    return (x+2)\n"))
    other = Candidate("other", make_diff("m.py", ORIGINAL, "def f(x):\n    return 2 + x\n"))
    assert cluster({"m.py": ORIGINAL}, [one, two, other]) == {"one": ["one", "two"], "other": ["other"]}
    verdicts = EquivalenceReviewer().review(PoolContext("", [one, two, other], {"m.py": ORIGINAL}))
    assert [round(v.scores[0].value, 2) for v in verdicts] == [0.67, 0.67, 0.33]


def test_diffs_holding_bytes_outside_utf8_are_hashed_and_clustered() -> None:
    """A diff of a file holding bytes UTF-8 cannot decode carries them as surrogates (as bot.patching makes it):
    hashing and clustering it neither fails nor mixes it up, whether it applies to the originals or not."""
    before = "# caf\udce9\nx = 1\n"
    one = Candidate("one", make_diff("m.py", before, "# caf\udce9\nx = 2\n"))
    other = Candidate("other", make_diff("m.py", before, "# caf\udce9\nx = 3\n"))
    assert one.code_hash != other.code_hash
    assert cluster({"m.py": before}, [one, other]) == {"one": ["one"], "other": ["other"]}
    replaced = {"m.py": "# caf\ufffd\nx = 1\n"}  # originals read for people: the byte shown as U+FFFD
    assert cluster(replaced, [one, other]) == {"one": ["one"], "other": ["other"]}
