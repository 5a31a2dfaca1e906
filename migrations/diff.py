"""API diff between two versions of a package, from their static surfaces (pure).

Usage:
    changes = diff_surfaces(old_surface, new_surface)
    [c.to_json() for c in changes if c.severity == Severity.BREAKING]
"""

from __future__ import annotations

import difflib
import enum
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from migrations.surface import POSITIONAL, VARIADIC, ApiObject, ApiSurface, Kind, Param, ParamKind, Status

RENAME_SIMILARITY = 0.6
MODULE_MOVE_OVERLAP = 0.6


class ChangeKind(enum.StrEnum):
    """The breakage kinds of issue 8."""

    REMOVED = "removed"
    RENAMED = "renamed"
    MOVED = "moved"
    KIND_CHANGED = "kind-changed"
    PARAM_REMOVED = "parameter-removed"
    PARAM_RENAMED = "parameter-renamed"
    PARAM_ADDED_REQUIRED = "parameter-added-required"
    PARAM_MOVED = "parameter-moved"
    PARAM_KIND_CHANGED = "parameter-kind-changed"
    PARAM_MADE_REQUIRED = "parameter-made-required"
    DEFAULT_CHANGED = "default-changed"
    RETURN_TYPE_CHANGED = "return-type-changed"
    ATTRIBUTE_TYPE_CHANGED = "attribute-type-changed"
    DEPRECATED = "deprecated"


class Severity(enum.StrEnum):
    """BREAKING fails at import/bind time; SOFT may change behaviour; UNVERIFIABLE cannot be decided statically."""

    BREAKING = "breaking"
    SOFT = "soft"
    UNVERIFIABLE = "unverifiable"


SIGNATURE_KINDS = {
    ChangeKind.PARAM_REMOVED, ChangeKind.PARAM_RENAMED, ChangeKind.PARAM_ADDED_REQUIRED, ChangeKind.PARAM_MOVED,
    ChangeKind.PARAM_KIND_CHANGED, ChangeKind.PARAM_MADE_REQUIRED,
}  # fmt: skip
PATH_KINDS = {ChangeKind.REMOVED, ChangeKind.RENAMED, ChangeKind.MOVED}

# griffe.BreakageKind name -> our kind, for comparing with griffe.find_breaking_changes.
GRIFFE_KINDS = {
    "PARAMETER_MOVED": ChangeKind.PARAM_MOVED,
    "PARAMETER_REMOVED": ChangeKind.PARAM_REMOVED,
    "PARAMETER_CHANGED_KIND": ChangeKind.PARAM_KIND_CHANGED,
    "PARAMETER_CHANGED_DEFAULT": ChangeKind.DEFAULT_CHANGED,
    "PARAMETER_CHANGED_REQUIRED": ChangeKind.PARAM_MADE_REQUIRED,
    "PARAMETER_ADDED_REQUIRED": ChangeKind.PARAM_ADDED_REQUIRED,
    "RETURN_CHANGED_TYPE": ChangeKind.RETURN_TYPE_CHANGED,
    "OBJECT_REMOVED": ChangeKind.REMOVED,
    "OBJECT_CHANGED_KIND": ChangeKind.KIND_CHANGED,
    "ATTRIBUTE_CHANGED_TYPE": ChangeKind.ATTRIBUTE_TYPE_CHANGED,
    "ATTRIBUTE_CHANGED_VALUE": ChangeKind.DEFAULT_CHANGED,
}


@dataclass(frozen=True)
class Change:
    """One API change: `replacement` is the new path (renamed/moved) or new parameter name."""

    api: str
    kind: ChangeKind
    severity: Severity
    evidence: str
    old_signature: str | None = None
    new_signature: str | None = None
    replacement: str | None = None
    parameter: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """Inverse of `to_json`."""
        return cls(**{**data, "kind": ChangeKind(data["kind"]), "severity": Severity(data["severity"])})


def diff_surfaces(old: ApiSurface, new: ApiSurface) -> list[Change]:
    """Every change to `old`'s public API in `new`; children of a removed object are not repeated."""
    changes: list[Change] = []
    gone: set[str] = set()
    index = _Index(old, new)
    for obj in old.public_api():
        if any(p in gone for p in _prefixes(obj.path)):
            continue
        resolution = new.resolve(obj.path)
        if resolution.status == Status.FOUND and resolution.obj is not None:
            changes.extend(_relocated(obj, resolution.obj, new))
            changes.extend(compare_objects(obj, resolution.obj))
        elif resolution.status == Status.MISSING:
            gone.add(obj.path)
            container = resolution.container
            declared = container is not None and obj.name in container.shim_raises
            changes.append(_removal(obj, index, resolution.reason, declared))
        elif resolution.container is not None and obj.name in resolution.container.shim_names:
            changes.append(_change(obj, None, ChangeKind.DEPRECATED, Severity.SOFT, resolution.reason))
        else:
            gone.add(obj.path)
            changes.append(_change(obj, None, ChangeKind.REMOVED, Severity.UNVERIFIABLE, resolution.reason))
    return changes


