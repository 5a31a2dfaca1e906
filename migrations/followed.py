"""Surfaces with their module `__getattr__` shims followed, read from the release's sources.

`apply_shims` and `apply_dynamic_exports` are pure given a `SourceReader`; `followed_surface` is the
adapter over the release cache.

Usage:
    surface = followed_surface("pydantic", "2.10.6", cache_dir)
    old, new = followed_pair("pydantic", "1.10.19", "2.10.6", cache_dir)
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from migrations.shims import Shim, Source, SourceReader, module_level, parse, read_shim, walk_no_defs
from migrations.surface import ApiObject, ApiSurface, Kind

DYNAMIC_ALL = re.compile(r"^\s*__all__\s*(\+=|\.extend\(|\.append\(|=.*\b\w+\.__all__)", re.MULTILINE)
EXTERNAL_WILDCARD = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\*", re.MULTILINE)
T = TypeVar("T")


def apply_shims(surface: ApiSurface, read: SourceReader) -> ApiSurface:
    """A copy of `surface` where every module `__getattr__` that can be read is followed.

    Names the shim answers with a known target become re-exports of that target; names it raises
    for are recorded as missing; a closed shim (and no external wildcard import) closes the module.
    """
    objects = dict(surface.objects)
    for obj in surface.objects.values():
        if obj.kind == Kind.MODULE and not obj.compiled and obj.open:
            source = read(obj.path)
            shim = read_shim(obj.path, source, read) if source is not None else None
            if source is not None and shim is not None:
                _follow(surface, objects, obj, shim, source.text)
    return ApiSurface(surface.package, surface.version, surface.top_level, objects)


def _follow(surface: ApiSurface, objects: dict[str, ApiObject], module: ApiObject, shim: Shim, text: str) -> None:
    closed = shim.closed and not has_external_wildcard(module.path, text)
    stub_only = _stub_only(surface, module.path, text, shim) if closed else set()
    for name in stub_only:  # declared by a .pyi only: the runtime module does not have it
        prefix = f"{module.path}.{name}"
        for path in [p for p in objects if p == prefix or p.startswith(prefix + ".")]:
            del objects[path]
    names = tuple(sorted(set(module.shim_names) | set(shim.answers)))
    raises = tuple(sorted(shim.raises | stub_only))
    objects[module.path] = replace(module, open=not closed, shim_names=names, shim_raises=raises)
    for name, target in shim.answers.items():
        path = f"{module.path}.{name}"
        if target is not None and path not in objects and target in surface.objects:
            found = surface.objects[target]
            objects[path] = replace(found, path=path, alias_of=found.alias_of or target, public=False)


def has_external_wildcard(module: str, text: str) -> bool:
    """`from other_package import *`: names this reading cannot list."""
    top = module.split(".")[0]
    return any(t.split(".")[0] != top for t in EXTERNAL_WILDCARD.findall(text))


def _stub_only(surface: ApiSurface, module: str, text: str, shim: Shim) -> set[str]:
    """Module attributes only a `.pyi` stub declares: the runtime module never binds them and its
    closed `__getattr__` does not answer them. Empty when the runtime source binds names dynamically."""
    tree = parse(text)
    if tree is None or "import *" in text or "globals()" in text or "__dict__" in text:
        return set()
    bound = set(_bound_names(tree.body))
    prefix = module + "."
    declared = {
        path[len(prefix) :]
        for path, obj in surface.objects.items()
        if path.startswith(prefix) and "." not in path[len(prefix) :] and obj.kind == Kind.ATTRIBUTE
    }
    return {name for name in declared if name not in bound and name not in shim.answers}


def _bound_names(body: Sequence[ast.stmt]) -> Iterator[str]:
    for stmt in module_level(body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield stmt.name
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            yield from ((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif not isinstance(stmt, ast.If | ast.Try):
            yield from (n.id for n in walk_no_defs(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))


def beside(argv: Sequence[str], work: Callable[[], T]) -> T:
    """`work()` here while the process `argv` runs beside it (griffe is pure Python: two processes use two
    cores); waits for that process (killed if `work` raises), whose failure the caller notices in its output."""
    child = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        result = work()
    except BaseException:
        child.kill()  # the pair fails anyway: do not wait for half of it
        raise
    finally:
        child.wait()
    return result


PARALLEL_MIN_BYTES = 1_000_000  # archives below this analyse in about a second: a second process does not pay
WARM_CHILD = (
    "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
    "from migrations.loader import release_surface; release_surface(sys.argv[2], sys.argv[3], Path(sys.argv[4]))"
)


def followed_pair(
    package: str, old: str, new: str, cache_dir: Path, *, parallel: bool = True, min_bytes: int = PARALLEL_MIN_BYTES
) -> tuple[ApiSurface, ApiSurface]:
    """The followed surfaces of two releases. With `parallel`, a child process builds the old release's
    surface into the surface cache while this one builds the new (unless it is cached already, or its archive
    is under `min_bytes`: starting a process would cost more than it saves); the old one is then read from the
    cache (or built here if the child could not)."""
    from migrations.loader import surface_cache_file
    from migrations.pypi import download_release

    cached = surface_cache_file(package, old, cache_dir).is_file()  # a child would only read it
    if not parallel or cached or download_release(package, old, cache_dir).stat().st_size < min_bytes:
        return followed_surface(package, old, cache_dir), followed_surface(package, new, cache_dir)
    code_root = str(Path(__file__).resolve().parents[1])
    argv = [sys.executable, "-c", WARM_CHILD, code_root, package, old, str(cache_dir)]
    new_surface = beside(argv, lambda: followed_surface(package, new, cache_dir))
    return followed_surface(package, old, cache_dir), new_surface


def followed_surface(package: str, version: str, cache_dir: Path) -> ApiSurface:
    """The release's surface with its module `__getattr__` shims read from the unpacked sources."""
    from migrations.loader import release_surface
    from migrations.pypi import fetch_release

    read = source_reader(fetch_release(package, version, cache_dir).root)
    return apply_dynamic_exports(apply_shims(release_surface(package, version, cache_dir), read), read)


