"""What one Python file refers to, for the internal API index (`memory.api_index` resolves and counts it).

`file_refs` walks the syntax tree once, without recursion (a long generated expression is a deep tree), and
keeps JSON-able tables keyed by what the file wrote: names bound at module level (`names`; in a file with a
`from M import *`, also the names nothing else binds), attribute chains rooted at them (`dotted`), names and
chains through a function-level import (`targets`, already the dotted name they mean), `.attr` loads on
receivers of unknown type (`attrs`), `self.x` / `cls.x` in a class (`selfs`), attributes assigned (`stores`),
each class's bases (`classes`), properties (`properties`) and their setters and deleters (`accessors`), and
the module-level imports, `from M import *` sources (`stars`) and `__all__` (`all`, its literal parts; absent
when there is none).

A name bound in a function (a parameter, an assignment, a loop, comprehension or lambda variable, a local
def) is that function's, not the module-level name it shadows; an import in a function binds its name there
only. Quoted annotations (`-> "Request"`) are read as the expressions they quote.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

__all__ = ["file_refs", "module_parts"]

_PYTHON = (".py", ".pyi")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)  # they bind their own
_TARGETS = (ast.Tuple, ast.List, ast.Starred, ast.NamedExpr)  # the expressions a bound name is found in
_BUILTINS = frozenset(dir(builtins))
Bindings = dict[str, str | None]  # local name -> dotted target of an import, or None (any other binding)


@dataclass(frozen=True)
class _Frame:
    kind: str  # "class", "function", or "scope" (a lambda or comprehension)
    name: str
    bindings: Bindings


Frames = tuple[_Frame, ...]


def module_parts(path: str) -> list[str]:
    """The dotted name's parts a file's path gives it (`pkg/a/__init__.py` is `pkg.a`)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _absolute(path: str, module: str | None, level: int) -> str:
    """The dotted module an import names, relative ones resolved against `path`'s package; one going above
    the top directory keeps its dots, which name no module."""
    if not level:
        return module or ""
    package = module_parts(path) if PurePosixPath(path).stem == "__init__" else module_parts(path)[:-1]
    if level - 1 >= len(package):
        return "." * level + (module or "")
    return ".".join([*package[: len(package) - level + 1], *([module] if module else [])])


def _import_targets(path: str, node: ast.Import | ast.ImportFrom) -> Bindings:
    """Local name -> dotted target of one import statement (`*` binds no name of its own)."""
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in node.names}
    source = _absolute(path, node.module, node.level)
    dot = "." if source and not source.endswith(".") else ""
    return {a.asname or a.name: f"{source}{dot}{a.name}" for a in node.names if a.name != "*"}


def _scope_nodes(node: ast.AST) -> list[ast.AST]:
    """The parts of a scope whose names it binds (not its decorators, defaults or annotations)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.args, *node.body]
    if isinstance(node, ast.Lambda):
        return [node.args]
    if isinstance(node, _COMPREHENSIONS):
        return [g.target for g in node.generators]
    return []


def _bindings(path: str, nodes: Sequence[ast.AST]) -> Bindings:
    """The names a scope binds, nested scopes left out; an import's target wins over other bindings."""
    out: Bindings = {}
    declared: set[str] = set()
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.update(_import_targets(path, node))
            continue
        if isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.setdefault(node.id, None)
        elif isinstance(node, ast.arg):
            out.setdefault(node.arg, None)
        elif isinstance(name := getattr(node, "name", None), str):  # defs, classes, `except ... as`, match captures
            out.setdefault(name, None)
        if not isinstance(node, _SCOPES) and (isinstance(node, _TARGETS) or not isinstance(node, ast.expr)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return {n: t for n, t in out.items() if n not in declared}


def _chain(node: ast.expr) -> str | None:
    """`a.b.c` for an attribute chain rooted at a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _strings(node: ast.expr | None) -> list[str]:
    """The string items of a list, tuple or set literal, or of a sum of them (other parts give none)."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
            stack += [item.right, item.left]
        elif isinstance(item, ast.List | ast.Tuple | ast.Set):
            out += [e.value for e in item.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return out


def _all_update(node: ast.AST, current: list[str] | None) -> list[str] | None:
    """`__all__` after a module-level statement (`current` when the statement leaves it alone)."""
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
        return _strings(node.value)
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "__all__":
        return _strings(node.value)
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == "__all__":
        return [*(current or []), *_strings(node.value)]
    call = node.value if isinstance(node, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and _chain(call.func.value) == "__all__":
        if call.func.attr == "extend" and call.args:
            return [*(current or []), *_strings(call.args[0])]
        if call.func.attr == "append" and call.args and isinstance(item := call.args[0], ast.Constant):
            return [*(current or []), *([item.value] if isinstance(item.value, str) else [])]
    return current


def _quoted(node: ast.AST) -> list[ast.AST]:
    """The expression a string in an annotation quotes (none when it is not one)."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return []
    try:
        return [ast.parse(node.value.strip(), mode="eval").body]
    except (SyntaxError, ValueError, RecursionError):
        return []


@dataclass
class _Refs:
    path: str
    module: Bindings  # module-level bindings
    bound: set[str]  # module-level imports and defs: what `names` and `dotted` are kept for
    tables: dict[str, Counter[str]] = field(default_factory=dict)
    stores: set[str] = field(default_factory=set)
    classes: dict[str, list[str]] = field(default_factory=dict)
    accessors: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    stars: list[str] = field(default_factory=list)
    all: list[str] | None = None

    def count(self, table: str, key: str) -> None:
        self.tables.setdefault(table, Counter())[key] += 1

    def binding(self, name: str, frames: Frames) -> tuple[bool, str | None]:
        """Whether a function-level scope binds `name`, and to which import's target."""
        for frame in reversed(frames):
            if frame.kind != "class" and name in frame.bindings:
                return True, frame.bindings[name]
        return False, None

    def name(self, node: ast.Name, frames: Frames) -> None:
        local, target = self.binding(node.id, frames)
        if target:
            self.count("targets", target)
        elif local:
            return
        elif node.id in self.bound:
            self.count("names", node.id)
        elif node.id not in _BUILTINS and node.id not in self.module:
            self.count("free", node.id)  # perhaps from a `*` import

    def attribute(self, node: ast.Attribute, frames: Frames) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.stores.add(node.attr)
            return
        chain = _chain(node) or ""
        root, _, rest = chain.partition(".")
        local, target = self.binding(root, frames) if chain else (False, None)
        if target:
            self.count("targets", f"{target}.{rest}")
        elif chain and not local and root in self.bound:
            self.count("dotted", chain)  # the receiver is known: resolved, never counted by name
        else:
            self.count("attrs", node.attr)
        owner = _owner(frames)
        if root in ("self", "cls") and owner and isinstance(node.value, ast.Name):
            self.count("selfs", f"{owner}.{node.attr}")


def _qualname(frames: Frames, name: str) -> str:
    return ".".join([*(f.name for f in frames if f.kind != "scope"), name])


def _owner(frames: Frames) -> str | None:
    """The class whose methods (or their closures) the walk is in."""
    for i in range(len(frames) - 1, -1, -1):
        if frames[i].kind == "class":
            return _qualname(frames[:i], frames[i].name) if i < len(frames) - 1 else None
    return None


def _function(refs: _Refs, node: ast.FunctionDef | ast.AsyncFunctionDef, frames: Frames) -> list[Any]:
    """A def's parts to walk: decorators, defaults and annotations in the enclosing scope, the body in its own."""
    qual = _qualname(frames, node.name)
    decorators = [_chain(d) or "" for d in node.decorator_list]
    if any(d in (f"{node.name}.setter", f"{node.name}.deleter") for d in decorators):
        refs.accessors.append(qual)
    elif any(d.rpartition(".")[2] in ("property", "cached_property") for d in decorators):
        refs.properties.append(qual)
    inner = (*frames, _Frame("function", node.name, _bindings(refs.path, _scope_nodes(node))))
    args = node.args
    notes = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a]
    outer = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d)]
    return [
        *((n, frames, False) for n in outer),
        *((n, frames, True) for n in [*notes, node.returns] if n),
        *((n, inner, False) for n in node.body),
    ]


