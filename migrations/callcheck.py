"""Version checker: resolve every library call in Python source against the installed API surfaces (pure).

Usage:
    findings = check_source(source, {"flask": flask_surface}, only_lines=added_lines(diff)["app.py"])
"""

from __future__ import annotations

import ast
import difflib
import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from migrations.surface import (
    ApiObject,
    ApiSurface,
    CallShape,
    Kind,
    Resolution,
    Status,
    is_public_path,
    signature_binds,
)

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class FindingKind(enum.StrEnum):
    """What is wrong with a call site."""

    MISSING = "missing"
    NO_BIND = "does-not-bind"
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Finding:
    """One problem at a source location; `alternatives` are real names close to the missing one."""

    line: int
    col: int
    api: str
    kind: FindingKind
    message: str
    alternatives: tuple[str, ...] = ()
    signature: str | None = None


def check_source(source: str, surfaces: Mapping[str, ApiSurface], only_lines: set[int] | None = None) -> list[Finding]:
    """Findings for `source`; `surfaces` may be keyed by anything, each is matched by its import names."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    by_import = {name: s for s in surfaces.values() for name in s.top_level}
    checker = _Checker(by_import)
    checker.bind_names(tree)
    findings = list(checker.check(tree))
    unique = {(f.line, f.col, f.api, f.kind): f for f in findings}
    kept = [f for f in unique.values() if only_lines is None or f.line in only_lines]
    return sorted(kept, key=lambda f: (f.line, f.col, f.api))


def qualify(source: str, reference: str, surfaces: Mapping[str, ApiSurface]) -> str | None:
    """The library path `reference` (e.g. `np.zeros`, `bar.update`) denotes in `source`, or None."""
    try:
        tree = ast.parse(source)
        expr = ast.parse(reference, mode="eval").body
    except SyntaxError:
        return None
    checker = _Checker({name: s for s in surfaces.values() for name in s.top_level})
    checker.bind_names(tree)
    path, _ = checker.node_path(expr)
    if path is None and (parts := dotted(expr)) and parts[0] in checker.surfaces:
        path = reference  # already a fully qualified library path
    return path


def added_lines(diff: str) -> dict[str, set[int]]:
    """New-side line numbers of the added lines of a unified diff, per file."""
    result: dict[str, set[int]] = {}
    current: set[int] | None = None
    line_no = 0
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[4:].split("\t")[0].strip()
            current = None if path == "/dev/null" else result.setdefault(path.removeprefix("b/"), set())
        elif (match := HUNK.match(line)) is not None:
            line_no = int(match.group(1))
        elif current is not None and line.startswith("+"):
            current.add(line_no)
            line_no += 1
        elif line.startswith(" "):
            line_no += 1
    return result


def call_shape(call: ast.Call) -> CallShape:
    """The argument shape of a call expression."""
    star_args = any(isinstance(a, ast.Starred) for a in call.args)
    positional = sum(1 for a in call.args if not isinstance(a, ast.Starred))
    keywords = tuple(k.arg for k in call.keywords if k.arg is not None)
    star_kwargs = any(k.arg is None for k in call.keywords)
    return CallShape(positional, keywords, star_args, star_kwargs)


def dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything that is not a plain name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class _Checker:
    """Binds imported names (and instances of library classes) to dotted API paths, then checks uses."""

    def __init__(self, surfaces: Mapping[str, ApiSurface]) -> None:
        self.surfaces = surfaces
        self.names: dict[str, str] = {}
        self.instances: dict[str, str] = {}

    def bind_names(self, tree: ast.Module) -> None:
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    self.names[alias.asname or top] = alias.name if alias.asname else top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigned.setdefault(node.targets[0].id, []).append(node.value)
        for name, values in assigned.items():
            self._bind_instance(name, values)

    def _bind_instance(self, name: str, values: list[ast.expr]) -> None:
        if len(values) != 1 or name in self.names or not isinstance(values[0], ast.Call):
            return
        path = self._path_of(values[0].func)
        resolution = self._resolve(path) if path else None
        if resolution and resolution.obj and resolution.obj.kind == Kind.CLASS:
            self.instances[name] = path or ""

    def _path_of(self, node: ast.expr) -> str | None:
        parts = dotted(node)
        if not parts or parts[0] not in self.names:
            return None
        return ".".join([self.names[parts[0]], *parts[1:]])

    def _resolve(self, path: str) -> Resolution | None:
        surface = self.surfaces.get(path.split(".")[0])
        return surface.resolve(path) if surface else None

    def check(self, tree: ast.Module) -> Iterator[Finding]:
        inner: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                yield from self._check_import(node)
            elif isinstance(node, ast.Call):
                yield from self._check_call(node)
            elif isinstance(node, ast.Attribute) and id(node) not in inner:
                inner.update(id(n) for n in ast.walk(node.value))
                yield from self._check_reference(node)

    def _check_import(self, node: ast.Import | ast.ImportFrom) -> Iterator[Finding]:
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                return
            paths = [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
        else:
            paths = [a.name for a in node.names]
        for path in paths:
            resolution = self._resolve(path)
            if resolution is not None:
                yield from self._missing(node, path, resolution)

    def _check_reference(self, node: ast.Attribute) -> Iterator[Finding]:
        path, via_instance = self.node_path(node)
        if path is None:
            return
        resolution = self._resolve(path)
        if resolution is None:
            return
        if via_instance and resolution.status == Status.MISSING and resolution.container is not None:
            if resolution.container.kind != Kind.CLASS:  # only the class's own members are known
                return
        yield from self._missing(node, path, resolution)
        if resolution.obj is not None and resolution.obj.deprecated:
            yield _deprecated(node, resolution.obj)

    def node_path(self, node: ast.expr) -> tuple[str | None, bool]:
        parts = dotted(node)
        if not parts:
            return None, False
        if parts[0] in self.instances and len(parts) > 1:
            return ".".join([self.instances[parts[0]], *parts[1:]]), True
        return self._path_of(node), False

    def _check_call(self, call: ast.Call) -> Iterator[Finding]:
        path, via_instance = self.node_path(call.func)
        resolution = self._resolve(path) if path else None
        if path is None or resolution is None or resolution.obj is None:
            return
        obj = resolution.obj
        if obj.kind == Kind.METHOD and obj.method_kind == "instance" and not via_instance:
            return  # called through the class: `self` is passed explicitly, or it is a bound method
        if signature_binds(obj, call_shape(call)) is False:
            yield Finding(
                call.lineno, call.col_offset, path, FindingKind.NO_BIND,
                f"{path}{obj.signature() or '()'} does not accept this call ({_describe(call_shape(call))})",
                signature=obj.signature(),
            )  # fmt: skip

    def _missing(self, node: ast.AST, path: str, resolution: Resolution) -> Iterator[Finding]:
        if resolution.status != Status.MISSING:
            return
        surface = self.surfaces[path.split(".")[0]]
        alternatives = suggest(surface, path, resolution.container)
        hint = f"; did you mean {', '.join(alternatives)}?" if alternatives else ""
        message = f"{path} does not exist in {surface.package} {surface.version}{hint}"
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        yield Finding(line, col, path, FindingKind.MISSING, message, alternatives)


def suggest(surface: ApiSurface, path: str, container: ApiObject | None, limit: int = 3) -> tuple[str, ...]:
    """Real names close to a missing `path`: the same name elsewhere first, then similar siblings."""
    name = path.rpartition(".")[2]
    same = [p for p, o in surface.objects.items() if o.public and is_public_path(p) and p.endswith("." + name)]
    moved = sorted(same, key=lambda p: (p.count("."), p))
    base = container.path if container else path.rpartition(".")[0]
    siblings = difflib.get_close_matches(name, surface.member_names(base), n=limit, cutoff=0.6)
    return tuple(dict.fromkeys([*moved[:limit], *(f"{base}.{s}" for s in siblings)]))[:limit]


def _deprecated(node: ast.Attribute, obj: ApiObject) -> Finding:
    hint = f"; use {obj.replacement}" if obj.replacement else ""
    alternatives = (obj.replacement,) if obj.replacement else ()
    message = f"{obj.path} is deprecated: {obj.deprecated}{hint}"
    return Finding(node.lineno, node.col_offset, obj.path, FindingKind.DEPRECATED, message, alternatives)


def _describe(shape: CallShape) -> str:
    keywords = ", ".join(f"{k}=" for k in shape.keywords)
    return f"{shape.positional} positional" + (f", keywords {keywords}" if keywords else "")
