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


def _edited_index() -> tuple[TermIndex, list[str]]:
    """An index whose documents were set, replaced and removed (its vocabulary outlives some of them)."""
    rng = random.Random(11)
    index = TermIndex()
    for i in range(60):
        index.set(f"d{i}", _doc(rng, 25))
    for i in range(10):
        index.set(f"d{i}", _doc(rng, 10))
    for i in range(50, 60):
        index.remove(f"d{i}")
    index.set("empty", [])
    return index, [*(f"d{i}" for i in range(50)), "empty"]


@pytest.mark.parametrize("query", [["w1", "w2"], ["w7", "w7", "unknown"], ["w39"]])
def test_restored_index_scores_like_the_dumped_one(query: list[str]) -> None:
    """A dump restored elsewhere gives the same scores, bit for bit, and keeps counting new documents."""
    index, order = _edited_index()
    restored = TermIndex.restore(index.dump())
    np.testing.assert_array_equal(restored.scores(order, query), index.scores(order, query))
    for each in (index, restored):
        each.set("late", ["w1", "w39", "brand-new"])
    np.testing.assert_array_equal(
        restored.scores([*order, "late"], [*query, "brand-new"]), index.scores([*order, "late"], [*query, "brand-new"])
    )


def test_an_empty_index_survives_dump_and_restore() -> None:
    """A repository without functions dumps an empty function index; restoring it gives an empty index back."""
    restored = TermIndex.restore(TermIndex().dump())
    assert restored.dump()[0] == [] and restored.scores([], ["anything"]).size == 0


def test_restore_refuses_parts_that_do_not_fit() -> None:
    """Sizes that disagree with the ids, or ids beyond the vocabulary, are a ValueError."""
    keys, vocab, sizes, ids, counts = _edited_index()[0].dump()
    with pytest.raises(ValueError, match="fit"):
        TermIndex.restore((keys[:-1], vocab, sizes, ids, counts))
    with pytest.raises(ValueError, match="fit"):
        TermIndex.restore((keys, vocab[:3], sizes, ids, counts))


def test_snapshot_adopts_restored_counts_without_recounting() -> None:
    """A snapshot given its files' dumped counts scores like the one they came from, and counts edits."""
    source = Snapshot()
    for i in range(5):
        source.put(f"src/m{i}.py", f"def helper_{i}(value):\n    return parse_{i % 2}(value)\n")
    copy = Snapshot()
    copy.files = dict(source.files)
    copy.restore_terms(*source.dump_terms())
    for snap in (source, copy):
        snap.put("src/m0.py", "def renamed():\n    return parse_1()\n")
    query = ["pars", "helper_1", "renam"]
    np.testing.assert_array_equal(copy.content_index().scores(query), source.content_index().scores(query))
    np.testing.assert_array_equal(copy.function_index().scores(query), source.function_index().scores(query))
    assert copy.func_keys == source.func_keys


def test_snapshot_refuses_counts_of_other_files() -> None:
    """Counts dumped from another set of files are a ValueError, not silently wrong scores."""
    source = Snapshot()
    source.put("src/a.py", "def a():\n    pass\n")
    other = Snapshot()
    other.put("src/b.py", "def b():\n    pass\n")
    with pytest.raises(ValueError, match="files"):
        other.restore_terms(*source.dump_terms())
