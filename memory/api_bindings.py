"""The names a Python scope binds, for `memory.api_refs`: imports (to the dotted name they mean), other
bindings, and a module's aliases.

An alias is a module-level `name = other` or `name = module.attr` (annotated or not) whose name the module
binds nowhere else (and no function declares `global`): `helper = _helper` after `from ._impl import helper as
_helper` re-exports as the import would. Each is kept as written (`a = b` stays `b` when `b = m.c`; the index
follows it), once one pass over them has found where it ends: those in a cycle, and those ending at a value
the module computes or at a builtin, are left out. Calls, subscripts and unpacking are values, never aliases.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

__all__ = [
    "COMPREHENSIONS",
    "SCOPES",
    "Bindings",
    "absolute",
    "alias_of",
    "aliases",
    "bindings",
    "bound",
    "chain",
    "import_targets",
    "module_parts",
    "scope_nodes",
]

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *COMPREHENSIONS)  # they bind their own
_TARGETS = (ast.Tuple, ast.List, ast.Starred, ast.NamedExpr)  # the expressions a bound name is found in
_BUILTINS = frozenset(dir(builtins))
Bindings = dict[str, str | None]  # local name -> dotted target of an import, or None (any other binding)


def module_parts(path: str) -> list[str]:
    """The dotted name's parts a file's path gives it (`pkg/a/__init__.py` is `pkg.a`)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def absolute(path: str, module: str | None, level: int) -> str:
    """The dotted module an import names, relative ones resolved against `path`'s package; one going above
    the top directory keeps its dots, which name no module."""
    if not level:
        return module or ""
    package = module_parts(path) if PurePosixPath(path).stem == "__init__" else module_parts(path)[:-1]
    if level - 1 >= len(package):
        return "." * level + (module or "")
    return ".".join([*package[: len(package) - level + 1], *([module] if module else [])])


def import_targets(path: str, node: ast.Import | ast.ImportFrom) -> Bindings:
    """Local name -> dotted target of one import statement (`*` binds no name of its own)."""
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in node.names}
    source = absolute(path, node.module, node.level)
    dot = "." if source and not source.endswith(".") else ""
    return {a.asname or a.name: f"{source}{dot}{a.name}" for a in node.names if a.name != "*"}


def scope_nodes(node: ast.AST) -> list[ast.AST]:
    """The parts of a function, lambda or comprehension whose names it binds (not decorators, defaults or
    annotations)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.args, *node.body]
    if isinstance(node, ast.Lambda):
        return [node.args]
    if isinstance(node, COMPREHENSIONS):
        return [g.target for g in node.generators]
    return []


def bound(path: str, nodes: Sequence[ast.AST], declared: set[str]) -> Iterator[tuple[str, str | None]]:
    """Each binding the nodes make, nested scopes left out, with its import's target (else None); the names
    `global` and `nonlocal` declare are added to `declared`."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from import_targets(path, node).items()
            continue
        if isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id, None
        elif isinstance(node, ast.arg):
            yield node.arg, None
        elif isinstance(name := getattr(node, "name", None), str):  # defs, classes, `except ... as`, match captures
            yield name, None
        if not isinstance(node, SCOPES) and (isinstance(node, _TARGETS) or not isinstance(node, ast.expr)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def bindings(path: str, nodes: Sequence[ast.AST]) -> Bindings:
    """The names a scope binds, nested scopes left out; an import's target wins over other bindings."""
    out: Bindings = {}
    declared: set[str] = set()
    for name, target in bound(path, nodes, declared):
        if target is not None:
            out[name] = target
        else:
            out.setdefault(name, None)
    return {n: t for n, t in out.items() if n not in declared}


def chain(node: ast.expr) -> str | None:
    """`a.b.c` for an attribute chain rooted at a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def alias_of(node: ast.AST) -> tuple[str, str] | None:
    """The name and the chain of `name = a.b` or `name: T = a.b`, None for any other statement."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None
    found = chain(value)
    return (target.id, found) if isinstance(target, ast.Name) and found else None


def _ends(raw: dict[str, str]) -> dict[str, str | None]:
    """The name each alias's chain is rooted at in the end, through the aliases at its root; None for those
    in or behind a cycle. Each alias is followed once."""
    out: dict[str, str | None] = {}
    for start in raw:
        trail: dict[str, None] = {}  # the aliases followed from `start`
        name = start
        while name in raw and name not in out and name not in trail:
            trail[name] = None
            name = raw[name].partition(".")[0]
        end = out[name] if name in out else None if name in trail else name
        out.update(dict.fromkeys(trail, end))
    return out


def aliases(path: str, tree: ast.Module, module: Bindings, known: set[str]) -> dict[str, str]:
    """The module's aliases: name -> the chain it is assigned, ending (through aliases) at a name of `known`
    (its imports and defs) or at one the module does not bind (perhaps from a `*` import)."""
    times = Counter(name for name, _ in bound(path, tree.body, set()))
    declared = {n for node in ast.walk(tree) if isinstance(node, ast.Global) for n in node.names}
    raw = dict(found for node in tree.body if (found := alias_of(node)))
    raw = {n: c for n, c in raw.items() if times[n] == 1 and n not in declared}
    ends = _ends(raw)
    return {n: c for n, c in raw.items() if (end := ends[n]) and (end in known or end not in {*module, *_BUILTINS})}
