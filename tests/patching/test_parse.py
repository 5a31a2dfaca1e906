"""Parsing model output into edits."""

from __future__ import annotations

import pytest

from bot.patching import Create, Delete, Rename, Replace, parse_edits

SR = "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SR, [Replace("a.py", "x = 1\n", "x = 2\n")]),
        (
            "Sure.\n`pkg/a.py`\n```python\n" + SR.split("\n", 1)[1] + "```\n",
            [Replace("pkg/a.py", "x = 1\n", "x = 2\n")],
        ),
        ("new.py\n<<<<<<< SEARCH\n=======\nprint(1)\n>>>>>>> REPLACE\n", [Replace("new.py", "", "print(1)\n")]),
        ("DELETE FILE: old.py\n", [Delete("old.py")]),
        ("RENAME FILE: a.py -> b/a.py\n", [Rename("a.py", "b/a.py")]),
        ("just prose, no edits\n- a list\n", []),
        (
            SR + "\nb.py\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE",
            [
                Replace("a.py", "x = 1\n", "x = 2\n"),
                Replace("b.py", "y\n", "z\n"),
            ],
        ),
        (SR.replace("\n", "\r\n"), [Replace("a.py", "x = 1\n", "x = 2\n")]),
    ],
)
def test_search_replace_blocks_and_directives(text: str, expected: list[object]) -> None:
    """Blocks, fenced blocks, creations and file directives become edits in order; prose is ignored."""
    parsed = parse_edits(text)
    assert parsed.errors == ()
    assert list(parsed.edits) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n",
        "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n",
        "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        "this is a sentence\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
    ],
)
def test_malformed_blocks_are_errors_not_edits(text: str) -> None:
    """An unfinished block, or one without a path, is reported and produces no edit."""
    parsed = parse_edits(text)
    assert parsed.edits == ()
    assert len(parsed.errors) == 1


DIFF = """diff --git a/m.py b/m.py
--- a/m.py
+++ b/m.py
@@ -1,3 +1,3 @@
 a
-b
+B
 c
@@ -10,2 +10,3 @@ def f():
 x
+y
 z
"""


def test_unified_diff_hunks_become_hinted_replacements() -> None:
    """Each hunk is a replacement of its old side by its new side, with its 0-based start as a hint."""
    parsed = parse_edits(DIFF)
    assert list(parsed.edits) == [
        Replace("m.py", "a\nb\nc\n", "a\nB\nc\n", line_hint=0),
        Replace("m.py", "x\nz\n", "x\ny\nz\n", line_hint=9),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--- /dev/null\n+++ b/n.py\n@@ -0,0 +1,2 @@\n+one\n+two\n", [Create("n.py", "one\ntwo\n")]),
        ("--- a/o.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n", [Delete("o.py")]),
        (
            "diff --git a/x.py b/y.py\nsimilarity index 100%\nrename from x.py\nrename to y.py\n",
            [Rename("x.py", "y.py")],
        ),
        (
            "--- a/e.py\n+++ b/e.py\n@@ -1,1 +1,1 @@\n-old\n\\ No newline at end of file\n+new\n",
            [Replace("e.py", "old\n", "new\n", line_hint=0, eof_newline=True)],
        ),
        (
            "--- a/w.py\n+++ b/w.py\n@@ -7,9 +7,9 @@\n a\n-b\n+c\n\n d\n\nprose after\n",
            [Replace("w.py", "a\nb\n\nd\n", "a\nc\n\nd\n", line_hint=6)],
        ),
    ],
)
def test_diff_file_operations_and_miscounts(text: str, expected: list[object]) -> None:
    """Creations, deletions, renames, no-newline markers and miscounted hunks parse to the right edits."""
    assert list(parse_edits(text).edits) == expected
