"""Tests for memory.functions."""

from __future__ import annotations

from memory.engine import Memory
from memory.functions import bm25_functions, rank_functions, score_functions

SOURCE = "def parse_cookie(header):\n    return header.split(';')\n\n\ndef render_help(text):\n    return text\n"


def _memory() -> Memory:
    memory = Memory(None)
    memory.set_files({"pkg/a.py": SOURCE, "pkg/b.py": "def unrelated():\n    return 0\n"})
    return memory


def test_bm25_functions_scores_every_function() -> None:
    """The baseline scores all functions of all candidate files."""
    keys, scores = bm25_functions(_memory(), "cookie header parsing")
    best = keys[int(scores.argmax())]
    assert best == ("pkg/a.py", "parse_cookie") and len(keys) == 3


def test_rank_functions_stays_inside_the_top_files_and_uses_mentions() -> None:
    """Only functions of the ranked files are returned; a mentioned name wins inside its file."""
    ranked = rank_functions(_memory(), "`render_help` prints twice", ["pkg/a.py"], [])
    assert ranked == [("pkg/a.py", "render_help"), ("pkg/a.py", "parse_cookie")]


def test_function_terms_add_up_to_the_score_that_orders_them() -> None:
    """Each function's named terms sum to its score, and rank_functions returns the functions in score order."""
    query = "`render_help` cookie parsing"
    scored = score_functions(_memory(), query, ["pkg/a.py"], [])
    assert [f.key for f in scored] == rank_functions(_memory(), query, ["pkg/a.py"], [])
    assert all(abs(sum(f.terms.values()) - f.score) < 1e-12 for f in scored)
    assert [f.score for f in scored] == sorted((f.score for f in scored), reverse=True)
    assert scored[0].terms["mention"] == 0.5 and scored[0].terms["file"] == 1.0
