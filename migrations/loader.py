"""Build an `ApiSurface` from unpacked sources with griffe, statically (adapter around griffe)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from migrations.deprecations import find_deprecation
from migrations.errors import AnalysisError
from migrations.griffe_classes import Classes, overloads
from migrations.griffe_finder import namespace_dirs, no_tests_finder
from migrations.module_names import runtime_names, shim_names
from migrations.surface import ApiObject, ApiSurface, Kind, Param, ParamKind

# Decorators known to keep the decorated callable's signature; any other makes it unverifiable.
SAFE_DECORATORS = {
    "staticmethod", "classmethod", "abstractmethod", "overload", "override", "final", "wraps",
    "lru_cache", "cache", "cached_property", "property", "setupmethod", "deprecated", "typing_extensions.deprecated",
    "_deprecate_positional_args", "contextmanager", "asynccontextmanager",
}  # fmt: skip
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
    loader.finder = no_tests_finder(root)  # a cached_property on griffe's loader: the instance attribute wins
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
        builder.add_namespaces(namespace_dirs(root, name), root)
    return surface


def _compiled_files(root: Path, name: str) -> list[Path]:
    base = root / name
    found = list(base.rglob("*.so")) + list(base.rglob("*.pyd")) if base.is_dir() else []
    return found + [p for p in root.glob(f"{name}.*") if COMPILED_SUFFIX.search(p.name)]


class _Builder:
    """Walks griffe objects and records `ApiObject`s.

    Each defining object is analysed once (`records`), then copied under every path that reaches it
    (re-exports, inherited members). Inheritance uses `Classes`' memoised MROs: griffe's own
    `all_members` recomputes the MRO and builds one alias per inherited member on every access, which is
    quadratic on deep hierarchies (SQLAlchemy).
    """

    def __init__(self, surface: ApiSurface, failed: list[str]) -> None:
        self.surface = surface
        self.failed = failed
        self.classes = Classes()
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
        for name, signatures in overloads(obj).items():
            if name not in obj.members:
                self._guarded(f"{base}.{name}", signatures, _is_public_name(name, exports), inherited=False)

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
        if isinstance(member, list):  # only @overload signatures (a .pyi stub): callable, signature unknown
            parent = member[0].parent
            kind = Kind.METHOD if parent is not None and parent.kind.value == "class" else Kind.FUNCTION
            self.surface.objects[path] = ApiObject(path, kind, public=public)
            return
        if member.is_alias and _aliases_an_ancestor(member):
            return  # `import numpy as np` inside numpy (a stub's private import): not an attribute at run time
        if member.is_alias and not inherited:
            self._add_alias(path, member, public)
            return
        target = _final_or_none(member)
        if target is None:
            self.surface.objects[path] = ApiObject(path, Kind.ATTRIBUTE, public=public, open=True)
            return
        if target.kind.value not in ("module", "class", "function", "attribute"):
            return
        public = public and not _is_namespace(target)
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

    def add_namespaces(self, directories: Iterable[Path], root: Path) -> None:
        """Namespace packages are importable, their contents unknown: found, open, not public API."""
        for directory in directories:
            dotted = ".".join(directory.relative_to(root).parts)
            if dotted not in self.surface.objects and dotted.rpartition(".")[0] in self.surface.objects:
                self.surface.objects[dotted] = ApiObject(dotted, Kind.MODULE, public=False, open=True)

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


def _aliases_an_ancestor(member: Any) -> bool:
    """Whether an import names the module it sits in, or a package above it."""
    target, parent = _final_or_none(member), getattr(member.parent, "path", "")
    if target is None or target.kind.value != "module":
        return False
    return bool(parent) and (parent == target.path or parent.startswith(f"{target.path}."))


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


def _is_public_name(name: str, exports: set[str] | None) -> bool:
    return not name.startswith("_") and (exports is None or name in exports)


def _kind(obj: Any) -> Kind:
    value = obj.kind.value
    if value == "function":
        if "property" in obj.labels or "cached_property" in _decorators(obj):
            return Kind.ATTRIBUTE
        return Kind.METHOD if obj.parent is not None and obj.parent.kind.value == "class" else Kind.FUNCTION
    return {"module": Kind.MODULE, "class": Kind.CLASS}.get(value, Kind.ATTRIBUTE)


def _decorators(obj: Any) -> list[str]:
    return [str(d.value) for d in getattr(obj, "decorators", ())]


def _params(obj: Any, kind: Kind, classes: Classes) -> tuple[Param, ...] | None:
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


def _class_params(cls: Any, classes: Classes) -> tuple[Param, ...] | None:
    if cls.decorators and not all("dataclass" in d for d in _decorators(cls)):
        return None
    if any(k == "metaclass" for k in getattr(cls, "keywords", {})):
        return None
    init = classes.factory(cls)
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


def _is_open(obj: Any, kind: Kind, classes: Classes) -> bool:
    if kind == Kind.MODULE:
        return "__getattr__" in obj.members or _has_unexpanded_wildcard(obj) or _is_namespace(obj)
    if kind == Kind.CLASS:
        stub_only = any(classes.stub_only(c) for c in classes.mro(obj))
        return classes.lookup(obj, "__getattr__") is not None or classes.external(obj) or stub_only
    return False


def _is_namespace(obj: Any) -> bool:
    """A namespace package (griffe gives it a list of directories): importable, contents open."""
    return obj.kind.value == "module" and isinstance(obj.filepath, list)


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


SURFACE_FORMAT = 5  # 3: namespace directories loaded; 4: class signature from __new__ or __init__ as inspect;
# 5: imports of the package itself (`import numpy as np` in its stub) are not attributes


def release_surface(package: str, version: str, cache_dir: Path) -> ApiSurface:
    """The surface of `package==version` from the index, cached as JSON under `cache_dir/surfaces`."""
    import json
    import os
    import tempfile

    from migrations.pypi import fetch_release

    cached = surface_cache_file(package, version, cache_dir)
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


def surface_cache_file(package: str, version: str, cache_dir: Path) -> Path:
    """Where `release_surface` keeps the surface of `package==version`."""
    from migrations.pypi import normalize

    return cache_dir / "surfaces" / f"{normalize(package)}-{version}.v{SURFACE_FORMAT}.json"
