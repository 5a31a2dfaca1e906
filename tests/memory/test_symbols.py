"""Tests for memory.symbols."""

from __future__ import annotations

import pytest

from memory.symbols import extract_symbols, symbols_touched

SOURCE = '''class A:
    def f(self, x: int) -> int:
        """Doc."""
        return x

    def g(self):
        pass


def h():
    pass
'''


def test_extract_symbols_has_qualnames_ranges_signatures_and_docs() -> None:
    """Methods are qualified by their class; signature and first doc paragraph are kept."""
    symbols = {s.qualname: s for s in extract_symbols("a.py", SOURCE)}
    assert list(symbols) == ["A", "A.f", "A.g", "h"]
    assert (symbols["A.f"].start, symbols["A.f"].end) == (2, 4)
    assert symbols["A.f"].signature == "def f(self, x: int) -> int"
    assert symbols["A.f"].doc == "Doc."


@pytest.mark.parametrize("path", ["a.js", "broken.py"])
def test_extract_symbols_is_empty_for_other_languages_and_syntax_errors(path: str) -> None:
    """Files ast cannot read give no symbols rather than an error."""
    assert extract_symbols(path, "def (:\n") == []


@pytest.mark.parametrize(
    ("hunks", "touched"),
    [
        ([(4, 1, 4, 1)], ["A.f"]),
        ([(6, 2, 6, 3)], ["A.g"]),
        ([(3, 1, 3, 1), (11, 1, 11, 1)], ["A.f", "h"]),
        ([(8, 0, 9, 2)], []),
        ([(10, 0, 11, 1)], ["h"]),
    ],
)
def test_symbols_touched_maps_hunks_to_innermost_symbols(hunks, touched) -> None:
    """Old-side hunk ranges select the innermost functions they overlap."""
    assert symbols_touched(extract_symbols("a.py", SOURCE), hunks) == touched


@pytest.mark.parametrize(
    ("path", "source", "touched"),
    [
        ("shape.ts", "export class Circle { area(): number { return 3; } }\n", ["Circle.area"]),
        ("util.min.js", "function a(x){return x+1};function b(x){return x+2}\n", ["a", "b"]),
    ],
)
def test_symbols_sharing_a_changed_line_are_recorded(path: str, source: str, touched: list[str]) -> None:
    """On one line, a class holds its method (the method is innermost), and siblings are each innermost: before,
    symbols with the same lines each counted as holding the other, and nothing was recorded."""
    assert symbols_touched(extract_symbols(path, source), [(1, 1, 1, 1)]) == touched


COMPAT = """import sys

if sys.platform == "win32":
    def open_stream(path):
        return windows_handle(path)
else:
    def open_stream(path):
        return posix_handle(path)

try:
    from fast import loads
except ImportError:
    def loads(text):
        return text

with suppress(Exception):
    class Extra:
        def go(self):
            pass


class A:
    if PY2:
        def f(self):
            pass
"""


def test_definitions_under_if_try_and_with_are_the_scope_s_own() -> None:
    """A compat shim's per-branch definitions are named as if written in the module (or class) itself."""
    symbols = extract_symbols("compat.py", COMPAT)
    assert [(s.qualname, s.start, s.end) for s in symbols] == [
        ("open_stream", 4, 5),
        ("open_stream", 7, 8),
        ("loads", 13, 14),
        ("Extra", 17, 19),
        ("Extra.go", 18, 19),
        ("A", 22, 25),
        ("A.f", 24, 25),
    ]
    assert symbols_touched(symbols, [(8, 1, 8, 1)]) == ["open_stream"]
    assert symbols_touched(symbols, [(25, 1, 25, 1)]) == ["A.f"]
