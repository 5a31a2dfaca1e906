"""Path classification: source, test, vendored; and the identifier tokens of a path."""

from __future__ import annotations

import functools
from pathlib import PurePosixPath

from memory.textproc import tokenize

__all__ = ["SOURCE_SUFFIXES", "is_candidate", "is_source", "is_test", "is_vendored", "path_tokens"]

SOURCE_SUFFIXES = frozenset(
    ".py .pyi .pyx .js .jsx .ts .tsx .go .rs .java .kt .c .h .cc .cpp .hpp .rb .php .cs .swift .scala".split()
)
_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs"})
_VENDOR_DIRS = frozenset({"_vendor", "vendor", "vendored", "third_party", "node_modules", "site-packages"})


def is_source(path: str) -> bool:
    return PurePosixPath(path).suffix in SOURCE_SUFFIXES


def is_test(path: str) -> bool:
    """Tests by folder (`tests/`), by name (`test_x.py`, `x_test.go`, `x.spec.ts`) or `conftest.py`."""
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else ""
    stem = name.split(".", 1)[0]
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    return (
        stem.startswith("test_")
        or stem.endswith(("_test", "_tests"))
        or ".test." in name
        or ".spec." in name
        or (name == "conftest.py")
    )


def is_vendored(path: str) -> bool:
    return any(p in _VENDOR_DIRS for p in PurePosixPath(path).parts[:-1])


@functools.lru_cache(maxsize=65_536)
def is_candidate(path: str) -> bool:
    """The files localization ranks: the project's own non-test source files."""
    return is_source(path) and not is_test(path) and not is_vendored(path)


def path_tokens(path: str) -> list[str]:
    return tokenize(path.replace("/", " ").replace(".", " "))
