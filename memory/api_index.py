"""The internal API index: the repository's own functions and classes, with signatures, docs and usage counts.

`uses` counts references to THAT definition, told apart statically from per-file references (`file_refs`,
kept per file by `memory.profile_state` so an update re-reads only touched files). The rule:

- a module-level function or class: bare names in its own module, names bound by `from M import f [as g]`
  (re-exports such as a package `__init__` are followed), and `mod.f` / `pkg.mod.f` attribute chains on an
  imported module;
- a method (or a nested class): when its name is unambiguous (no other project class defines it, it is not a
  builtin type's attribute, nothing assigns `obj.name = ...`, not a dunder), every `.name` attribute load; else
  only the references that say which class they mean, `Class.name` and `self.name` / `cls.name` inside the
  class or a subclass (inherited through resolvable bases), and the entry is marked `ambiguous` (a lower bound);
- symbols nested in functions are not importable API and are left out; non-Python symbols are not counted
  (uses 0, ambiguous).

Only candidate files (the project's non-test source) count as using code; a definition is not a use.
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from memory.snapshot import Snapshot
from memory.textproc import tokenize

__all__ = ["ApiEntry", "api_index", "entry_words", "file_refs", "search_api"]

MAX_HOPS = 4  # re-exports followed, and bases climbed, before giving up on a reference
_PYTHON = (".py", ".pyi")
Refs = Mapping[str, Mapping[str, Any]]
Target = tuple[str, str]  # (path, qualname)


@dataclass(frozen=True)
class ApiEntry:
    """One internal function or class; `uses` counts references to it (a lower bound when `ambiguous`)."""

    path: str
    qualname: str
    kind: str
    signature: str
    doc: str
    uses: int
    ambiguous: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _module_parts(path: str) -> list[str]:
    parts = list(PurePosixPath(path).with_suffix("").parts)
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _import_names(path: str, files: Container[str]) -> set[str]:
    """The dotted names a module is imported by: its path's own (what relative imports resolve to) and, inside a
    package, its name from the top package (`src/pkg/a/b.py` is `pkg.a.b` when `src/pkg/__init__.py` and
    `src/pkg/a/__init__.py` exist). Never a bare suffix: `logging` must not mean `pkg/utils/logging.py`."""
    parts = _module_parts(path)
    dirs = PurePosixPath(path).parent.parts
    top = len(dirs)
    while top and "/".join([*dirs[:top], "__init__.py"]) in files:
        top -= 1
    names = {".".join(parts)}
    if top < len(dirs):
        names.add(".".join(parts[top:]))
    elif dirs and dirs[0] == "src":  # a namespace package under src/
        names.add(".".join(parts[1:]))
    return names


def _absolute(path: str, module: str | None, level: int) -> str:
    """The dotted module an import names, relative ones resolved against `path`'s package."""
    if not level:
        return module or ""
    package = _module_parts(path) if PurePosixPath(path).stem == "__init__" else _module_parts(path)[:-1]
    base = package[: max(0, len(package) - level + 1)]
    return ".".join([*base, *([module] if module else [])])