def _relocated(old: ApiObject, found: ApiObject, new: ApiSurface) -> Iterator[Change]:
    """A name a module `__getattr__` now serves from another object: moved, still importable."""
    module = new.objects.get(found.path.rpartition(".")[0])
    target = found.alias_of
    if module is None or found.name not in module.shim_names or target is None:
        return
    if target != (old.alias_of or old.path) and target.rpartition(".")[2] != old.name:
        evidence = f"now {target}, served by {module.path}.__getattr__"
        yield _change(old, found, ChangeKind.MOVED, Severity.SOFT, evidence, replacement=target)


def _prefixes(path: str) -> Iterator[str]:
    parts = path.split(".")
    for i in range(1, len(parts)):
        yield ".".join(parts[:i])


class _Index:
    """Lookups over both surfaces, built once per diff: additions by container, new objects by name."""

    def __init__(self, old: ApiSurface, new: ApiSurface) -> None:
        self.old, self.new = old, new
        old_kinds = {o.path: o.kind for o in old.public_api()}
        self.added: dict[str, list[ApiObject]] = {}
        self.by_name: dict[str, list[ApiObject]] = {}
        for obj in new.public_api():
            self.by_name.setdefault(obj.name, []).append(obj)
            if old_kinds.get(obj.path, obj.kind) != obj.kind or obj.path not in old_kinds:
                # new, or new as this kind (an instance attribute that became a method is a new method)
                self.added.setdefault(obj.path.rpartition(".")[0], []).append(obj)


def _change(
    old: ApiObject, new: ApiObject | None, kind: ChangeKind, severity: Severity, evidence: str, **extra: str | None
) -> Change:
    new_sig = new.signature() if new else None
    return Change(old.path, kind, severity, evidence, old.signature(), new_sig, **extra)


def _removal(obj: ApiObject, index: _Index, reason: str, declared: bool = False) -> Change:
    """Removed, or moved/renamed when a matching object appears; `declared` removals (the package's
    own `__getattr__` raises for the name) are never paired with a look-alike."""
    if declared:
        return _change(obj, None, ChangeKind.REMOVED, Severity.BREAKING, reason)
    moved = _moved_to(obj, index)
    if moved is not None:
        return _change(obj, moved, ChangeKind.MOVED, Severity.BREAKING, f"now at {moved.path}", replacement=moved.path)
    renamed = _renamed_to(obj, index.added.get(obj.path.rpartition(".")[0], []), index)
    if renamed is not None:
        evidence = f"removed, and {renamed.path} was added with a matching signature or name"
        return _change(obj, renamed, ChangeKind.RENAMED, Severity.BREAKING, evidence, replacement=renamed.path)
    return _change(obj, None, ChangeKind.REMOVED, Severity.BREAKING, reason or f"{obj.path} no longer exists")


def _moved_to(obj: ApiObject, index: _Index) -> ApiObject | None:
    """Module-level objects move between modules; a class member found in another class did not move."""
    if not _module_level(index.old, obj.path):
        return None
    same_name = [o for o in index.by_name.get(obj.name, []) if o.kind == obj.kind and _module_level(index.new, o.path)]
    if obj.kind == Kind.MODULE:
        old_members = set(index.old.member_names(obj.path))
        same_name = [o for o in same_name if _overlap(old_members, set(index.new.member_names(o.path)))]
    same_name.sort(key=lambda o: (o.path.count("."), o.path))
    return same_name[0] if same_name else None


def _module_level(surface: ApiSurface, path: str) -> bool:
    parent = surface.objects.get(path.rpartition(".")[0])
    return parent is None or parent.kind == Kind.MODULE


def _overlap(old: set[str], new: set[str]) -> bool:
    return not old or len(old & new) >= MODULE_MOVE_OVERLAP * len(old)


