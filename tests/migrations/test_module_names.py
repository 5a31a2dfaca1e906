"""Module-level names read from source that griffe does not model."""

from __future__ import annotations

import pytest

from migrations.module_names import runtime_names, shim_names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(A, B) = tuple(Flags)\n", {"A", "B"}),
        ("A, *rest = values\n", {"A", "rest"}),
        ("[X, (Y, Z)] = nested\n", {"X", "Y", "Z"}),
        ("try:\n    P, Q = load()\nexcept ImportError:\n    P = Q = None\n", {"P", "Q"}),
        ("def _go():\n    global Lazy, Other\n    from .impl import Lazy, Other\n", {"Lazy", "Other"}),
        ("class C:\n    a, b = 1, 2\n", set()),
        ("A = 1\nB = A\n", set()),
        ("def f(:\n", set()),
    ],
)
def test_runtime_names(source: str, expected: set[str]) -> None:
    """Unpacking targets and `global` declarations at module level are found; class bodies are not."""
    assert runtime_names(source) == expected


def test_shim_names_reads_comparisons_and_tables() -> None:
    """Names compared in `__getattr__` and keys of the table it consults are answered names."""
    source = (
        "MOVED = {'old_table': 'new'}\n"
        "def __getattr__(name):\n"
        "    if name == 'legacy':\n"
        "        return 1\n"
        "    if name in MOVED:\n"
        "        return MOVED[name]\n"
        "    raise AttributeError(name)\n"
    )
    assert shim_names(source) == ("legacy", "old_table")
