"""What one Python file refers to, for the internal API index (`memory.api_index` resolves and counts it).

`file_refs` walks the syntax tree once, without recursion (a long generated expression is a deep tree), and
keeps JSON-able tables keyed by what the file wrote: names bound at module level (`names`; in a file with a
`from M import *`, also the names nothing else binds), attribute chains rooted at them (`dotted`), names and
chains through a function-level import (`targets`, already the dotted name they mean), `.attr` loads on
receivers of unknown type (`attrs`), `self.x` / `cls.x` in a class (`selfs`), names a class body reads from
its own bindings (`members`, by qualname: `A.helper`), attributes assigned (`stores`), each class's bases
(`classes`), properties (`properties`) and their setters and deleters (`accessors`), and the module-level
imports, aliases (`aliases`: `name = other.attr`, see `memory.api_bindings`), `from M import *` sources
(`stars`) and `__all__` (`all`, its literal parts; absent when there is none).

A name bound in a function (a parameter, an assignment, a loop, comprehension or lambda variable, a local
def) is that function's, not the module-level name it shadows; an import in a function binds its name there
only. A name a class body binds is the class's in that body, from the statement binding it on (the body runs
in order; a block of an `if`, `for`, `with` or `try` is read statement by statement, each branch after the one
before it), but not in its methods, lambdas, comprehensions or nested classes, where the module's is meant;
its bases, keywords and decorators are read outside it. An alias's assignment re-exports, as an import does:
it is no use of what it names (the receiver of `a.b` it reads is). Quoted annotations (`-> "Request"`) are
read as the expressions they quote.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from memory.api_bindings import (
    COMPREHENSIONS,
    Bindings,
    absolute,
    alias_of,
    aliases,
    bindings,
    chain,
    module_parts,
    scope_nodes,
)

__all__ = ["file_refs", "module_parts"]

_PYTHON = (".py", ".pyi")
_BUILTINS = frozenset(dir(builtins))
_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar)


@dataclass(frozen=True)
class _Frame:
    kind: str  # "class", "function", or "scope" (a lambda or comprehension)
    name: str
    bindings: Bindings
    order: Mapping[str, int] = field(default_factory=dict)  # a class's: the first statement binding each name
    at: int = 0  # a class's: the statement of its body being read

    def binds(self, name: str) -> bool:
        """Whether the scope has bound `name` here (a class binds in the order of its body)."""
        return name in self.bindings and self.order.get(name, -1) < self.at


Frames = tuple[_Frame, ...]


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
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and chain(call.func.value) == "__all__":
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
    bound: set[str]  # module-level imports, defs and aliases: what `names` and `dotted` are kept for
    aliases: dict[str, str]  # module-level `name = a.b`: name -> chain
    tables: dict[str, Counter[str]] = field(default_factory=dict)
    stores: set[str] = field(default_factory=set)
    classes: dict[str, list[str]] = field(default_factory=dict)
    accessors: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    stars: list[str] = field(default_factory=list)
    all: list[str] | None = None

    def count(self, table: str, key: str) -> None:
        self.tables.setdefault(table, Counter())[key] += 1

    def binding(self, name: str, frames: Frames) -> tuple[_Frame | None, str | None]:
        """The scope in which `name` is bound (None: the module), and to which import's target; a class's
        names are seen in its own body only, not in its methods, lambdas, comprehensions or nested classes."""
        for depth, frame in enumerate(reversed(frames)):
            if (frame.kind != "class" or not depth) and frame.binds(name):
                return frame, frame.bindings[name]
        return None, None

    def name(self, node: ast.Name, frames: Frames) -> None:
        local, target = self.binding(node.id, frames)
        if target:
            self.count("targets", target)
        elif local and local.kind == "class":
            self.count("members", _qualname(frames, node.id))
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
        dotted = chain(node) or ""
        root, _, rest = dotted.partition(".")
        local, target = self.binding(root, frames) if dotted else (None, None)
        if target:
            self.count("targets", f"{target}.{rest}")
        elif dotted and not local and root in self.bound:
            self.count("dotted", dotted)  # the receiver is known: resolved, never counted by name
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
    qual, own = _qualname(frames, node.name), (f"{node.name}.setter", f"{node.name}.deleter")
    decorators = [chain(d) or "" for d in node.decorator_list]
    if any(d in own for d in decorators):
        refs.accessors.append(qual)
    elif any(d.rpartition(".")[2] in ("property", "cached_property") for d in decorators):
        refs.properties.append(qual)
    inner = (*frames, _Frame("function", node.name, bindings(refs.path, scope_nodes(node))))
    args = node.args
    notes = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a]
    kept = [d for d, name in zip(node.decorator_list, decorators, strict=True) if name not in own]  # not a use
    outer = [*kept, *args.defaults, *(d for d in args.kw_defaults if d)]
    return [
        *((n, frames, False) for n in outer),
        *((n, frames, True) for n in [*notes, node.returns] if n),
        *((n, inner, False) for n in node.body),
    ]


def _steps(statements: list[ast.stmt]) -> list[ast.AST]:
    """A class body in the order it runs: `if`, `for`, `while`, `with` and `try` opened into their header parts
    and the statements of their blocks, so a name bound in a block is the class's in the block's later lines."""
    out: list[ast.AST] = []
    for statement in statements:
        if isinstance(statement, _BLOCKS):
            for part in ast.iter_child_nodes(statement):
                out.extend(_steps([part]) if isinstance(part, ast.stmt) else [part])
        else:
            out.append(statement)
    return out


def _class(refs: _Refs, node: ast.ClassDef, frames: Frames) -> list[Any]:
    """A class's parts to walk: decorators, bases and keywords in the enclosing scope, each step of the body in
    the class's, which binds a name from the step binding it first on (as the body runs)."""
    refs.classes[_qualname(frames, node.name)] = [c for b in node.bases if (c := chain(b))]
    names = bindings(refs.path, node.body)
    steps = _steps(node.body)
    order: dict[str, int] = {}
    for at, step in enumerate(steps):
        for name in bindings(refs.path, [step]):
            order.setdefault(name, at)
    outer = [*node.decorator_list, *node.bases, *node.keywords, *getattr(node, "type_params", [])]
    body = [(s, (*frames, _Frame("class", node.name, names, order, at)), False) for at, s in enumerate(steps)]
    return [*((n, frames, False) for n in outer), *body]


