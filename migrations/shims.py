"""Read module-level `__getattr__` shims (PEP 562) statically, without running them (pure).

A shim is understood from its branches on the requested name: `if name == "x"`, `if name in TABLE`
(`TABLE` a dict, set, list or tuple literal of this module or imported from a sibling module),
`v = TABLE.get(name)` then `if v is None`, a delegation `return fallback(name)` to a function of the
package (also a factory such as `__getattr__ = make_getattr(__name__)`), and a final
`raise AttributeError`. Branches that return answer their names; branches that only raise remove
them; a shim whose every other path raises is closed, so any other name is missing. Anything the
reading does not understand leaves the shim open (names unverifiable), never closed.

Usage:
    shim = read_shim("pkg", Source(text, is_package=True), reader)  # None without a __getattr__
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

MAX_DEPTH = 3


@dataclass(frozen=True)
class Source:
    """Text of one module; `is_package` when it is a package's `__init__`."""

    text: str
    is_package: bool = False


SourceReader = Callable[[str], Source | None]


@dataclass
class Shim:
    """What a module's `__getattr__` does: `answers` maps names to their target path (None if unknown)."""

    answers: dict[str, str | None] = field(default_factory=dict)
    raises: set[str] = field(default_factory=set)
    closed: bool = False

    def answer(self, names: Iterator[tuple[str, str | None]]) -> None:
        for name, target in names:
            if name not in self.raises:
                self.answers.setdefault(name, target)

    def remove(self, names: Iterator[str]) -> None:
        self.raises.update(n for n in names if n not in self.answers)


def read_shim(module: str, source: Source, read: SourceReader) -> Shim | None:
    """The shim of `module`, or None when it has no readable `__getattr__`."""
    tree = parse(source.text)
    if tree is None:
        return None
    context = _Context(module, source, tree, read)
    found = context.getattr_function(tree)
    if found is None:
        return None
    fn, owner = found
    shim = Shim()
    owner.run(fn, shim, depth=0)
    return shim


def parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def module_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements at module level, including those inside `if`/`try` blocks (not defs or classes)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from module_level(stmt.body)
            yield from module_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody, *[h.body for h in stmt.handlers]):
                yield from module_level(block)


