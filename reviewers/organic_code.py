"""Python code facts organicity needs: new functions, their normalized bodies, calls on given lines (pure)."""

from __future__ import annotations

import ast

from reviewers.diffs import FileDiff

__all__ = ["added_line_numbers", "body_key", "calls_on_lines", "function_bodies", "new_functions"]

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _parse(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _functions(tree: ast.Module) -> dict[str, Function]:
    found: dict[str, Function] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found[prefix + child.name] = child
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def body_key(func: Function) -> str:
    """The function's body without its docstring, unparsed: equal keys mean duplicated logic."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body:
        return ""
    return "\n".join(ast.unparse(statement) for statement in body)


def function_bodies(text: str, path: str, min_statements: int = 2) -> dict[str, str]:
    """ "path::qualname" -> body key, for functions with at least `min_statements` statements."""
    tree = _parse(text)
    if tree is None:
        return {}
    return {
        f"{path}::{name}": body_key(func) for name, func in _functions(tree).items() if len(func.body) >= min_statements
    }


def new_functions(before: str | None, after: str | None, path: str) -> list[Function]:
    """Functions defined in `after` but not in `before` (by qualified name); Python files only."""
    if not path.endswith(".py"):
        return []
    new_tree = _parse(after)
    if new_tree is None:
        return []
    old_tree = _parse(before)
    old = set(_functions(old_tree)) if old_tree is not None else set()
    return [func for name, func in _functions(new_tree).items() if name not in old]


def calls_on_lines(text: str, lines: set[int]) -> set[str]:
    """The bare names of functions called on the given lines (the last part of `a.b.c()`)."""
    tree = _parse(text)
    if tree is None:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno in lines:
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def added_line_numbers(change: FileDiff) -> set[int]:
    """New-side line numbers of the added lines of one file's diff."""
    numbers: set[int] = set()
    shift = 0
    for hunk in change.hunks:
        line_no = hunk.old_start + shift if hunk.old_lines else hunk.old_start + shift + 1
        for line in hunk.lines:
            if line.startswith("+"):
                numbers.add(line_no)
            if line[:1] in (" ", "+"):
                line_no += 1
        shift += len(hunk.new_lines) - len(hunk.old_lines)
    return numbers