def apply_dynamic_exports(surface: ApiSurface, read: SourceReader) -> ApiSurface:
    """A copy of `surface` where a package root whose `__all__` is computed at run time
    (`__all__ += core.__all__`, `__all__.extend(...)`) exports every name it binds that looks public:
    the static export list is incomplete there, so it cannot make a name private."""
    objects = dict(surface.objects)
    for top in surface.top_level:
        source = read(top)
        if source is None or not DYNAMIC_ALL.search(source.text):
            continue
        prefix = top + "."
        for path, obj in surface.objects.items():
            name = path[len(prefix) :]
            if path.startswith(prefix) and "." not in name and not obj.public and _own_name(surface, obj, name):
                objects[path] = replace(obj, public=True)
    return ApiSurface(surface.package, surface.version, surface.top_level, objects)


def _own_name(surface: ApiSurface, obj: ApiObject, name: str) -> bool:
    """Not underscore-prefixed, and defined in the package (not an import of another distribution)."""
    return not name.startswith("_") and (obj.alias_of is None or obj.alias_of.split(".")[0] in surface.top_level)


def source_reader(root: Path) -> SourceReader:
    """Read a dotted module's source (`.py`, else `.pyi`) under `root`."""

    def read(module: str) -> Source | None:
        base = root.joinpath(*module.split("."))
        for path, is_package in ((base / "__init__.py", True), (base.with_suffix(".py"), False),
                                 (base / "__init__.pyi", True), (base.with_suffix(".pyi"), False)):  # fmt: skip
            if path.is_file():
                return Source(path.read_text(encoding="utf-8", errors="replace"), is_package)
        return None

    return read
