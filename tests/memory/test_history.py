"""Tests for memory.history and memory.lexical."""

from __future__ import annotations

from memory.history import History
from memory.lexical import Bm25Index
from memory.model import FileChange, Unit


def _unit(sha: str, changes: list[FileChange]) -> Unit:
    return Unit(sha, "", "a", 0, "m", (), changes)


def test_cochange_probability_and_prior() -> None:
    """Co-change is P(other | seed) over the seed's units; the prior grows with recent touches."""
    history = History()
    history.add(_unit("1", [FileChange("a.py", "a.py", "M"), FileChange("b.py", "b.py", "M")]))
    history.add(_unit("2", [FileChange("a.py", "a.py", "M")]))
    assert history.cochange_prob("a.py", "b.py") == 0.5
    assert history.cochange_prob("b.py", "a.py") == 1.0
    assert history.prior("a.py") > history.prior("b.py") > history.prior("c.py") == 0.0


def test_tests_and_docs_are_not_tracked_as_candidates() -> None:
    """Only candidate files collect touches."""
    history = History()
    history.add(
        _unit("1", [FileChange("tests/test_a.py", "tests/test_a.py", "M"), FileChange("README.md", "README.md", "M")])
    )
    assert dict(history.touches) == {}


def test_bm25_handles_empty_corpus_and_unknown_words() -> None:
    """An empty corpus or unknown query scores zeros instead of failing."""
    assert Bm25Index([[], []]).scores(["x"]).tolist() == [0.0, 0.0]
    index = Bm25Index([["cookie", "jar"], ["client"]])
    assert index.scores(["nothing"]).tolist() == [0.0, 0.0]
    assert index.scores(["cookie"])[0] > 0 == index.scores(["cookie"])[1]