def _children(refs: _Refs, node: ast.AST, frames: Frames, note: bool) -> list[Any]:
    """The nodes to walk under `node`, each with its scopes and whether it is in an annotation."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return _function(refs, node, frames)
    if isinstance(node, ast.ClassDef):
        refs.classes[_qualname(frames, node.name)] = [c for b in node.bases if (c := _chain(b))]
        frames = (*frames, _Frame("class", node.name, {}))
    elif isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
        frames = (*frames, _Frame("scope", "", _bindings(refs.path, _scope_nodes(node))))
    elif isinstance(node, ast.AnnAssign):
        return [(node.annotation, frames, True), *((n, frames, False) for n in (node.target, node.value) if n)]
    elif note and isinstance(node, ast.Subscript) and (_chain(node.value) or "").endswith("Literal"):
        return [(node.value, frames, note)]  # `Literal["a"]` holds strings, not names
    elif note:
        return [(n, frames, note) for n in [*ast.iter_child_nodes(node), *_quoted(node)]]
    return [(n, frames, note) for n in ast.iter_child_nodes(node)]


def _module_level(refs: _Refs, node: ast.AST) -> None:
    """A module-level statement's `*` import or change to `__all__`."""
    if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
        refs.stars.append(_absolute(refs.path, node.module, node.level))
    refs.all = _all_update(node, refs.all)


def _walk(refs: _Refs, tree: ast.Module) -> None:
    stack: list[tuple[ast.AST, Frames, bool]] = [(node, (), False) for node in reversed(tree.body)]
    while stack:
        node, frames, note = stack.pop()
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                refs.name(node, frames)
            continue
        if isinstance(node, ast.Attribute):
            refs.attribute(node, frames)
        elif not frames and isinstance(node, ast.stmt):
            _module_level(refs, node)
        stack.extend(reversed(_children(refs, node, frames, note)))


def file_refs(path: str, text: str) -> dict[str, Any]:
    """What one Python file refers to (JSON-able; {} for other languages and syntax errors)."""
    if not path.endswith(_PYTHON):
        return {}
    try:
        tree = ast.parse(text.removeprefix("\ufeff"))  # a UTF-8 byte order mark, decoded
    except (SyntaxError, ValueError, RecursionError):
        return {}
    module = _bindings(path, tree.body)
    imports = {n: t for n, t in module.items() if t is not None}
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    refs = _Refs(path, module, set(imports) | defined)
    _walk(refs, tree)
    free = refs.tables.pop("free", Counter()) if refs.stars else Counter()
    tables = {t: dict(refs.tables.get(t, {})) for t in ("names", "attrs", "dotted", "selfs", "targets")}
    tables["names"].update(free)  # names no import or def binds, which a `*` import may
    optional = {"all": refs.all} if refs.all is not None else {}
    return {
        "imports": imports,
        **tables,
        "stores": sorted(refs.stores),
        "classes": refs.classes,
        "accessors": refs.accessors,
        "properties": refs.properties,
        "stars": refs.stars,
        **optional,
    }
