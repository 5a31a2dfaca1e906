"""Tests for memory.api_index: use counts are references to each definition, told apart statically."""

from __future__ import annotations

import pytest

from memory.api_index import ApiEntry, api_index, file_refs, search_api
from memory.snapshot import Snapshot

FILES = {
    "pkg/__init__.py": "from .util import helper\nfrom . import shapes\n",
    "pkg/util.py": (
        'def helper(x):\n    """Help with x."""\n    return x\n\n\n'
        "def unused():\n    return helper(1)\n\n\ndef _private():\n    pass\n"
    ),
    "pkg/shapes.py": (
        "class Shape:\n"
        "    def area(self):\n        return 0\n\n"
        '    def describe(self):\n        return f"{self.area()}"\n\n'
        '    def name(self):\n        return "shape"\n\n'
        "    def copy(self):\n        return self\n\n"
        '    def label(self):\n        return "plain"\n\n\n'
        "class Square(Shape):\n"
        "    def __init__(self, side):\n        self.side = side\n\n"
        "    def area(self):\n        return self.side * self.side\n\n"
        '    def name(self):\n        return "square"\n\n'
        "    def grow(self):\n        return self.copy().describe()\n"
    ),
    "pkg/app.py": (
        "import pkg\nimport pkg.util as u\nfrom pkg import helper as h\nfrom pkg.shapes import Square\n\n\n"
        "def run(s):\n"
        '    """Call helper, helper and helper: words in a docstring are no references."""\n'
        "    h(1)\n    h(2)\n    u.helper(3)\n    pkg.helper(4)\n"
        "    sq = Square(2)\n    sq.describe()\n    Square.name(sq)\n    s.name()\n"
        '    sq.label = "big"\n    sq.label()\n'
        "    def inner():\n        return 1\n"
        "    return sq.area() + inner()\n"
    ),
    "tests/test_app.py": "from pkg.util import helper\n\n\ndef test_helper():\n    assert helper(1) == 1\n",
}


def _snapshot() -> Snapshot:
    snapshot = Snapshot()
    for path, text in FILES.items():
        snapshot.put(path, text)
    return snapshot


def _index() -> dict[str, ApiEntry]:
    refs = {path: file_refs(path, text) for path, text in FILES.items()}
    return {e.qualname: e for e in api_index(_snapshot(), refs)}


@pytest.mark.parametrize(
    ("qualname", "uses", "ambiguous"),
    [
        ("helper", 5, False),  # own module 1, alias h 2, u.helper 1, pkg.helper through the re-export 1
        ("unused", 0, False),
        ("run", 0, False),
        ("Shape", 1, False),  # named as Square's base
        ("Square", 2, False),  # Square(2) and Square.name
        ("Shape.describe", 2, False),  # unique name: every `.describe` load counts
        ("Square.grow", 0, False),
        ("Shape.area", 1, True),  # two classes define area: only self.area() inside Shape counts
        ("Square.area", 0, True),  # sq.area() cannot be told apart
        ("Shape.name", 0, True),  # s.name() has an unknown receiver
        ("Square.name", 1, True),  # Square.name(sq) says which class
        ("Shape.copy", 1, True),  # a builtin attribute name; self.copy() in the subclass inherits it
        ("Shape.label", 0, True),  # assigned as data (`sq.label = ...`): the name is not only a method
        ("Square.__init__", 0, True),
    ],
)
def test_uses_count_references_to_that_definition(qualname: str, uses: int, ambiguous: bool) -> None:
    """Each entry's count is the references that resolve to it, a lower bound marked ambiguous when unsure."""
    entry = _index()[qualname]
    assert (entry.uses, entry.ambiguous) == (uses, ambiguous)


def test_private_nested_and_test_code_are_left_out() -> None:
    """Private helpers and functions nested in functions are no API; tests do not count as uses."""
    assert {"_private", "run.inner"}.isdisjoint(_index())
    assert _index()["helper"].uses == 5


def test_entries_carry_signature_and_doc_most_used_first() -> None:
    """Entries keep signature and doc, and come most used first."""
    entries = api_index(_snapshot(), {path: file_refs(path, text) for path, text in FILES.items()})
    assert (entries[0].qualname, entries[0].signature, entries[0].doc) == ("helper", "def helper(x)", "Help with x.")
    assert [e.uses for e in entries] == sorted((e.uses for e in entries), reverse=True)


def test_without_references_nothing_is_counted() -> None:
    """No per-file references means no known use, never a word count."""
    assert {e.uses for e in api_index(_snapshot())} == {0}


def test_overloads_give_one_entry_with_the_implementation() -> None:
    """Overloaded definitions are one entry, with the implementation's signature."""
    text = (
        "from typing import overload\n\n\n@overload\ndef conv(x: int) -> int: ...\n"
        "@overload\ndef conv(x: str) -> str: ...\ndef conv(x):\n    return x\n\n\nconv(1)\n"
    )
    snapshot = Snapshot()
    snapshot.put("pkg/conv.py", text)
    entries = api_index(snapshot, {"pkg/conv.py": file_refs("pkg/conv.py", text)})
    assert [(e.signature, e.uses) for e in entries] == [("def conv(x)", 1)]


@pytest.mark.parametrize(
    ("path", "source", "imports"),
    [
        ("pkg/sub/mod.py", "from .x import y", {"y": "pkg.sub.x.y"}),
        ("pkg/sub/mod.py", "from .. import y as z", {"z": "pkg.y"}),
        ("pkg/sub/__init__.py", "from . import mod", {"mod": "pkg.sub.mod"}),
        ("pkg/a.py", "import os.path\nimport json as j", {"os": "os", "j": "json"}),
        ("pkg/a.py", "def f():\n    from pkg.b import g", {"g": "pkg.b.g"}),
    ],
)
def test_imports_resolve_relative_and_aliased_names(path: str, source: str, imports: dict[str, str]) -> None:
    """Each import binds a local name to the dotted target it means, relative ones against the file's package."""
    assert file_refs(path, source)["imports"] == imports


@pytest.mark.parametrize(("path", "text"), [("pkg/a.js", "function f() {}"), ("pkg/a.py", "def (:")])
def test_other_languages_and_broken_files_have_no_references(path: str, text: str) -> None:
    """Non-Python files and syntax errors give no references."""
    assert file_refs(path, text) == {}


def test_search_finds_helpers_by_their_words() -> None:
    """An issue text about help with values finds the helper."""
    assert [e.qualname for e in search_api(list(_index().values()), "help with x badly")] == ["helper"]


def test_a_stdlib_import_is_not_a_project_module_of_the_same_name() -> None:
    """`import logging` is the standard library even when the project has a `utils/logging.py`."""
    files = {
        "src/pkg/__init__.py": "",
        "src/pkg/utils/__init__.py": "",
        "src/pkg/utils/logging.py": "def getLogger(name):\n    return name\n",
        "src/pkg/a.py": "import logging\n\nlog = logging.getLogger(__name__)\nother = logging.getLogger('x')\n",
        "src/pkg/b.py": "from pkg.utils.logging import getLogger\n\nlog = getLogger('b')\n",
        "src/pkg/c.py": "from .utils import logging\n\nlog = logging.getLogger('c')\n",
    }
    snapshot = Snapshot()
    for path, text in files.items():
        snapshot.put(path, text)
    refs = {path: file_refs(path, text) for path, text in files.items()}
    [entry] = [e for e in api_index(snapshot, refs) if e.qualname == "getLogger"]
    assert entry.uses == 2  # b.py by its package name, c.py by a relative import; not a.py's stdlib calls
