"""Build an `ApiSurface` from unpacked sources with griffe, statically (adapter around griffe)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from migrations.deprecations import find_deprecation
from migrations.errors import AnalysisError
from migrations.module_names import runtime_names, shim_names
from migrations.surface import ApiObject, ApiSurface, Kind, Param, ParamKind

# Decorators known to keep the decorated callable's signature; any other makes it unverifiable.
SAFE_DECORATORS = {
    "staticmethod", "classmethod", "abstractmethod", "overload", "override", "final", "wraps",
    "lru_cache", "cache", "cached_property", "property", "setupmethod", "deprecated", "typing_extensions.deprecated",
    "_deprecate_positional_args", "contextmanager", "asynccontextmanager",
}  # fmt: skip
HARMLESS_BASES = {"object", "Generic", "Protocol", "ABC", "abc.ABC", "typing.Generic", "typing.Protocol"}
COMPILED_SUFFIX = re.compile(r"\.(cpython-\d+\w*-[\w-]+|abi3|cp\d+-win_\w+)?\.(so|pyd)$")
WILDCARD = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+\*", re.MULTILINE)


def load_surface(
    root: Path, top_level: Sequence[str], package: str, version: str, *, failed: list[str] | None = None
) -> ApiSurface:
    """Analyse the packages `top_level` found under `root` without importing them.

    Members griffe cannot model are recorded as open attributes; their paths are appended to `failed`.
    """
    import griffe

    loader = griffe.GriffeLoader(search_paths=[root], allow_inspection=False, store_source=True)
    surface = ApiSurface(package, version, tuple(top_level))
    modules: list[Any] = []
    for name in top_level:
        try:
            modules.append(loader.load(name))
        except (ImportError, griffe.GriffeError, SyntaxError, OSError) as exc:
            if not _compiled_files(root, name):
                raise AnalysisError(f"griffe cannot load {name} from {root}: {exc}") from exc
    loader.resolve_aliases(implicit=False, external=False)
    builder = _Builder(surface, failed if failed is not None else [])
    for module in modules:
        builder.add(module, public=True)
        builder.walk(module)
    for name in top_level:
        builder.add_compiled(_compiled_files(root, name), root)
    return surface


def _compiled_files(root: Path, name: str) -> list[Path]:
    base = root / name
    found = list(base.rglob("*.so")) + list(base.rglob("*.pyd")) if base.is_dir() else []
    return found + [p for p in root.glob(f"{name}.*") if COMPILED_SUFFIX.search(p.name)]


class _Builder:
    """Walks griffe objects and records `ApiObject`s.

    Each defining object is analysed once (`records`), then copied under every path that reaches it
    (re-exports, inherited members). Inheritance uses `_Classes`' memoised MROs: griffe's own
    `all_members` recomputes the MRO and builds one alias per inherited member on every access, which is
    quadratic on deep hierarchies (SQLAlchemy).
    """

    def __init__(self, surface: ApiSurface, failed: list[str]) -> None:
        self.surface = surface
        self.failed = failed
        self.classes = _Classes()
        self.records: dict[int, ApiObject] = {}  # by id() of the griffe object, which the loader keeps alive

    def walk(self, obj: Any) -> None:
        exports = set(obj.exports) if obj.kind.value == "module" and obj.exports is not None else None
        base = obj.path  # griffe computes paths recursively on each access
        for name, member in list(obj.members.items()):
            public = _is_public(member, name, exports)
            self._guarded(f"{base}.{name}", member, public, inherited=False)
        if obj.kind.value == "class":
            for name, member in self.classes.inherited(obj):
                self._guarded(f"{base}.{name}", member, not name.startswith("_"), inherited=True)
        elif obj.kind.value == "module":
            self._runtime_names(obj, base, exports)

    def _runtime_names(self, module: Any, base: str, exports: set[str] | None) -> None:
        """Names bound in ways griffe does not model resolve (as unknown values) instead of being missing.

        They stay out of the public API: nothing is known to compare, only that the path exists.
        """
        try:
            source = module.source
        except Exception:  # no source text (namespace package, compiled module): nothing to read
            source = ""
        for name in ({str(n) for n in exports or ()} | runtime_names(source)) - set(module.members):
            path = f"{base}.{name}"
            if name.isidentifier() and path not in self.surface.objects:
                self.surface.objects[path] = ApiObject(path, Kind.ATTRIBUTE, public=False, open=True)

    def _guarded(self, path: str, member: Any, public: bool, *, inherited: bool) -> None:
        try:
            self._member(path, member, public, inherited)
        except Exception:  # griffe models arbitrary code; one odd member must not sink the surface
            self.surface.objects[path] = ApiObject(path, Kind.ATTRIBUTE, public=public, open=True)
            self.failed.append(path)

    def _member(self, path: str, member: Any, public: bool, inherited: bool) -> None:
        if member.is_alias and not inherited:
            self._add_alias(path, member, public)
            return
        target = _final_or_none(member)
        if target is None:
            self.surface.objects[path] = ApiObject(path, Kind.ATTRIBUTE, public=public, open=True)
            return
        if target.kind.value not in ("module", "class", "function", "attribute"):
            return
        defined_at = self.add(target, public=public, path=path, aliased=inherited or member.is_alias)
        if target.kind.value in ("module", "class") and path == defined_at:
            self.walk(target)

    def add(self, obj: Any, *, public: bool, path: str | None = None, aliased: bool = False) -> str:
        """Record `obj` under `path` (its own path by default); `aliased` names its definition. Returns that path."""
        record = self.records.get(id(obj))
        if record is None:
            record = self.records[id(obj)] = self._record(obj)
        path = path or record.path
        alias_of = record.path if aliased else None
        if (path, public, alias_of) != (record.path, record.public, record.alias_of):
            self.surface.objects[path] = replace(record, path=path, public=public, alias_of=alias_of)
        else:
            self.surface.objects[path] = record
        return record.path

    def _record(self, obj: Any) -> ApiObject:
        kind = _kind(obj)
        source = obj.source if kind in (Kind.FUNCTION, Kind.METHOD) else None
        docstring = obj.docstring.value if obj.docstring else None
        deprecated, replacement = find_deprecation(source, docstring, _decorators(obj))
        return ApiObject(
            path=obj.path,
            kind=kind,
            params=_params(obj, kind, self.classes),
            returns=_text(getattr(obj, "returns", None)) if kind != Kind.ATTRIBUTE else None,
            annotation=_attribute_annotation(obj, kind),
            deprecated=deprecated,
            replacement=replacement,
            public=True,
            open=_is_open(obj, kind, self.classes),
            method_kind=_method_kind(obj, kind),
            shim_names=_shim_names(obj) if kind == Kind.MODULE else (),
        )

    def _add_alias(self, path: str, alias: Any, public: bool) -> None:
        import griffe

        try:
            target = alias.final_target
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            self.surface.objects[path] = ApiObject(
                path, Kind.ATTRIBUTE, alias_of=alias.target_path, public=public, open=True
            )
            return
        self.add(target, public=public, path=path, aliased=True)

    def add_compiled(self, files: Iterable[Path], root: Path) -> None:
        for file in files:
            rel = file.relative_to(root)
            stem = COMPILED_SUFFIX.sub("", rel.name)
            dotted = ".".join([*rel.parent.parts, stem]).removesuffix(".__init__")
            if dotted not in self.surface.objects:
                self.surface.objects[dotted] = ApiObject(dotted, Kind.MODULE, open=True, compiled=True)


def _final_or_none(member: Any) -> Any:
    import griffe

    if not member.is_alias:
        return member
    try:
        return member.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _is_public(member: Any, name: str, exports: set[str] | None) -> bool:
    if name.startswith("_"):
        return False
    if exports is not None:
        return name in exports or (not member.is_alias and member.kind.value == "module")
    if member.is_alias and not getattr(member, "inherited", False):
        try:
            return bool(member.is_public)
        except Exception:  # griffe may fail to decide; an import is then not public API
            return False
    return True


def _kind(obj: Any) -> Kind:
    value = obj.kind.value
    if value == "function":
        if "property" in obj.labels or "cached_property" in _decorators(obj):
            return Kind.ATTRIBUTE
        return Kind.METHOD if obj.parent is not None and obj.parent.kind.value == "class" else Kind.FUNCTION
    return {"module": Kind.MODULE, "class": Kind.CLASS}.get(value, Kind.ATTRIBUTE)


def _decorators(obj: Any) -> list[str]:
    return [str(d.value) for d in getattr(obj, "decorators", ())]


def _params(obj: Any, kind: Kind, classes: _Classes) -> tuple[Param, ...] | None:
    if kind == Kind.CLASS:
        return _class_params(obj, classes)
    if kind not in (Kind.FUNCTION, Kind.METHOD):
        return None
    names = [d.split("(")[0] for d in _decorators(obj)]
    if any(n not in SAFE_DECORATORS and n.rpartition(".")[2] not in SAFE_DECORATORS for n in names):
        return None
    params = [_param(p) for p in obj.parameters]
    if kind == Kind.METHOD and "staticmethod" not in obj.labels and params and params[0].kind in (
        ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD
    ):  # fmt: skip
        params = params[1:]
    return tuple(params)


def _class_params(cls: Any, classes: _Classes) -> tuple[Param, ...] | None:
    if cls.decorators and not all("dataclass" in d for d in _decorators(cls)):
        return None
    if any(k == "metaclass" for k in getattr(cls, "keywords", {})):
        return None
    init = classes.lookup(cls, "__init__") or classes.lookup(cls, "__new__")
    if init is None:
        return None if classes.external(cls) else ()
    target = init.final_target if init.is_alias else init
    if target.kind.value != "function":
        return None
    params = _params(target, Kind.METHOD, classes)
    return params


def _param(p: Any) -> Param:
    kind = ParamKind(p.kind.value)
    variadic = kind in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD)
    has_default = p.default is not None and not variadic
    return Param(p.name, kind, has_default, _text(p.default) if has_default else None, _text(p.annotation))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _attribute_annotation(obj: Any, kind: Kind) -> str | None:
    if kind != Kind.ATTRIBUTE:
        return None
    return _text(getattr(obj, "annotation", None) or getattr(obj, "returns", None))


def _method_kind(obj: Any, kind: Kind) -> str | None:
    if kind != Kind.METHOD:
        return None
    return "static" if "staticmethod" in obj.labels else "class" if "classmethod" in obj.labels else "instance"


class _Classes:
    """MROs, member lookup and external-base verdicts of griffe classes, each computed once per class path."""

    def __init__(self) -> None:
        self._mros: dict[str, list[Any]] = {}
        self._external: dict[str, bool] = {}

    def mro(self, cls: Any) -> list[Any]:
        """`cls`, then its statically resolved base classes in C3 order (`[cls]` alone if C3 fails)."""
        key = cls.path
        if key not in self._mros:
            self._mros[key] = [cls]  # provisional: an inheritance cycle stops here
            bases = [b for b in _resolved_bases(cls) or () if b.is_class]
            try:
                self._mros[key] = [cls, *_c3_merge([*(self.mro(b) for b in bases), bases])]
            except ValueError:
                pass
        return self._mros[key]

    def lookup(self, cls: Any, name: str) -> Any:
        """The member `name` as Python's attribute lookup on the class would find it, or None."""
        return next((c.members[name] for c in self.mro(cls) if name in c.members), None)

    def inherited(self, cls: Any) -> Iterator[tuple[str, Any]]:
        """(name, member) of inherited members not overridden by `cls`, first definition in MRO order."""
        seen = set(cls.members)
        for base in self.mro(cls)[1:]:
            for name, member in base.members.items():
                if name not in seen:
                    seen.add(name)
                    yield name, member

    def external(self, cls: Any, depth: int = 0) -> bool:
        """Whether some base (transitively) is outside the loaded packages, so members are unknowable."""
        key = str(getattr(cls, "path", id(cls)))
        if key not in self._external:
            self._external[key] = _external_bases(cls, self, depth)
        return self._external[key]


