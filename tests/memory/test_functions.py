"""Tests for memory.functions."""

from __future__ import annotations

from memory.engine import Memory
from memory.functions import bm25_functions, rank_functions

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
