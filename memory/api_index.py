"""The internal API index: the repository's own functions and classes, with signatures, docs and usage counts.

`uses` counts references to THAT definition, told apart statically from per-file references (`file_refs`, in
`memory.api_refs`, kept per file by `memory.profile_state` so an update re-reads only touched files). The rule:

- a module-level function or class: bare names in its own module, names bound by `from M import f [as g]`
  (re-exports such as a package `__init__` are followed, `from .x import *` ones too: x's `__all__`, else its
  public names, and aliases: `f = _impl.f` or `get = request` at module level), and `mod.f` / `pkg.mod.f`
  attribute chains on an imported module; a name a function binds (a parameter, a local variable) is not the
  module's, nor one a class body has bound, in that body; a function's own import binds only there;
- a method (or a nested class): when its name is unambiguous (no other project class defines it, it is not a
  builtin type's attribute, nothing assigns `obj.name = ...`, not a dunder), every `.name` attribute load; else
  only the references that say which class they mean, `Class.name`, a bare `name` in the class body below
  its def, and `self.name` / `cls.name` inside the class or a subclass (inherited through resolvable bases),
  and the entry is marked `ambiguous` (a lower bound);
- symbols nested in functions are not importable API and are left out, nor are private names and members of
  private classes (unless asked), nor a `.pyi` stub's beside its `.py`; non-Python symbols are not counted
  (uses 0, ambiguous).

Only candidate files (the project's non-test source) count as using code; a definition is not a use.
"""

from __future__ import annotations

import builtins
import functools
import io
from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from memory.api_refs import file_refs, module_parts
from memory.snapshot import Snapshot
from memory.textproc import tokenize

__all__ = ["ApiEntry", "api_index", "entry_words", "file_refs", "search_api"]

MAX_HOPS = 4  # re-exports (`*` ones and aliases too) followed, and bases climbed, before giving up on a reference
MAX_DOC_CHARS = 400  # an entry's doc and signature are clipped: one huge docstring paragraph or default value
MAX_SIGNATURE_CHARS = 1000  # would make the entry too big for any answer, and match every query's words
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


def _import_names(path: str, files: Container[str]) -> set[str]:
    """The dotted names a module is imported by: its path's own (what relative imports resolve to) and, inside a
    package, its name from the top package (`src/pkg/a/b.py` is `pkg.a.b` when `src/pkg/__init__.py` and
    `src/pkg/a/__init__.py` exist). Never a bare suffix: `logging` must not mean `pkg/utils/logging.py`."""
    parts = module_parts(path)
    dirs = PurePosixPath(path).parent.parts
    top = len(dirs)
    while top and "/".join([*dirs[:top], "__init__.py"]) in files:
        top -= 1
    names = {".".join(parts)}
    if top < len(dirs):
        names.add(".".join(parts[top:]))
    elif dirs and dirs[0] == "src":  # a namespace package under src/
        names.add(".".join(parts[1:]))
    return names - {""}