def _resolved_bases(cls: Any) -> list[Any] | None:
    try:
        return list(cls.resolved_bases)
    except Exception:  # not a class, or a base expression griffe cannot evaluate
        return None


def _c3_merge(sequences: list[list[Any]]) -> list[Any]:
    """C3 linearisation of the base MROs (objects compared by path); ValueError when inconsistent."""
    pending = [[c.path for c in seq] for seq in sequences if seq]
    by_path = {c.path: c for seq in sequences for c in seq}
    merged: list[Any] = []
    while pending:
        head = next((s[0] for s in pending if not any(s[0] in other[1:] for other in pending)), None)
        if head is None:
            raise ValueError("inconsistent method resolution order")
        merged.append(by_path[head])
        pending = [rest for s in pending if (rest := s[1:] if s[0] == head else s)]
    return merged


def _external_bases(cls: Any, classes: _Classes, depth: int) -> bool:
    bases = _resolved_bases(cls)
    if bases is None or depth > 20:
        return True  # a "base" that is not a class, or an implausibly deep hierarchy: assume anything
    names = [str(b) for b in cls.bases]
    unresolved = [n for n in names if n.split("[")[0] not in HARMLESS_BASES]
    return len(unresolved) > len(bases) or any(classes.external(b, depth + 1) for b in bases)


