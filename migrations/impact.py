"""Impact of an API diff on a repository: the call sites each change hits (pure core + a file walker)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from migrations.callcheck import call_shape, dotted
from migrations.diff import Change, Severity
from migrations.surface import ApiSurface, Status, signature_binds

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist"}


@dataclass(frozen=True)
class CallSite:
    """One use of a changed API: `binds` is whether the call shape binds to the new signature (None: unknown)."""

    file: str
    line: int
    api: str
    change: Change
    binds: bool | None


def find_call_sites(
    source: str, file: str, changes: Sequence[Change], old: ApiSurface, new: ApiSurface
) -> list[CallSite]:
    """Call sites in one file of the APIs in `changes` (paths as the old surface names them)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    by_api: dict[str, list[Change]] = {}
    for change in changes:
        by_api.setdefault(change.api, []).append(change)
    bindings = _import_bindings(tree, old.top_level)
    sites: list[CallSite] = []
    for node, path, shape_of in _references(tree, bindings):
        canonical = _canonical(old, path)
        for api in dict.fromkeys((path, canonical)):
            for change in by_api.get(api, []):
                binds = _binds_new(new, path, shape_of) if shape_of is not None else None
                sites.append(CallSite(file, node.lineno, path, change, binds))
    return sorted(set(sites), key=lambda s: (s.file, s.line, s.api, s.change.kind))


def scan_repo(root: Path, changes: Sequence[Change], old: ApiSurface, new: ApiSurface) -> list[CallSite]:
    """Call sites of `changes` in every Python file under `root` (adapter: reads files)."""
    breaking = [c for c in changes if c.severity != Severity.SOFT or c.kind.value == "deprecated"]
    sites: list[CallSite] = []
    for path in _python_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        sites.extend(find_call_sites(text, str(path.relative_to(root)), breaking, old, new))
    return sites


def _python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def _import_bindings(tree: ast.Module, top_level: Iterable[str]) -> dict[str, str]:
    tops = set(top_level)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in tops:
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level and node.module.split(".")[0] in tops:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _references(
    tree: ast.Module, bindings: Mapping[str, str]
) -> Iterator[tuple[ast.stmt | ast.expr, str, ast.Call | None]]:
    """(node, dotted path, the call when the reference is called) for every library reference."""
    calls = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                path = f"{node.module}.{alias.name}"
                if node.module.split(".")[0] in {b.split(".")[0] for b in bindings.values()}:
                    yield node, path, None
        elif isinstance(node, ast.Attribute | ast.Name):
            parts = dotted(node)
            if parts and parts[0] in bindings and (len(parts) > 1 or id(node) in calls):
                yield node, ".".join([bindings[parts[0]], *parts[1:]]), calls.get(id(node))


def _canonical(surface: ApiSurface, path: str) -> str:
    resolution = surface.resolve(path)
    return resolution.obj.path if resolution.status == Status.FOUND and resolution.obj else path


def _binds_new(new: ApiSurface, path: str, call: ast.Call) -> bool | None:
    resolution = new.resolve(path)
    if resolution.status != Status.FOUND or resolution.obj is None:
        return False if resolution.status == Status.MISSING else None
    return signature_binds(resolution.obj, call_shape(call))