def _alias_parts(node: ast.Assign | ast.AnnAssign) -> list[Any]:
    """An alias's parts to walk: it re-exports what it names, as an import does, but reads the receiver of
    `a.b` (a class's attribute uses the class) and its annotation."""
    read = [(node.value.value, (), False)] if isinstance(node.value, ast.Attribute) else []
    return [(node.annotation, (), True), *read] if isinstance(node, ast.AnnAssign) else read


def _children(refs: _Refs, node: ast.AST, frames: Frames, note: bool) -> list[Any]:
    """The nodes to walk under `node`, each with its scopes and whether it is in an annotation."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return _function(refs, node, frames)
    if isinstance(node, ast.ClassDef):
        return _class(refs, node, frames)
    if not frames and isinstance(node, ast.Assign | ast.AnnAssign) and (alias := alias_of(node)):
        if alias[0] in refs.aliases:
            return _alias_parts(node)
    if isinstance(node, (ast.Lambda, *COMPREHENSIONS)):
        frames = (*frames, _Frame("scope", "", bindings(refs.path, scope_nodes(node))))
    elif isinstance(node, ast.AnnAssign):
        return [(node.annotation, frames, True), *((n, frames, False) for n in (node.target, node.value) if n)]
    elif note and isinstance(node, ast.Subscript) and (chain(node.value) or "").endswith("Literal"):
        return [(node.value, frames, note)]  # `Literal["a"]` holds strings, not names
    elif note:
        return [(n, frames, note) for n in [*ast.iter_child_nodes(node), *_quoted(node)]]
    return [(n, frames, note) for n in ast.iter_child_nodes(node)]


def _module_level(refs: _Refs, node: ast.AST) -> None:
    """A module-level statement's `*` import or change to `__all__`."""
    if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
        refs.stars.append(absolute(refs.path, node.module, node.level))
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
    module = bindings(path, tree.body)
    imports = {n: t for n, t in module.items() if t is not None}
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    named = aliases(path, tree, module, set(imports) | defined)
    refs = _Refs(path, module, set(imports) | defined | set(named), named)
    _walk(refs, tree)
    free = refs.tables.pop("free", Counter()) if refs.stars else Counter()
    tables = {t: dict(refs.tables.get(t, {})) for t in ("names", "attrs", "dotted", "selfs", "members", "targets")}
    tables["names"].update(free)  # names no import or def binds, which a `*` import may
    optional = {"all": refs.all} if refs.all is not None else {}
    return {
        "imports": imports,
        "aliases": named,
        **tables,
        "stores": sorted(refs.stores),
        "classes": refs.classes,
        "accessors": refs.accessors,
        "properties": refs.properties,
        "stars": refs.stars,
        **optional,
    }
