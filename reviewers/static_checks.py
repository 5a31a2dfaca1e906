"""Dead and dangling code a change introduces, pyflakes-style, from the AST alone (a pure core).

Each finding is a stable key without line numbers ("unused-import:os"), so the findings of the original text
can be subtracted from the candidate's: only *new* ones count. The checks are deliberately coarse (a name
bound anywhere in a module counts as defined), trading recall for almost no false alarms:

- undefined-name: a name read but bound nowhere in the module and not a builtin (a dropped import or helper);
- unused-import: an imported name never read (not in `__init__.py`, not re-exported by `__all__`);
- dead-store: a local assigned and never read in its function (nested functions included);
- unused-arg: a parameter a non-stub function never reads;
- unused-attribute: `self.x = ...` where `.x` is read nowhere in the module;
- unused-private: a `_private` function, class or constant that nothing in the module refers to;
- constant-test: `if`/`elif`/`while`/ternary on a constant (`while True` excepted).
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["findings", "new_findings"]

MODULE_NAMES = frozenset(
    {"__file__", "__name__", "__doc__", "__spec__", "__path__", "__package__", "__loader__", "__builtins__"}
)
KNOWN = frozenset(dir(builtins)) | MODULE_NAMES | {"__class__", "__annotations__"}
Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class _Facts:
    """What one module binds and reads."""

    bound: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)
    attrs_read: set[str] = field(default_factory=set)
    attrs_set: set[str] = field(default_factory=set)
    star_import: bool = False


def _parse(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _annotation_words(node: ast.expr | None) -> Iterator[str]:
    """Names inside string annotations ("Context", "t.Optional[X]")."""
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield from (word for word in _words(sub.value))


def _words(text: str) -> Iterator[str]:
    word = ""
    for char in text + " ":
        if char.isalnum() or char == "_":
            word += char
        elif word:
            yield word
            word = ""


def _collect(tree: ast.Module) -> _Facts:
    facts = _Facts()
    for node in ast.walk(tree):
        _note(node, facts)
    return facts


def _note(node: ast.AST, facts: _Facts) -> None:
    if isinstance(node, ast.Name):
        (facts.read if isinstance(node.ctx, ast.Load | ast.Del) else facts.bound).add(node.id)
    elif isinstance(node, ast.Attribute):
        if isinstance(node.ctx, ast.Load | ast.Del):
            facts.attrs_read.add(node.attr)
        elif isinstance(node.value, ast.Name) and node.value.id == "self":
            facts.attrs_set.add(node.attr)
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute | ast.Name):
        target = node.target
        (facts.attrs_read.add(target.attr) if isinstance(target, ast.Attribute) else facts.read.add(target.id))
    elif isinstance(node, Function | ast.ClassDef):
        facts.bound.add(node.name)
        if isinstance(node, Function):
            facts.read.update(_annotation_words(node.returns))
    elif isinstance(node, ast.arg):
        facts.bound.add(node.arg)
        facts.read.update(_annotation_words(node.annotation))
    elif isinstance(node, ast.AnnAssign):
        facts.read.update(_annotation_words(node.annotation))
    elif isinstance(node, ast.Import | ast.ImportFrom):
        facts.star_import |= any(alias.name == "*" for alias in node.names)
        facts.bound.update(_import_name(alias) for alias in node.names)
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        facts.bound.add(node.name)
    elif isinstance(node, ast.Global | ast.Nonlocal):
        facts.bound.update(node.names)


def _import_name(alias: ast.alias) -> str:
    return alias.asname or alias.name.split(".")[0]


def _exported(tree: ast.Module) -> set[str]:
    """The strings of a module-level `__all__`."""
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
                values = ast.walk(node.value)
                return {c.value for c in values if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return set()


def _undefined(facts: _Facts) -> set[str]:
    if facts.star_import:
        return set()
    return {f"undefined-name:{name}" for name in facts.read - facts.bound - KNOWN}


def _unused_imports(tree: ast.Module, facts: _Facts, path: str, exported: set[str]) -> set[str]:
    if path.endswith("__init__.py"):
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = _import_name(alias)
                if alias.name != "*" and alias.asname != alias.name and name not in facts.read | exported:
                    out.add(f"unused-import:{name}")
    return out


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, Function):
            yield prefix + child.name, child
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        elif not isinstance(child, ast.Lambda):
            yield from _functions(child, prefix)


def _own_nodes(func: Function) -> Iterator[ast.AST]:
    """The nodes of `func`'s body that are not inside a nested function or class."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, Function | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _reads_in(func: Function) -> set[str]:
    reads = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load | ast.Del)}
    reads |= {n.target.id for n in ast.walk(func) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return reads


def _dead_stores(tree: ast.Module) -> set[str]:
    out = set()
    for qualname, func in _functions(tree):
        own = list(_own_nodes(func))
        if any(isinstance(n, ast.Name) and n.id in ("locals", "vars") for n in own):
            continue
        declared = {name for n in own if isinstance(n, ast.Global | ast.Nonlocal) for name in n.names}
        stored = {t.id for n in own for t in _simple_targets(n)} - declared - {"_"}
        out |= {f"dead-store:{qualname}:{name}" for name in stored - _reads_in(func)}
    return out


def _simple_targets(node: ast.AST) -> list[ast.Name]:
    """Plain-name targets of assignments (unpacking, loops and `with` targets are left alone)."""
    if isinstance(node, ast.Assign):
        return [t for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
        return [node.target]
    if isinstance(node, ast.NamedExpr):
        return [node.target]
    return []


def _is_stub(func: Function) -> bool:
    body = [s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return all(isinstance(s, ast.Pass | ast.Raise) for s in body)


def _unused_args(tree: ast.Module) -> set[str]:
    out = set()
    for qualname, func in _functions(tree):
        decorators = {ast.unparse(d).rsplit(".", 1)[-1] for d in func.decorator_list}
        if _is_stub(func) or decorators & {"overload", "abstractmethod", "override"}:
            continue
        args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
        names = {a.arg for a in args if a.arg not in ("self", "cls") and not a.arg.startswith("_")}
        out |= {f"unused-arg:{qualname}:{name}" for name in names - _reads_in(func)}
    return out


def _unused_private(tree: ast.Module, facts: _Facts, exported: set[str]) -> set[str]:
    defined: set[str] = set()
    for node in [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]:
        if isinstance(node, Function | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
    private = {name for name in defined if name.startswith("_") and not name.startswith("__")}
    return {f"unused-private:{name}" for name in private - facts.read - facts.attrs_read - exported}


def _constant_tests(tree: ast.Module) -> set[str]:
    seen: Counter[str] = Counter()
    for node in ast.walk(tree):
        if not isinstance(node, ast.If | ast.While | ast.IfExp) or not isinstance(node.test, ast.Constant):
            continue
        if isinstance(node, ast.While) and node.test.value in (True, 1):
            continue
        seen[repr(node.test.value)] += 1
    return {f"constant-test:{value}#{i}" for value, count in seen.items() for i in range(1, count + 1)}


def findings(text: str | None, path: str = "module.py") -> set[str]:
    """Every finding of one Python text (empty when it does not parse)."""
    tree = _parse(text)
    if tree is None:
        return set()
    facts = _collect(tree)
    exported = _exported(tree)
    attrs = {f"unused-attribute:{name}" for name in facts.attrs_set - facts.attrs_read - facts.read}
    return (
        _undefined(facts)
        | _unused_imports(tree, facts, path, exported)
        | _dead_stores(tree)
        | _unused_args(tree)
        | attrs
        | _unused_private(tree, facts, exported)
        | _constant_tests(tree)
    )


def new_findings(before: str | None, after: str | None, path: str) -> list[str]:
    """The findings `after` has and `before` had not; Python files only."""
    if not path.endswith(".py") or after is None:
        return []
    return sorted(findings(after, path) - findings(before, path))