def _renamed_to(obj: ApiObject, candidates: list[ApiObject], index: _Index) -> ApiObject | None:
    same_kind = [c for c in candidates if c.kind == obj.kind]
    if obj.kind == Kind.MODULE:  # a module renamed keeps most of its members, as a moved one does
        members = set(index.old.member_names(obj.path))
        same_kind = [c for c in same_kind if members and _overlap(members, set(index.new.member_names(c.path)))]
    if obj.params is not None:
        same_sig = [c for c in same_kind if c.params is not None and _names(c.params) == _names(obj.params)]
        if len(same_sig) == 1:
            return same_sig[0]
    scored = [(difflib.SequenceMatcher(None, obj.name, c.name).ratio(), c.path, c) for c in same_kind]
    scored = [s for s in scored if s[0] >= RENAME_SIMILARITY]
    return max(scored)[2] if scored else None


def _names(params: tuple[Param, ...]) -> list[str]:
    return [p.name for p in params]


def compare_objects(old: ApiObject, new: ApiObject) -> Iterator[Change]:
    """Changes between two versions of the same API object."""
    if old.kind != new.kind and {old.kind, new.kind} != {Kind.FUNCTION, Kind.METHOD} and not _alias_to_def(old, new):
        yield _change(old, new, ChangeKind.KIND_CHANGED, Severity.BREAKING, f"{old.kind} became {new.kind}")
        return
    if old.params is not None and new.params is not None:
        for kind, severity, evidence, param, replacement in compare_params(old.params, new.params):
            yield _change(old, new, kind, severity, evidence, parameter=param, replacement=replacement)
    if old.returns and new.returns and _norm(old.returns) != _norm(new.returns):
        yield _change(old, new, ChangeKind.RETURN_TYPE_CHANGED, Severity.SOFT, f"{old.returns} -> {new.returns}")
    if old.annotation and new.annotation and _norm(old.annotation) != _norm(new.annotation):
        evidence = f"{old.annotation} -> {new.annotation}"
        yield _change(old, new, ChangeKind.ATTRIBUTE_TYPE_CHANGED, Severity.SOFT, evidence)
    if new.deprecated and not old.deprecated:
        yield _change(old, new, ChangeKind.DEPRECATED, Severity.SOFT, new.deprecated, replacement=new.replacement)


def _alias_to_def(old: ApiObject, new: ApiObject) -> bool:
    """`row_stack = vstack` that became `def row_stack(...)`: the module attribute held a callable."""
    return old.kind == Kind.ATTRIBUTE and new.kind in (Kind.FUNCTION, Kind.CLASS) and old.annotation is None


def _norm(annotation: str) -> str:
    text = annotation.replace("typing.", "").replace("t.", "").replace(" ", "")
    return text.replace("Optional[", "Union[None,").lower()


ParamChange = tuple[ChangeKind, Severity, str, str, str | None]


def compare_params(old: tuple[Param, ...], new: tuple[Param, ...]) -> Iterator[ParamChange]:
    """(kind, severity, evidence, parameter=..., replacement=...) tuples for signature changes."""
    new_by_name = {p.name: p for p in new}
    old_names = {p.name for p in old}
    renamed: set[str] = set()
    for index, param in enumerate(old):
        match = new_by_name.get(param.name) or _same_variadic(param, new)
        if match is None:
            found = _lost_param(param, index, old, new, old_names)
            if found[0] == ChangeKind.PARAM_RENAMED and found[4] is not None:
                renamed.add(found[4])
            yield found
        else:
            yield from _changed_param(param, match, old, new)
    for param in new:
        if param.name not in old_names and param.name not in renamed and not param.has_default:
            if param.kind not in VARIADIC:
                yield (
                    ChangeKind.PARAM_ADDED_REQUIRED,
                    Severity.BREAKING,
                    f"new required parameter {param.name!r}",
                    param.name,
                    None,
                )


def _same_variadic(param: Param, new: tuple[Param, ...]) -> Param | None:
    """`*args`/`**kwargs` match by kind: renaming them breaks no call."""
    if param.kind not in VARIADIC:
        return None
    return next((p for p in new if p.kind == param.kind), None)


