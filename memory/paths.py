"""Path classification: source, test, vendored; the identifier tokens of a path; git's quoting of paths.

Paths are str. A name whose bytes are not UTF-8 holds each such byte as a surrogate (`surrogateescape`, as
os.fsdecode does): it round-trips to git and to the file system, and JSON with `ensure_ascii` (the default)
or pickle keep it. Text for people or other services goes through `printable` first.
"""

from __future__ import annotations

import functools
from pathlib import PurePosixPath

from memory.textproc import tokenize

__all__ = [
    "SOURCE_SUFFIXES",
    "is_candidate",
    "is_source",
    "is_test",
    "is_vendored",
    "path_tokens",
    "printable",
    "unquote",
]

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


def printable(path: str) -> str:
    """The path with each byte that is not UTF-8 written `\\xe9`: encodable anywhere, for prompts and logs (a
    lone surrogate no byte decodes to is written `\\ud800`)."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate outside the escaped bytes' range
        raw = path.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote(text: str) -> str:
    """A path as git prints it, C-quoted (`"a/x\\"y.py"`, octal bytes) or not, back to the path itself."""
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        return text
    out, i, body = bytearray(), 0, text[1:-1]
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 == len(body):
            out += char.encode("utf-8", "surrogateescape")
            i += 1
        elif body[i + 1] in "01234567":
            end = i + 2  # one to three octal digits (git writes three)
            while end < min(i + 4, len(body)) and body[end] in "01234567":
                end += 1
            out.append(int(body[i + 1 : end], 8) & 0xFF)
            i = end
        else:
            out.append(_ESCAPES.get(body[i + 1], ord(body[i + 1])))
            i += 2
    return out.decode("utf-8", errors="surrogateescape")
