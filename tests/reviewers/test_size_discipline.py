"""Size discipline facts: reformatted lines, unrelated files, changes that alter no executable code."""

from __future__ import annotations

import pytest

from reviewers.diffs import Hunk, apply_diff, make_diff, parse_diff
from reviewers.size_discipline import code_changed, noise_hunks, reformatted_lines, unrelated_files

CORE = (
    "def load(path):\n    return open(path).read()\n"
    + "\n" * 12
    + "def save(path, data):\n    open(path, 'w').write(data)\n"
)
UTIL = "def other(value):\n    return value\n"


@pytest.mark.parametrize(
    ("removed", "added", "count"),
    [
        (["    f(a, b)"], ["    f( a, b)"], 1),
        (["    f(a, b)"], ["    f(a, b) "], 1),
        (["    f(a, b)"], ["        f(a, b)"], 0),
        (["    f(a, b)"], ["    f(a, c)"], 0),
        ([], ["    x = 1"], 0),
    ],
)
def test_reformatted_lines_table(removed: list[str], added: list[str], count: int) -> None:
    """Only spacing changes inside or after a line count; re-indentation and real edits do not."""
    hunk = Hunk(1, [f"-{line}" for line in removed] + [f"+{line}" for line in added])
    assert reformatted_lines(hunk) == count


def test_a_comment_hunk_with_quotes_and_a_pragma_is_not_noise() -> None:
    """Comment lines that contain quotes and a trailing pragma document the code; they do not reformat it."""
    after = CORE.replace("read()", "read().strip()").replace(
        "    open(path, 'w').write(data)",
        "    # it's kept: the 'w' mode truncates\n    open(path, 'w').write(data)  # pragma: no cover",
    )
    change = parse_diff(make_diff("core.py", CORE, after, context=1))[0]
    assert len(change.hunks) == 2
    assert noise_hunks(change, {"core.py": CORE}) == 0


@pytest.mark.parametrize(
    ("after", "noise"),
    [
        (CORE.replace("read()", "read().strip()"), 0),
        (CORE.replace("read()", "read().strip()").replace("open(path, 'w')", "open( path, 'w')"), 1),
        (
            CORE.replace("read()", "read().strip()").replace(
                "    open(path, 'w')", "    # keep it\n    open(path, 'w')"
            ),
            0,
        ),
    ],
)
def test_noise_hunks_table(after: str, noise: int) -> None:
    """A separate hunk that only re-lays-out code is noise; one that only adds a comment is not."""
    change = parse_diff(make_diff("core.py", CORE, after, context=1))[0]
    assert noise_hunks(change, {"core.py": CORE}) == noise


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ("def f():\n    return 1\n", "def f():\n    # one\n    return 1\n", False),
        ("def f():\n    return 1\n", 'def f():\n    """Doc."""\n    return 1\n', False),
        ("def f():\n    return 1\n", "def f():\n    return 2\n", True),
    ],
)
def test_code_changed_table(before: str, after: str, changed: bool) -> None:
    """Comments, layout and docstrings are not executable changes."""
    assert code_changed(before, after, "m.py") is changed


def _unrelated(
    diff: str, originals: dict[str, str | None], cochange: dict[str, dict[str, float]] | None = None
) -> list[str]:
    return unrelated_files(parse_diff(diff), apply_diff(originals, diff), originals, cochange)


def test_a_file_the_change_uses_is_related() -> None:
    """A helper added in one file and called from the other links the two files."""
    util = UTIL + "\n\ndef clean(text):\n    return text.strip()\n"
    core = "from util import clean\n" + CORE.replace("read()", "read()) and clean(open(path).read()")
    originals: dict[str, str | None] = {"core.py": CORE, "util.py": UTIL}
    diff = make_diff("core.py", CORE, core) + make_diff("util.py", UTIL, util)
    assert _unrelated(diff, originals) == []


@pytest.mark.parametrize(("cochange", "expected"), [(None, ["util.py"]), ({"core.py": {"util.py": 0.5}}, [])])
def test_an_unlinked_file_is_unrelated_unless_it_cochanges(
    cochange: dict[str, dict[str, float]] | None, expected: list[str]
) -> None:
    """A second file nothing refers to is unrelated, unless memory says the two usually change together."""
    originals: dict[str, str | None] = {"core.py": CORE, "util.py": UTIL}
    diff = make_diff("core.py", CORE, CORE.replace("read()", "read().strip()")) + make_diff(
        "util.py", UTIL, UTIL + "\n\ndef _spare(v):\n    return v\n"
    )
    assert _unrelated(diff, originals, cochange) == expected