def _lost_param(
    param: Param, index: int, old: tuple[Param, ...], new: tuple[Param, ...], old_names: set[str]
) -> ParamChange:
    if param.kind in VARIADIC:
        return ChangeKind.PARAM_REMOVED, Severity.BREAKING, f"{param.render()} was removed", param.name, None
    twin = _twin(param, index, old, new, old_names)
    kinds = {p.kind for p in new}
    if twin is not None:
        evidence = f"parameter {param.name!r} became {twin.name!r}"
        if ParamKind.VAR_KEYWORD in kinds and param.kind != ParamKind.POSITIONAL_ONLY:  # the old keyword still binds
            return (
                ChangeKind.PARAM_RENAMED,
                Severity.UNVERIFIABLE,
                evidence + ", **kwargs takes the old keyword",
                param.name,
                twin.name,
            )
        return ChangeKind.PARAM_RENAMED, Severity.BREAKING, evidence, param.name, twin.name
    by_args = ParamKind.VAR_POSITIONAL in kinds and param.kind in POSITIONAL
    if by_args or (ParamKind.VAR_KEYWORD in kinds and param.kind != ParamKind.POSITIONAL_ONLY):
        # still accepted through *args/**kwargs: whether it still works is not visible statically;
        # a positional parameter now taken by *args changed kind rather than disappeared
        if by_args and ParamKind.VAR_KEYWORD not in kinds and param.kind == ParamKind.POSITIONAL_OR_KEYWORD:
            evidence = f"{param.name!r} is now only accepted positionally, through *args"
            return ChangeKind.PARAM_KIND_CHANGED, Severity.BREAKING, evidence, param.name, None
        kind = ChangeKind.PARAM_KIND_CHANGED if by_args else ChangeKind.PARAM_REMOVED
        return kind, Severity.UNVERIFIABLE, f"{param.name!r} now only reaches *args/**kwargs", param.name, None
    return ChangeKind.PARAM_REMOVED, Severity.BREAKING, f"parameter {param.name!r} was removed", param.name, None


def _twin(
    param: Param, index: int, old: tuple[Param, ...], new: tuple[Param, ...], old_names: set[str]
) -> Param | None:
    """The new parameter in the same place, counted from the start or (after insertions) from the end."""
    for at in (index, index + len(new) - len(old)):
        twin = new[at] if 0 <= at < len(new) else None
        if twin is not None and twin.name not in old_names and twin.kind == param.kind:
            if at == index or twin.has_default == param.has_default:
                return twin
    return None


def _changed_param(param: Param, match: Param, old: tuple[Param, ...], new: tuple[Param, ...]) -> Iterator[ParamChange]:
    name = param.name
    if _narrowed(param.kind, match.kind):
        yield ChangeKind.PARAM_KIND_CHANGED, Severity.BREAKING, f"{name!r}: {param.kind} -> {match.kind}", name, None
    if param.has_default and not match.has_default and match.kind not in VARIADIC:
        yield (
            ChangeKind.PARAM_MADE_REQUIRED,
            Severity.BREAKING,
            f"{name!r} lost its default {param.default}",
            name,
            None,
        )
    elif param.has_default and match.has_default and param.default != match.default:
        yield ChangeKind.DEFAULT_CHANGED, Severity.SOFT, f"{name!r}: {param.default} -> {match.default}", name, None
    if param.kind in POSITIONAL and match.kind in POSITIONAL:
        old_pos = [p.name for p in old if p.kind in POSITIONAL].index(name)
        new_pos = [p.name for p in new if p.kind in POSITIONAL].index(name)
        if old_pos != new_pos:
            yield (
                ChangeKind.PARAM_MOVED,
                Severity.BREAKING,
                f"{name!r} moved from position {old_pos} to {new_pos}",
                name,
                None,
            )


def _narrowed(old: ParamKind, new: ParamKind) -> bool:
    """Whether some call valid for `old` kind is invalid for `new` kind."""
    accepts = {
        ParamKind.POSITIONAL_ONLY: {"pos"},
        ParamKind.POSITIONAL_OR_KEYWORD: {"pos", "kw"},
        ParamKind.KEYWORD_ONLY: {"kw"},
        ParamKind.VAR_POSITIONAL: {"pos"},
        ParamKind.VAR_KEYWORD: {"kw"},
    }
    return not accepts[old] <= accepts[new]


DIFF_FORMAT = 4  # the cache name also carries the loader's SURFACE_FORMAT: a new surface format re-diffs


def diff_releases(package: str, old: str, new: str, cache_dir: Path, *, parallel: bool = True) -> list[Change]:
    """Diff two releases fetched from the index (loaded in two processes with `parallel`); the result is
    cached as JSON per (package, old, new)."""
    from migrations.followed import followed_pair
    from migrations.loader import SURFACE_FORMAT
    from migrations.pypi import normalize

    cached = cache_dir / "diffs" / f"{normalize(package)}-{old}-{new}.v{DIFF_FORMAT}.s{SURFACE_FORMAT}.json"
    if cached.is_file():
        return [Change.from_json(c) for c in json.loads(cached.read_text())]
    changes = diff_surfaces(*followed_pair(package, old, new, cache_dir, parallel=parallel))
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".diff-")
    with os.fdopen(fd, "w") as handle:
        json.dump([c.to_json() for c in changes], handle, indent=1)
    os.replace(tmp, cached)
    return changes