def _stub_of_module(path: str, files: Container[str]) -> bool:
    """A `.pyi` stub beside its `.py` module: the module is what imports mean and what the index lists."""
    return path.endswith(".pyi") and path[:-1] in files


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
            if path.endswith(_PYTHON) and not _stub_of_module(path, snapshot.files):
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
        if rest[0] in self.refs.get(path, {}).get("aliases", {}):
            return self.local(path, qual, hops)  # what the alias names
        owner = ".".join(rest[:-1])
        if self.defs[path].get(owner) == "class":
            for base in self.refs.get(path, {}).get("classes", {}).get(owner, []):
                parent = self.local(path, base, hops + 1)
                if parent is not None and self.defs[parent[0]].get(parent[1]) == "class":
                    hit = self.member(parent[0], [*parent[1].split("."), rest[-1]], hops + 1)
                    if hit is not None:
                        return hit
        return self.starred(path, rest, hops) if rest[0] not in self.defs[path] else None

    def starred(self, path: str, rest: list[str], hops: int) -> Target | None:
        """`rest` as the module at `path` has it from a `from M import *` (the last import that has it wins)."""
        if hops >= MAX_HOPS:
            return None
        for source in reversed(self.refs.get(path, {}).get("stars", [])):
            found = self.modules.get(source)
            if found is not None and found != path and self.exports(found, rest[0]):
                if (hit := self.member(found, rest, hops + 1)) is not None:
                    return hit
        return None

    def exports(self, path: str, name: str) -> bool:
        """Whether `from <the module at path> import *` binds `name`: listed in its `__all__`, else public."""
        listed = self.refs.get(path, {}).get("all")
        return name in listed if listed is not None else not name.startswith("_")

    def local(self, path: str, chain: str, hops: int = 0) -> Target | None:
        """What a name or attribute chain written in the file at `path` refers to."""
        root, _, rest = chain.partition(".")
        aliased = self.refs.get(path, {}).get("aliases", {}).get(root)
        if aliased:  # what the alias names, one hop on
            return self.local(path, f"{aliased}.{rest}" if rest else aliased, hops + 1) if hops < MAX_HOPS else None
        imported = self.refs.get(path, {}).get("imports", {}).get(root)
        if imported:
            return self.target(f"{imported}.{rest}" if rest else imported, hops)
        if root in self.defs[path]:
            return self.member(path, chain.split("."), hops)
        return self.starred(path, chain.split("."), hops)


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
        for dotted, n in refs.get("targets", {}).items():  # through imports made in functions
            if (hit := project.target(dotted)) is not None:
                counts.named[hit] += n
        for qual, n in refs.get("members", {}).items():  # names a class body reads from its own bindings
            if qual in project.defs[path]:
                counts.named[path, qual] += n
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


def _listed(qualname: str, kinds: Mapping[str, str], include_private: bool) -> bool:
    """Importable API: module-level, or a member of classes all the way up; public (or `__init__`) unless asked."""
    parts = qualname.split(".")
    if any(kinds.get(".".join(parts[:i])) != "class" for i in range(1, len(parts))):
        return False
    public = not any(p.startswith("_") for p in parts[:-1])
    return include_private or (public and (parts[-1] == "__init__" or not parts[-1].startswith("_")))


def _marked(project: _Project, table: str) -> set[Target]:
    """The definitions a per-file list of qualnames (`properties`, `accessors`) names."""
    return {(path, qual) for path, found in project.refs.items() for qual in found.get(table, [])}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def api_index(snapshot: Snapshot, refs: Refs | None = None, include_private: bool = False) -> list[ApiEntry]:
    """Every importable function and class of the candidate files (one entry per qualname), most used first.

    `refs` maps paths to their `file_refs`; without them no reference is known and every count is 0.
    """
    project = _Project(snapshot, refs or {})
    counts = _count(project)
    definers = _class_members(project.defs)
    vague = _builtin_attrs() | counts.stores
    accessors, properties = _marked(project, "accessors"), _marked(project, "properties")
    out: dict[Target, ApiEntry] = {}  # overloads share a key: the last definition (the implementation) stays
    for path, entry in sorted(snapshot.files.items()):
        kinds = project.defs[path]
        for sym in [] if _stub_of_module(path, snapshot.files) else entry.symbols:
            name, parent, key = sym.name, sym.qualname.rpartition(".")[0], (path, sym.qualname)
            if not _listed(sym.qualname, kinds, include_private) or (key in out and key in accessors):
                continue  # a property's setter or deleter does not replace its getter
            count, ambiguous = counts.named[key], not path.endswith(_PYTHON)
            if parent:
                ambiguous = definers[name] > 1 or name in vague or (name.startswith("__") and name.endswith("__"))
                count += counts.selfs[key] if ambiguous else counts.attrs[name]
            signature = ("@property " if key in properties else "") + sym.signature  # read, not called
            signature, doc = _clip(signature, MAX_SIGNATURE_CHARS), _clip(sym.doc, MAX_DOC_CHARS)
            out[key] = ApiEntry(path, sym.qualname, sym.kind, signature, doc, count, ambiguous)
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
