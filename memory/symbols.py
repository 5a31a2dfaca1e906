"""Functions and classes of a source file with line ranges, signatures and docs (`ast`; tree-sitter otherwise)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from memory.model import Hunk

__all__ = ["Symbol", "extract_symbols", "symbols_touched"]


@dataclass(frozen=True)
class Symbol:
    """A function or class: `qualname` like `Client.send`, 1-based inclusive line range."""

    qualname: str
    kind: str
    start: int
    end: int
    signature: str
    doc: str

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        return f"class {node.name}({bases})" if bases else f"class {node.name}"
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"


def _branches(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists of an `if`, `try` or `with`: definitions there are the scope's own (a compat
    shim defines `open` once per platform), so they are named as if written directly in it."""
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    if isinstance(node, ast.Try | ast.TryStar):
        return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
    if isinstance(node, ast.With | ast.AsyncWith):
        return [node.body]
    return []


def _walk(body: Iterable[ast.stmt], prefix: str, out: list[Symbol]) -> None:
    for node in body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for branch in _branches(node):
                _walk(branch, prefix, out)
            continue
        qualname = f"{prefix}{node.name}"
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        doc = (ast.get_docstring(node) or "").strip().split("\n\n", 1)[0]
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        out.append(Symbol(qualname, kind, start, node.end_lineno or node.lineno, _signature(node), doc))
        _walk(node.body, f"{qualname}.", out)


def extract_symbols(path: str, text: str) -> list[Symbol]:
    """Symbols of a source file, outermost first: `ast` for Python, tree-sitter for languages with a grammar.

    Languages without an installed grammar, and Python syntax errors, give [].
    """
    if not path.endswith((".py", ".pyi")):
        from memory.treesitter import extract_ts_symbols

        return extract_ts_symbols(PurePosixPath(path).suffix, text)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    out: list[Symbol] = []
    _walk(tree.body, "", out)
    return out


def _old_lines(hunk: Hunk) -> tuple[int, int]:
    """Old-side line range a hunk changed; a pure insertion counts the line before and after it."""
    old_start, old_len, _, _ = hunk
    if old_len == 0:
        return old_start, old_start + 1
    return old_start, old_start + old_len - 1


def _encloses(outer: Symbol, inner: Symbol) -> bool:
    """`outer`'s lines hold `inner`'s; on the very same lines (a one-line class, a minified file) only when
    `inner` is nested in it by name, so siblings sharing a line are each their own innermost symbol."""
    if inner is outer or not (outer.start <= inner.start and inner.end <= outer.end):
        return False
    same = (outer.start, outer.end) == (inner.start, inner.end)
    return not same or inner.qualname.startswith(outer.qualname + ".")


def symbols_touched(symbols: list[Symbol], hunks: Iterable[Hunk]) -> list[str]:
    """Innermost functions (else classes) of the pre-image whose lines the hunks changed."""
    touched: dict[str, None] = {}
    ranges = [_old_lines(h) for h in hunks]
    for lo, hi in ranges:
        hits = [s for s in symbols if s.start <= hi and lo <= s.end]
        inner = [s for s in hits if not any(_encloses(s, o) for o in hits)]
        for sym in inner:
            touched[sym.qualname] = None
    return list(touched)