class _Context:
    """One module being read: its tables, its imports, and the module a shim answers for."""

    def __init__(self, answering: str, source: Source, tree: ast.Module, read: SourceReader) -> None:
        self.answering = answering
        self.here = answering if source.is_package else answering.rpartition(".")[0]
        self.tree = tree
        self.read = read
        self.package = answering.split(".")[0]
        self.anchor = self.here  # the package relative names of the answering module start from

    def getattr_function(self, tree: ast.Module) -> tuple[ast.FunctionDef, _Context] | None:
        for stmt in module_level(tree.body):
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
                return stmt, self
            if isinstance(stmt, ast.Assign) and any(_is_name(t, "__getattr__") for t in stmt.targets):
                return self.callable_of(stmt.value)
        return None

    def callable_of(self, expr: ast.expr, depth: int = 0) -> tuple[ast.FunctionDef, _Context] | None:
        """The function `expr` denotes: a local def, an imported def, or the inner def a factory returns."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Call):
            outer = self.callable_of(expr.func, depth + 1)
            return None if outer is None else _returned_def(*outer)
        if not isinstance(expr, ast.Name):
            return None
        value = self.lookup(expr.id, depth)
        if isinstance(value, tuple):
            return value
        return None if value is None else self.callable_of(value, depth + 1) if isinstance(value, ast.Call) else None

    def lookup(self, name: str, depth: int = 0) -> ast.expr | tuple[ast.FunctionDef, _Context] | None:
        """A module-level name: its assigned expression, its def, or the same from the module it was imported from."""
        for stmt in module_level(self.tree.body):
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return stmt, self
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(_is_name(t, name) for t in targets):
                    return stmt.value
            if isinstance(stmt, ast.ImportFrom) and depth <= MAX_DEPTH:
                origin = self.imported(stmt, name)
                if origin is not None:
                    return origin.lookup(name, depth + 1)
        return None

    def imported(self, stmt: ast.ImportFrom, name: str) -> _Context | None:
        if not any((a.asname or a.name) == name and a.name == name for a in stmt.names):
            return None
        target = self.absolute(stmt.module or "", stmt.level)
        source = self.read(target) if target.split(".")[0] == self.package else None
        tree = parse(source.text) if source else None
        if source is None or tree is None:
            return None
        other = _Context(target, source, tree, self.read)
        other.answering = self.answering  # a factory called with __name__ answers for the importing module
        other.anchor = self.anchor
        return other

    def absolute(self, module: str, level: int) -> str:
        if level == 0:
            return module
        base = self.here.split(".")
        base = base[: len(base) - (level - 1)] if level > 1 else base
        return ".".join([*base, module] if module else base)

    def table_keys(self, expr: ast.expr) -> dict[str, str | None] | None:
        """Names a table lists (dict keys, set/list/tuple items) with their targets, or None if unknown."""
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "keys":
            expr = expr.func.value
        if isinstance(expr, ast.Name):
            value = self.lookup(expr.id)
            expr = value if isinstance(value, ast.expr) else expr
        if isinstance(expr, ast.Dict):
            pairs = [(k, v) for k, v in zip(expr.keys, expr.values, strict=True) if k is not None]
            return {n: self.target(n, v) for k, v in pairs if (n := self.own_name(k)) is not None}
        if isinstance(expr, ast.Set | ast.List | ast.Tuple):
            return {n: None for e in expr.elts if (n := self.own_name(e)) is not None}
        return None

    def own_name(self, key: ast.expr) -> str | None:
        """`"x"` or `"this.module:x"` as the attribute name `x`; None for keys of other modules."""
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            return None
        module, colon, name = key.value.rpartition(":")
        if colon and module != self.answering:
            return None
        return name if name.isidentifier() else None

    def target(self, name: str, value: ast.expr) -> str | None:
        """Where a table value points `name`: a lone string names the object (`"pkg.mod:attr"`,
        `"pkg.Obj"`); a tuple naming a module (`(package, ".mod")`) means `name` in that module."""
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            module, colon, attr = value.value.partition(":")
            path = self.absolute_path(module)
            return None if path is None else f"{path}.{attr}" if colon else path
        strings = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        modules = [p for s in strings if (p := self.absolute_path(s)) is not None]
        return f"{modules[0]}.{name}" if modules else None

    def absolute_path(self, text: str) -> str | None:
        """A dotted path of this package, relative (`.mod`) to the answering module or absolute."""
        level = len(text) - len(text.lstrip("."))
        rest = text[level:]
        if not all(p.isidentifier() for p in rest.split(".")) or (not level and not rest):
            return None
        if level:
            base = self.anchor.split(".")
            base = base[: len(base) - (level - 1)] if level > 1 else base
            return ".".join([*base, rest] if rest else base)
        return rest if rest.split(".")[0] == self.package else None

    def run(self, fn: ast.FunctionDef, shim: Shim, depth: int) -> None:
        """Read `fn` (a `__getattr__` or a fallback it delegates to) into `shim`."""
        args = [*fn.args.posonlyargs, *fn.args.args]
        if not args or depth > MAX_DEPTH:
            return
        reading = _Reading(self, args[0].arg, shim, depth)
        ended = reading.block(fn.body)
        shim.closed = ended == RAISE and not reading.leaky


def _returned_def(fn: ast.FunctionDef, owner: _Context) -> tuple[ast.FunctionDef, _Context] | None:
    """The inner def a factory returns (`def make(m): def inner(name): ...; return inner`)."""
    inner = {s.name: s for s in fn.body if isinstance(s, ast.FunctionDef)}
    for stmt in fn.body:
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name) and stmt.value.id in inner:
            return inner[stmt.value.id], owner
    return None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


RAISE, RETURN, FALL = "raise", "return", "fall"
Names = dict[str, str | None]


class _Reading:
    """One pass over a shim function's statements."""

    def __init__(self, context: _Context, param: str, shim: Shim, depth: int) -> None:
        self.context = context
        self.params = {param}
        self.lookups: dict[str, Names] = {}
        self.shim = shim
        self.depth = depth
        self.leaky = False

    def block(self, body: Sequence[ast.stmt]) -> str:
        """How the block ends for names that reach its end: raise, return or fall through."""
        for stmt in body:
            if isinstance(stmt, ast.Raise):
                return RAISE
            if isinstance(stmt, ast.Return):
                return self.returned(stmt.value)
            if isinstance(stmt, ast.Assign):
                self.assigned(stmt)
            elif isinstance(stmt, ast.If):
                ended = self.branch(stmt)
                if ended is not None:
                    return ended
        return FALL

    def assigned(self, stmt: ast.Assign) -> None:
        names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get":
            keys = self.context.table_keys(value.func.value)
            if keys is not None and value.args and self.mentions(value.args[0]):
                self.lookups.update(dict.fromkeys(names, keys))
                return
        if self.mentions(value):  # e.g. path = f"{module}:{name}": tests on it are tests on the name
            self.params.update(names)

    def branch(self, stmt: ast.If) -> str | None:
        """Record what an `if` on the name does; a non-None result ends the whole function."""
        test = self.condition(stmt.test)
        ended = _outcome(stmt.body)
        if test is None:
            self.leaky = self.leaky or ended == RETURN
        elif test[1]:  # `name not in T`, or `v is None` after `v = T.get(name)`: the body handles other names
            return self.others(stmt, test[0], ended)
        elif ended == RAISE:
            self.shim.remove(iter(test[0]))
        elif ended == RETURN:
            target = _returned_target(stmt.body)
            self.shim.answer((n, target or t) for n, t in test[0].items())
        ended = self.block(stmt.orelse) if stmt.orelse else FALL  # `else`/`elif`: the names not matched
        return None if ended == FALL else ended

    def others(self, stmt: ast.If, listed: Names, ended: str) -> str:
        tail = stmt.body[-1]
        if ended == RETURN and isinstance(tail, ast.Return):
            ended = self.returned(tail.value)
        self.shim.answer(iter(listed.items()))
        return ended

    def returned(self, value: ast.expr | None) -> str:
        """`return fallback(name)` reads the fallback; any other return answers every name."""
        if isinstance(value, ast.Call) and any(self.mentions(a) for a in value.args):
            found = self.context.callable_of(value.func)
            if found is not None:
                fallback = Shim()
                found[1].run(found[0], fallback, self.depth + 1)
                self.shim.remove(iter(fallback.raises))
                self.shim.answer(iter(fallback.answers.items()))
                return RAISE if fallback.closed else RETURN
        self.leaky = True
        return RETURN

    def condition(self, test: ast.expr) -> tuple[Names, bool] | None:
        """(names the test is true for, negated) or None when it is not a plain test on the name."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            parts = [self.condition(v) for v in test.values]
            if any(p is None or p[1] for p in parts):
                return None
            return {k: v for p in parts if p is not None for k, v in p[0].items()}, False
        if not isinstance(test, ast.Compare) or len(test.ops) != 1:
            return None
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, ast.Is) and isinstance(left, ast.Name) and left.id in self.lookups:
            return (self.lookups[left.id], True) if _is_none(right) else None
        if isinstance(op, ast.Eq):
            constant = right if self.mentions(left) else left if self.mentions(right) else None
            name = self.context.own_name(constant) if constant is not None else None
            return ({name: None}, False) if name else None
        if isinstance(op, ast.In | ast.NotIn) and self.mentions(left):
            keys = self.context.table_keys(right)
            return None if keys is None else (keys, isinstance(op, ast.NotIn))
        return None

    def mentions(self, expr: ast.expr) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.params for n in ast.walk(expr))


def _outcome(body: Sequence[ast.stmt]) -> str:
    """RAISE when every path raises, RETURN when some path returns, FALL otherwise."""
    if body and isinstance(body[-1], ast.Raise):
        return RAISE
    last = body[-1] if body else None
    if isinstance(last, ast.If) and last.orelse and _outcome(last.body) == _outcome(last.orelse) == RAISE:
        return RAISE
    returns = any(isinstance(n, ast.Return) for stmt in body for n in walk_no_defs(stmt))
    return RETURN if returns else FALL


def walk_no_defs(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            yield from walk_no_defs(child)


def _returned_target(body: Sequence[ast.stmt]) -> str | None:
    """`import a.b as c; return c` -> "a.b"; `return c.x` -> "a.b.x"."""
    imported: dict[str, str] = {}
    for stmt in body:
        if isinstance(stmt, ast.Import):
            imported.update({a.asname or a.name: a.name for a in stmt.names})
    last = body[-1] if body else None
    if not isinstance(last, ast.Return) or last.value is None:
        return None
    chain: list[str] = []
    value: ast.expr = last.value
    while isinstance(value, ast.Attribute):
        chain.insert(0, value.attr)
        value = value.value
    if isinstance(value, ast.Name) and value.id in imported:
        return ".".join([imported[value.id], *chain])
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
