"""Applying edits in memory: strategies in order, never ambiguous, never partial within a block."""

from __future__ import annotations

import pytest

from bot.patching import Create, Delete, Edit, Rename, Replace, Status, Strategy, apply_edits, parse_edits

SRC = "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g(y):\n    return y\n"


@pytest.mark.parametrize(
    ("search", "replace", "strategy", "expected"),
    [
        (
            "    if x:\n        return 1\n",
            "    if x > 0:\n        return 1\n",
            Strategy.EXACT,
            SRC.replace("if x:", "if x > 0:"),
        ),
        (
            "    if x:   \n        return 1  \n",
            "    if x > 0:  \n        return 1\n",
            Strategy.WHITESPACE,
            SRC.replace("if x:", "if x > 0:"),
        ),
        (
            "\tif x:\n\t\treturn 1\n",
            "\tif x > 0:\n\t\treturn 1\n",
            Strategy.WHITESPACE,
            SRC.replace("if x:", "if x > 0:"),
        ),
        (
            "if x:\n    return 1\n",
            "if x > 0:\n    return 10\n",
            Strategy.INDENT,
            SRC.replace("if x:\n        return 1", "if x > 0:\n        return 10"),
        ),
        (
            "def g(y):\n    return y\n",
            "def g(y):\n    # doubled\n    return 2 * y\n",
            Strategy.EXACT,
            SRC.replace("    return y", "    # doubled\n    return 2 * y"),
        ),
        (
            "def f(x):\n    if x:\n        retrun 1\n    return 2\n",
            "def f(x):\n    return 3\n",
            Strategy.FUZZY,
            SRC.replace("def f(x):\n    if x:\n        return 1\n    return 2", "def f(x):\n    return 3"),
        ),
    ],
)
def test_strategies_in_order(search: str, replace: str, strategy: Strategy, expected: str) -> None:
    """Each kind of drift is matched by the first strategy that tolerates it, and the result is exact."""
    report = apply_edits({"m.py": SRC}, [Replace("m.py", search, replace)])
    assert [r.strategy for r in report.results] == [strategy]
    assert report.files["m.py"] == expected


def test_tabs_file_gets_tab_indented_new_lines() -> None:
    """New lines written with spaces take the tab indentation of a tab-indented file."""
    src = "def f():\n\tif a:\n\t\tb()\n"
    report = apply_edits(
        {"t.py": src}, [Replace("t.py", "    if a:\n        b()\n", "    if a:\n        b()\n        c()\n")]
    )
    assert report.files["t.py"] == "def f():\n\tif a:\n\t\tb()\n\t\tc()\n"


def test_crlf_file_stays_crlf() -> None:
    """A CRLF file edited with LF blocks keeps CRLF everywhere."""
    report = apply_edits({"w.py": "a = 1\r\nb = 2\r\n"}, [Replace("w.py", "b = 2\n", "b = 3\nc = 4\n")])
    assert report.files["w.py"] == "a = 1\r\nb = 3\r\nc = 4\r\n"


def test_elided_lines_are_kept() -> None:
    """A block that elides unchanged lines with "..." changes both ends and keeps the middle."""
    src = "def f():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    return a\n"
    search = "def f():\n    a = 1\n    # ... existing code ...\n    d = 4\n    return a\n"
    replace = "def f():\n    a = 10\n    # ... existing code ...\n    d = 4\n    return a + d\n"
    report = apply_edits({"e.py": src}, [Replace("e.py", search, replace)])
    assert report.results[0].strategy is Strategy.ELIDED
    assert report.files["e.py"] == src.replace("a = 1", "a = 10").replace("return a", "return a + d")


@pytest.mark.parametrize(
    ("files", "edit", "status"),
    [
        ({"d.py": "x = 1\ny = 2\nx = 1\n"}, Replace("d.py", "x = 1\n", "x = 9\n"), Status.AMBIGUOUS),
        ({"d.py": "x = 1\n"}, Replace("d.py", "nothing like it\n", "z\n"), Status.NOT_FOUND),
        ({}, Replace("missing.py", "a\n", "b\n"), Status.NOT_FOUND),
        ({"d.py": "x = 1\n"}, Replace("d.py", "", "y\n"), Status.REJECTED),
        ({"d.py": "x\n"}, Create("d.py", "other\n"), Status.REJECTED),
        ({"a.py": "a\n", "b.py": "b\n"}, Rename("a.py", "b.py"), Status.REJECTED),
        ({}, Delete("ghost.py"), Status.NOT_FOUND),
        ({}, Create(".github/workflows/ci.yml", "on: push\n"), Status.REJECTED),
        ({}, Create("../escape.py", "x\n"), Status.REJECTED),
        ({}, Create("/etc/passwd", "x\n"), Status.REJECTED),
    ],
)
def test_failures_change_nothing(files: dict[str, str], edit: object, status: Status) -> None:
    """Ambiguous, missing, unsafe or conflicting edits are never applied."""
    report = apply_edits(files, [edit])  # type: ignore[list-item]
    assert report.results[0].status is status
    assert report.files == {}


def test_ambiguity_resolved_only_by_exact_hint() -> None:
    """A diff's line number picks among identical matches only when it points exactly at one."""
    src = "x = 1\ny = 2\nx = 1\n"
    assert apply_edits({"d.py": src}, [Replace("d.py", "x = 1\n", "x = 9\n", line_hint=2)]).files["d.py"] == (
        "x = 1\ny = 2\nx = 9\n"
    )
    assert apply_edits({"d.py": src}, [Replace("d.py", "x = 1\n", "x = 9\n", line_hint=1)]).files == {}


def test_not_found_feedback_quotes_closest_lines() -> None:
    """A missed block gets the nearest real lines, numbered, in its message."""
    report = apply_edits({"m.py": SRC}, [Replace("m.py", "def g(z):\n    return z + 1\n", "pass\n")])
    message = report.results[0].message
    assert "Did you mean" in message
    assert "    7 | def g(y):" in message


def test_failed_block_does_not_block_others() -> None:
    """Good blocks in the same answer are applied; only the failed one is reported."""
    text = (
        "m.py\n<<<<<<< SEARCH\ndef g(y):\n=======\ndef g(y, z=0):\n>>>>>>> REPLACE\n"
        "m.py\n<<<<<<< SEARCH\nno such line\n=======\nx\n>>>>>>> REPLACE\n"
    )
    report = apply_edits({"m.py": SRC}, parse_edits(text).edits)
    assert [r.status for r in report.results] == [Status.APPLIED, Status.NOT_FOUND]
    assert "def g(y, z=0):" in (report.files["m.py"] or "")


def test_multi_file_create_delete_rename() -> None:
    """Edits across files, including new, deleted and renamed files, apply in order."""
    edits: list[Edit] = [
        Create("new.py", "n = 1\n"),
        Delete("gone.py"),
        Rename("old.py", "pkg/old.py"),
        Replace("pkg/old.py", "o\n", "p\n"),
    ]
    report = apply_edits({"gone.py": "g\n", "old.py": "o\n"}, edits)
    assert report.all_applied
    assert report.files == {"new.py": "n = 1\n", "gone.py": None, "old.py": None, "pkg/old.py": "p\n"}
