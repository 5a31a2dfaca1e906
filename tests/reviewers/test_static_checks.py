"""Dead and dangling code a change introduces, found from the AST alone."""

from __future__ import annotations

import pytest

from reviewers.static_checks import findings, new_findings

BASE = "import os\n\n\ndef run(path):\n    return os.path.join(path, 'x')\n"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (BASE, []),
        (BASE.replace("import os\n", "import os\nimport sys\n"), ["unused-import:sys"]),
        (BASE.replace("return os", "return helper(path) or os"), ["undefined-name:helper"]),
        (BASE.replace("    return", "    _unused = None\n    return"), ["dead-store:run:_unused"]),
        (BASE.replace("def run(path)", "def run(path, strict)"), ["unused-arg:run:strict"]),
        (BASE.replace("    return", "    if True:\n        pass\n    return"), ["constant-test:True#1"]),
        (BASE + "\n\ndef _spare(value):\n    return value\n", ["unused-private:_spare"]),
        (BASE + "\n\nclass A:\n    def __init__(self):\n        self._size = 1\n", ["unused-attribute:_size"]),
        (BASE.replace("    return", "    while True:\n        break\n    return"), []),
        (BASE + "\n\ndef _used():\n    return 1\n\n\nX = _used()\n", []),
    ],
)
def test_new_findings_table(after: str, expected: list[str]) -> None:
    """Each kind of dead or dangling code is reported once, by a stable key, and idioms are left alone."""
    assert new_findings(BASE, after, "pkg/mod.py") == expected


def test_only_new_findings_count() -> None:
    """A finding the original already had is not held against the change."""
    before = BASE.replace("import os\n", "import os\nimport sys\n")
    assert new_findings(before, before.replace("'x'", "'y'"), "pkg/mod.py") == []


def test_nonlocal_store_never_read_is_dead() -> None:
    """A flag set through `nonlocal` but never read anywhere is a dead store of the outer function."""
    text = "def outer():\n    flag = False\n\n    def inner():\n        nonlocal flag\n        flag = True\n\n"
    text += "    inner()\n"
    assert "dead-store:outer:flag" in findings(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("from .core import thing\n", "pkg/__init__.py"),
        ("from __future__ import annotations\n", "pkg/mod.py"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import Y\n\n"
            "def f(a: 'Y') -> None:\n    print(a)\n",
            "m.py",
        ),
        ("from x import *\nprint(anything)\n", "m.py"),
        ("def f(a):\n    raise NotImplementedError\n", "m.py"),
    ],
)
def test_idioms_are_not_findings(text: str, path: str) -> None:
    """Re-exports, future imports, string annotations, star imports and stubs produce nothing."""
    assert findings(text, path) == set()


def test_non_python_and_unparsable_texts_have_none() -> None:
    """Only Python that parses is checked."""
    assert new_findings(None, "x = (", "m.py") == []
    assert new_findings("a", "b", "README.md") == []
