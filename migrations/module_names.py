"""Module-level names a static model can miss, read from the module's source (pure).

griffe records plain assignments, definitions and imports. Some modules bind names it does not see:
- tuple/list unpacking at module level: `(NO_VALUE, NEVER_SET) = tuple(Flags)` (SQLAlchemy);
- `global X` inside a module-level function that later assigns or imports `X` (lazy population);
- names listed in a literal `__all__` with no static definition (filled at run time).
Such names exist at run time, so a lookup must find them (with nothing known about them) rather than
report them missing.

`shim_names` reads the names a module `__getattr__` answers for.

Usage:
    names = runtime_names(source_text)
    answered = shim_names(source_text)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

HINT = re.compile(r"^\s*(\(|\[|[A-Za-z_]\w*\s*,)|\bglobal\s", re.MULTILINE)


def runtime_names(source: str) -> set[str]:
    """Names bound at module level by unpacking, or declared `global` in a module-level function."""
    if not HINT.search(source):
        return set()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return set(_unpacked(tree.body)) | set(_globals(tree.body))


def _top_statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those nested in module-level if/try blocks."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_statements([*stmt.body, *stmt.orelse])
        elif isinstance(stmt, ast.Try):
            handlers = [s for h in stmt.handlers for s in h.body]
            yield from _top_statements([*stmt.body, *handlers, *stmt.orelse, *stmt.finalbody])


def _unpacked(body: Iterable[ast.stmt]) -> Iterator[str]:
    for stmt in _top_statements(body):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Tuple | ast.List):
                yield from _target_names(target)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)


def _globals(body: Iterable[ast.stmt]) -> Iterator[str]:
    for stmt in _top_statements(body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(stmt):
                if isinstance(node, ast.Global):
                    yield from node.names


def shim_names(source: str) -> tuple[str, ...]:
    """Names a module-level `__getattr__` answers for, read from its comparisons and lookup tables."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"), None)
    if fn is None:
        return ()
    used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    names: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Compare):
            names.update(_strings(node.comparators))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in used for t in node.targets):
            if isinstance(node.value, ast.Dict):
                names.update(_strings([k for k in node.value.keys if k is not None]))
    return tuple(sorted(n for n in names if n.isidentifier()))


def _strings(nodes: Iterable[ast.AST]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                found.add(sub.value)
    return found