def _is_open(obj: Any, kind: Kind, classes: _Classes) -> bool:
    if kind == Kind.MODULE:
        return "__getattr__" in obj.members or _has_unexpanded_wildcard(obj)
    if kind == Kind.CLASS:
        return classes.lookup(obj, "__getattr__") is not None or classes.external(obj)
    return False


def _has_unexpanded_wildcard(module: Any) -> bool:
    try:
        source = module.source
    except Exception:  # no source text (e.g. namespace package): nothing to scan
        return False
    for target in WILDCARD.findall(source):
        if not target.startswith(".") and target.split(".")[0] != module.path.split(".")[0]:
            return True  # external wildcard: its names are not in this surface
    return False


def _shim_names(module: Any) -> tuple[str, ...]:
    """Names a module-level `__getattr__` answers for (see `module_names.shim_names`)."""
    getattr_fn = module.members.get("__getattr__")
    if getattr_fn is None or getattr_fn.is_alias:
        return ()
    try:
        return shim_names(module.source)
    except Exception:  # unreadable source means no known shim names
        return ()


SURFACE_FORMAT = 1


def release_surface(package: str, version: str, cache_dir: Path) -> ApiSurface:
    """The surface of `package==version` from the index, cached as JSON under `cache_dir/surfaces`."""
    import json
    import os
    import tempfile

    from migrations.pypi import fetch_release, normalize

    cached = cache_dir / "surfaces" / f"{normalize(package)}-{version}.v{SURFACE_FORMAT}.json"
    if cached.is_file():
        return ApiSurface.from_json(json.loads(cached.read_text()))
    release = fetch_release(package, version, cache_dir)
    surface = load_surface(release.root, release.top_level, package, version)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".surface-")
    with os.fdopen(fd, "w") as handle:
        json.dump(surface.to_json(), handle)
    os.replace(tmp, cached)
    return surface