def _imports(path: str, tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted target of every import in the file (function-level ones too)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                out[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(path, node.module, node.level)
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = f"{source}.{alias.name}" if source else alias.name
    return out


def _chain(node: ast.expr) -> str | None:
    """`a.b.c` for an attribute chain rooted at a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


class _RefVisitor(ast.NodeVisitor):
    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.scope: list[tuple[bool, str]] = []  # (is a class, name)
        self.names: Counter[str] = Counter()
        self.attrs: Counter[str] = Counter()
        self.dotted: Counter[str] = Counter()
        self.selfs: Counter[str] = Counter()
        self.stores: set[str] = set()
        self.classes: dict[str, list[str]] = {}

    def _owner(self) -> str | None:
        """The class whose methods (or their closures) the visitor is in."""
        for i in range(len(self.scope) - 1, -1, -1):
            if self.scope[i][0]:
                return ".".join(n for _, n in self.scope[: i + 1]) if i < len(self.scope) - 1 else None
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qual = ".".join([*(n for _, n in self.scope), node.name])
        self.classes[qual] = [c for b in node.bases if (c := _chain(b))]
        self.scope.append((True, node.name))
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append((False, node.name))
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.bound:
            self.names[node.id] += 1

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.stores.add(node.attr)
        else:
            chain = _chain(node) or ""
            root = chain.split(".", 1)[0]
            owner = self._owner()
            if chain and root in self.bound:
                self.dotted[chain] += 1  # the receiver is known: resolved, never counted by name
            else:
                self.attrs[node.attr] += 1
            if root in ("self", "cls") and owner and isinstance(node.value, ast.Name):
                self.selfs[f"{owner}.{node.attr}"] += 1
        self.generic_visit(node)


def file_refs(path: str, text: str) -> dict[str, Any]:
    """What one Python file refers to (JSON-able; {} for other languages and syntax errors)."""
    if not path.endswith(_PYTHON):
        return {}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    imports = _imports(path, tree)
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    visitor = _RefVisitor(set(imports) | defined)
    visitor.visit(tree)
    return {
        "imports": imports,
        "names": dict(visitor.names),
        "attrs": dict(visitor.attrs),
        "dotted": dict(visitor.dotted),
        "selfs": dict(visitor.selfs),
        "stores": sorted(visitor.stores),
        "classes": visitor.classes,
    }


@functools.cache
def _builtin_attrs() -> frozenset[str]:
    """Attribute names of builtin types and files: `.name` of one of them says nothing about the project."""
    kinds = [str, bytes, list, dict, set, tuple, int, float, object, BaseException, io.TextIOWrapper, PurePosixPath]
    return frozenset(n for kind in kinds for n in dir(kind)) | frozenset(dir(builtins))


class _Project:
    """Resolves dotted references to the (path, qualname) of a project definition."""

    def __init__(self, snapshot: Snapshot, refs: Refs) -> None:
        self.refs = {p: r for p, r in refs.items() if p in snapshot.files and r}
        self.defs = {p: {s.qualname: s.kind for s in e.symbols} for p, e in snapshot.files.items()}
        found: dict[str, set[str]] = {}
        for path in snapshot.files:
            if path.endswith(_PYTHON):
                for name in _import_names(path, snapshot.files):
                    found.setdefault(name, set()).add(path)
        self.modules = {name: next(iter(paths)) for name, paths in found.items() if len(paths) == 1}
        self.cache: dict[str, Target | None] = {}

    def target(self, dotted: str, hops: int = 0) -> Target | None:
        """The definition `pkg.mod.name[.attr]` means (re-exports followed), None for modules and strangers."""
        if dotted not in self.cache or hops:
            parts = dotted.split(".")
            found = None
            for k in range(len(parts) - 1, 0, -1):
                path = self.modules.get(".".join(parts[:k]))
                if path is not None:
                    found = self.member(path, parts[k:], hops)
                    break
            if hops:
                return found
            self.cache[dotted] = found
        return self.cache[dotted]

    def member(self, path: str, rest: list[str], hops: int) -> Target | None:
        """`rest` looked up in the module at `path`: its own definition, a re-export, or an inherited method."""
        qual = ".".join(rest)
        if qual in self.defs[path]:
            return path, qual
        if hops >= MAX_HOPS:
            return None
        imported = self.refs.get(path, {}).get("imports", {}).get(rest[0])
        if imported:
            return self.target(".".join([imported, *rest[1:]]), hops + 1)
        owner = ".".join(rest[:-1])
        if self.defs[path].get(owner) == "class":
            for base in self.refs.get(path, {}).get("classes", {}).get(owner, []):
                parent = self.local(path, base, hops + 1)
                if parent is not None and self.defs[parent[0]].get(parent[1]) == "class":
                    hit = self.member(parent[0], [*parent[1].split("."), rest[-1]], hops + 1)
                    if hit is not None:
                        return hit
        return None

    def local(self, path: str, chain: str, hops: int = 0) -> Target | None:
        """What a name or attribute chain written in the file at `path` refers to."""
        root, _, rest = chain.partition(".")
        imported = self.refs.get(path, {}).get("imports", {}).get(root)
        if imported:
            return self.target(f"{imported}.{rest}" if rest else imported, hops)
        if root in self.defs[path]:
            return self.member(path, chain.split("."), hops)
        return None


@dataclass
class _Counts:
    named: Counter[Target]  # names and attribute chains that resolve to the definition
    selfs: Counter[Target]  # `self.x` / `cls.x` in the class or a subclass
    attrs: Counter[str]  # `.x` loads on receivers of unknown type (`self` ones included)
    stores: set[str]  # names assigned as attributes somewhere: data, not only methods


def _count(project: _Project) -> _Counts:
    counts = _Counts(Counter(), Counter(), Counter(), set())
    for path, refs in sorted(project.refs.items()):
        for table in ("names", "dotted"):
            for chain, n in refs.get(table, {}).items():
                if (hit := project.local(path, chain)) is not None:
                    counts.named[hit] += n
        for key, n in refs.get("selfs", {}).items():
            if (hit := project.member(path, key.split("."), 0)) is not None:
                counts.selfs[hit] += n
        counts.attrs.update(refs.get("attrs", {}))
        counts.stores.update(refs.get("stores", []))
    return counts


def _class_members(defs: Mapping[str, Mapping[str, str]]) -> Counter[str]:
    """How many classes of the project define each member name."""
    return Counter(
        q.rpartition(".")[2] for kinds in defs.values() for q in kinds if kinds.get(q.rpartition(".")[0]) == "class"
    )


def api_index(snapshot: Snapshot, refs: Refs | None = None, include_private: bool = False) -> list[ApiEntry]:
    """Every importable function and class of the candidate files (one entry per qualname), most used first.

    `refs` maps paths to their `file_refs`; without them no reference is known and every count is 0.
    """
    project = _Project(snapshot, refs or {})
    counts = _count(project)
    definers = _class_members(project.defs)
    vague = _builtin_attrs() | counts.stores
    out: dict[Target, ApiEntry] = {}  # overloads share a key: the last definition (the implementation) stays
    for path, entry in sorted(snapshot.files.items()):
        kinds = project.defs[path]
        for sym in entry.symbols:
            name, parent = sym.name, sym.qualname.rpartition(".")[0]
            private = name.startswith("_") and not include_private and not name.startswith("__init")
            if private or (parent and kinds.get(parent) != "class"):
                continue
            key = (path, sym.qualname)
            count, ambiguous = counts.named[key], not path.endswith(_PYTHON)
            if parent:
                ambiguous = definers[name] > 1 or name in vague or (name.startswith("__") and name.endswith("__"))
                count += counts.selfs[key] if ambiguous else counts.attrs[name]
            out[key] = ApiEntry(path, sym.qualname, sym.kind, sym.signature, sym.doc, count, ambiguous)
    return sorted(out.values(), key=lambda e: (-e.uses, e.path, e.qualname))


def entry_words(entries: list[ApiEntry]) -> list[frozenset[str]]:
    """Each entry's words (name, signature and doc), as `search_api` matches them."""
    return [frozenset(tokenize(f"{e.qualname} {e.signature} {e.doc}")) for e in entries]


def search_api(
    entries: list[ApiEntry], text: str, k: int = 10, words_of: list[frozenset[str]] | None = None
) -> list[ApiEntry]:
    """Entries whose name, signature or doc share words with `text`, weighted by how much they are used.

    `words_of` is `entry_words(entries)` when the caller keeps it across queries.
    """
    words = set(tokenize(text))
    scored = []
    for entry, its_words in zip(entries, words_of or entry_words(entries), strict=True):
        overlap = len(words & its_words)
        if overlap:
            scored.append((overlap + min(entry.uses, 50) / 50, entry))
    scored.sort(key=lambda item: -item[0])
    return [entry for _, entry in scored[:k]]
