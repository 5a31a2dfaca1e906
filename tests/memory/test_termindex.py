"""Tests for memory.termindex: incremental BM25 scores equal a bm25s index rebuilt from scratch."""

from __future__ import annotations

import random

import numpy as np
import pytest

from memory.lexical import Bm25Index
from memory.snapshot import Snapshot
from memory.termindex import TermIndex

WORDS = [f"w{i}" for i in range(40)]


def _doc(rng: random.Random, longest: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(rng.randint(0, longest))]


@pytest.mark.parametrize(("query", "b"), [(["w1", "w2"], 0.75), (["w5", "unknown", "w5"], 0.75), (["w39"], 0.3)])
def test_edited_index_scores_like_a_fresh_bm25s_index(query: list[str], b: float) -> None:
    """After documents are replaced and removed, scores equal a bm25s index of the final corpus."""
    rng = random.Random(7)
    docs = {f"d{i}": _doc(rng, 30) for i in range(120)}
    index = TermIndex()
    for key, tokens in docs.items():
        index.set(key, tokens)
    for key in list(docs)[:30]:
        docs[key] = _doc(rng, 20)
        index.set(key, docs[key])
    for key in list(docs)[30:40]:
        del docs[key]
        index.remove(key)
    order = sorted(docs)
    expected = Bm25Index([docs[k] for k in order], b=b).scores(query)
    np.testing.assert_allclose(index.scores(order, query, b=b), expected, rtol=1e-5, atol=1e-6)


def test_unknown_tokens_and_empty_index_score_zero() -> None:
    """Queries of unseen tokens, and an empty order, give zeros of the right length."""
    index = TermIndex()
    index.set("a", ["x"])
    assert index.scores(["a"], ["y"]).tolist() == [0.0]
    assert index.scores([], ["x"]).tolist() == []


def test_snapshot_recounts_entries_replaced_behind_its_back() -> None:
    """Entries assigned straight into `files` (as loading does) are picked up by the next query."""
    snapshot = Snapshot()
    snapshot.put("src/a.py", "def parse():\n    return 1\n")
    before = snapshot.content_index()
    assert snapshot.content_index() is before  # unchanged files keep the same index view
    other = Snapshot()
    other.put("src/b.py", "def client():\n    return 2\n")
    snapshot.files["src/b.py"] = other.files["src/b.py"]
    del snapshot.files["src/a.py"]
    assert snapshot.content_index().scores(["client"]).tolist()[0] > 0
    assert snapshot.paths == ["src/b.py"] and snapshot.func_keys == [("src/b.py", "client")]
