"""What one source file says about the project's code (a pure part of the conventions profile).

`file_stats` reads a Python module's syntax tree: its functions (annotated, documented, and each docstring's
style), its classes and their bases, the exceptions it raises, and the logging styles it calls or imports (so
`print(...)` in a docstring example or a comment is none).
Test modules only say whether they use unittest. The profile is a sum over files, so an update re-reads only the
files that changed (see `memory.profile_state`). Vendored files, non-Python files and files over MAX_CHARS
(generated tables and bundles, no sample of anyone's style) add nothing.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from memory.paths import is_test, is_vendored

__all__ = ["DOCSTRING_STYLES", "LOGGING_STYLES", "MAX_CHARS", "file_stats"]

MAX_CHARS = 1_000_000
# Each docstring votes for the first style whose section markers it holds.
_STYLES = (
    ("numpy", re.compile(r"^[ \t]*(Parameters|Returns|Yields|Raises|Attributes)[ \t]*\n[ \t]*-{3,}[ \t]*$", re.M)),
    ("google", re.compile(r"^[ \t]*(Args|Arguments|Returns|Yields|Raises|Attributes|Keyword Args):[ \t]*$", re.M)),
    ("sphinx", re.compile(r"^[ \t]*:(param|parameter|arg|type|returns?|rtype|raises?)\b[^:\n]*:", re.M)),
    ("markdown", re.compile(r"^[ \t]*\*\*(Parameters|Arguments|Args|Returns|Raises):?\*\*", re.M)),
)
DOCSTRING_STYLES = tuple(name for name, _ in _STYLES)
LOGGING_STYLES = ("logging.getLogger", "logging.<level>", "structlog", "loguru", "warnings.warn", "print")
_CALLED = {"print": "print", "getLogger": "logging.getLogger", "warn": "warnings.warn"}  # bare names called
_LEVELS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _parse(text: str) -> ast.Module | None:
    """The module's syntax tree, or None for code that does not parse (Python 2, templates, NUL bytes)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _name(node: ast.expr | None) -> str | None:
    """The last name of `pkg.Base`, `Base` or `Base[T]`; None for any other expression."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _annotated(node: _Function) -> bool:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
    return node.returns is not None or any(a.annotation is not None for a in every)


def _style(doc: str | None) -> str | None:
    return next((name for name, pattern in _STYLES if pattern.search(doc)), None) if doc else None


def _raised(node: ast.Raise) -> str | None:
    """The class a `raise` names (`raise Error(...)`, `raise pkg.Error`); None for re-raises of variables."""
    name = _name(node.exc.func if isinstance(node.exc, ast.Call) else node.exc)
    return name if name and name[:1].isupper() else None


def _logging_call(node: ast.Call) -> str | None:
    """The logging style a call is: `print()`, `logging.getLogger()`, `logging.info()`, `warnings.warn()`."""
    func = node.func
    if isinstance(func, ast.Name):
        return _CALLED.get(func.id)
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    if func.value.id == "logging":
        return "logging.getLogger" if func.attr == "getLogger" else "logging.<level>" if func.attr in _LEVELS else None
    return "warnings.warn" if (func.value.id, func.attr) == ("warnings", "warn") else None


def _logging_import(node: ast.Import | ast.ImportFrom) -> str | None:
    """structlog or loguru, when the import brings in either."""
    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
    return next((top for name in names if (top := name.split(".")[0]) in ("structlog", "loguru")), None)


def _bump(table: dict[str, int], key: str | None) -> None:
    if key:
        table[key] = table.get(key, 0) + 1


def _tree_stats(tree: ast.Module) -> dict[str, Any]:
    stats: dict[str, Any] = {"defs": 0, "annotated": 0, "documented": 0, "raise_from": 0}
    styles: dict[str, int] = {}
    classes: dict[str, list[str]] = {}
    raises: dict[str, int] = {}
    logging: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, _Function):
            doc = ast.get_docstring(node)
            stats["defs"] += 1
            stats["annotated"] += _annotated(node)
            stats["documented"] += doc is not None
            _bump(styles, _style(doc))
        elif isinstance(node, ast.ClassDef):
            classes.setdefault(node.name, []).extend(b for b in map(_name, node.bases) if b)
            _bump(styles, _style(ast.get_docstring(node)))
        elif isinstance(node, ast.Raise):
            _bump(raises, _raised(node))
            stats["raise_from"] += node.cause is not None
        elif isinstance(node, ast.Call):
            logging.add(_logging_call(node))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            logging.add(_logging_import(node))
    used = [style for style in LOGGING_STYLES if style in logging]
    return {**stats, "styles": styles, "classes": classes, "raises": raises, "logging": used}


def file_stats(path: str, text: str) -> dict[str, Any]:
    """What one source file adds to the profile ({} for files that add nothing)."""
    if is_vendored(path):
        return {}
    if is_test(path):
        return {"unittest": int("unittest.TestCase" in text or "(TestCase)" in text)}
    if not path.endswith(".py") or len(text) > MAX_CHARS:
        return {}
    tree = _parse(text)
    found = _tree_stats(tree) if tree is not None else _tree_stats(ast.Module(body=[], type_ignores=[]))
    return {**found, "future": int("from __future__ import annotations" in text)}
