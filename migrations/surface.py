"""The static API surface of one package version as plain data, with lookup and call binding (pure)."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

MAX_ALIAS_HOPS = 8
# Module dunders that are machinery, not API.
MODULE_DUNDERS = {"__all__", "__getattr__", "__dir__", "__path__", "__file__", "__doc__", "__name__", "__spec__",
                  "__loader__", "__package__", "__builtins__", "__cached__", "__annotations__"}  # fmt: skip


class Kind(enum.StrEnum):
    """What an API object is."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"
    ATTRIBUTE = "attribute"


class ParamKind(enum.StrEnum):
    """Python parameter kinds (same values as griffe's)."""

    POSITIONAL_ONLY = "positional-only"
    POSITIONAL_OR_KEYWORD = "positional or keyword"
    VAR_POSITIONAL = "variadic positional"
    KEYWORD_ONLY = "keyword-only"
    VAR_KEYWORD = "variadic keyword"


VARIADIC = (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD)
POSITIONAL = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)


@dataclass(frozen=True)
class Param:
    """One parameter of a callable; `default` and `annotation` are source text."""

    name: str
    kind: ParamKind
    has_default: bool = False
    default: str | None = None
    annotation: str | None = None

    def render(self) -> str:
        """Source-like text of the parameter."""
        prefix = {ParamKind.VAR_POSITIONAL: "*", ParamKind.VAR_KEYWORD: "**"}.get(self.kind, "")
        text = prefix + self.name + (f": {self.annotation}" if self.annotation else "")
        return text + (f" = {self.default}" if self.has_default and self.default is not None else "")


@dataclass(frozen=True)
class ApiObject:
    """One API object keyed by its dotted path.

    `params` is None when the object is not callable or its signature cannot be known statically
    (unknown decorator, compiled code, class without a visible `__init__`). For methods it excludes
    the implicit `self`/`cls`. `open` means unknown members are unverifiable rather than missing
    (module `__getattr__`, compiled module, class with external bases or `__getattr__`).
    """

    path: str
    kind: Kind
    params: tuple[Param, ...] | None = None
    returns: str | None = None
    annotation: str | None = None
    deprecated: str | None = None
    replacement: str | None = None
    alias_of: str | None = None
    public: bool = True
    open: bool = False
    compiled: bool = False
    method_kind: str | None = None
    shim_names: tuple[str, ...] = ()
    shim_raises: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Last segment of the path."""
        return self.path.rpartition(".")[2]

    def signature(self) -> str | None:
        """Rendered signature `(a, b=1, *, c) -> R`, or None when unknown."""
        if self.params is None:
            return None
        parts: list[str] = []
        for i, param in enumerate(self.params):
            previous = self.params[i - 1].kind if i else None
            if param.kind == ParamKind.KEYWORD_ONLY and previous not in (ParamKind.KEYWORD_ONLY, *VARIADIC):
                parts.append("*")
            parts.append(param.render())
            if param.kind == ParamKind.POSITIONAL_ONLY and (
                i + 1 == len(self.params) or self.params[i + 1].kind != ParamKind.POSITIONAL_ONLY
            ):
                parts.append("/")
        return f"({', '.join(parts)})" + (f" -> {self.returns}" if self.returns else "")


class Status(enum.StrEnum):
    """Outcome of a lookup."""

    FOUND = "found"
    MISSING = "missing"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Resolution:
    """Result of `ApiSurface.resolve`: `container` is the deepest known object on the path."""

    status: Status
    obj: ApiObject | None = None
    container: ApiObject | None = None
    reason: str = ""


@dataclass
class ApiSurface:
    """Every object of one package version, by dotted path (public or merely reachable)."""

    package: str
    version: str
    top_level: tuple[str, ...]
    objects: dict[str, ApiObject] = field(default_factory=dict)

    def resolve(self, path: str) -> Resolution:
        """Find `path`, following re-exports; say why when it cannot be decided."""
        parts = path.split(".")
        if parts[0] not in self.top_level:
            return Resolution(Status.UNVERIFIABLE, reason=f"{parts[0]} is not part of {self.package}")
        obj = self.objects.get(parts[0])
        if obj is None:
            return Resolution(Status.UNVERIFIABLE, reason=f"{parts[0]} could not be analysed")
        for name in parts[1:]:
            obj = self._canonical(obj)
            child = self.objects.get(f"{obj.path}.{name}")
            if child is None:
                return self._unknown_member(obj, name)
            obj = child
        return Resolution(Status.FOUND, obj=obj, container=obj)

    def _canonical(self, obj: ApiObject) -> ApiObject:
        for _ in range(MAX_ALIAS_HOPS):
            if obj.alias_of is None or obj.alias_of not in self.objects or obj.kind not in (Kind.MODULE, Kind.CLASS):
                return obj
            obj = self.objects[obj.alias_of]
        return obj

    def _unknown_member(self, obj: ApiObject, name: str) -> Resolution:
        if obj.kind in (Kind.FUNCTION, Kind.METHOD, Kind.ATTRIBUTE):
            return Resolution(Status.UNVERIFIABLE, container=obj, reason=f"attribute of a value ({obj.path})")
        if name in obj.shim_raises:
            return Resolution(Status.MISSING, container=obj, reason=f"{obj.path}.__getattr__ raises for {name!r}")
        if name in obj.shim_names:
            return Resolution(Status.UNVERIFIABLE, container=obj, reason=f"served by {obj.path}.__getattr__")
        if obj.open:
            why = "compiled module" if obj.compiled else "dynamic attributes (__getattr__ or external bases)"
            return Resolution(Status.UNVERIFIABLE, container=obj, reason=f"{obj.path} has {why}")
        if obj.alias_of is not None and obj.alias_of not in self.objects:
            return Resolution(Status.UNVERIFIABLE, container=obj, reason=f"{obj.path} comes from {obj.alias_of}")
        if name.startswith("__") and name.endswith("__"):
            return Resolution(Status.UNVERIFIABLE, container=obj, reason="dunder attribute")
        return Resolution(Status.MISSING, container=obj, reason=f"{obj.path} has no member {name!r}")

    def member_names(self, container: str) -> list[str]:
        """Names directly under `container` (after following a re-export)."""
        obj = self.objects.get(container)
        base = self._canonical(obj).path if obj else container
        prefix = base + "."
        return sorted({p[len(prefix) :].split(".")[0] for p in self.objects if p.startswith(prefix)})

    def public_api(self) -> Iterator[ApiObject]:
        """Public objects by public path; members of re-exported classes appear under the public path.

        Also public: a package root's re-exports of other distributions (`from markupsafe import
        Markup` in `flask/__init__.py`) and module-level dunder attributes such as `__version__`.
        """
        children = self._children()
        for obj in self.objects.values():
            if self._is_public(obj) and not self._under_alias(obj.path):
                yield obj
                if obj.alias_of and obj.kind == Kind.CLASS and obj.alias_of in self.objects:
                    yield from self._members_as(children.get(obj.alias_of, []), obj.path)

    def _is_public(self, obj: ApiObject) -> bool:
        head, _, name = obj.path.rpartition(".")
        if obj.public and is_public_path(obj.path):
            return True
        parent = self.objects.get(head)
        if parent is None or parent.kind != Kind.MODULE or not is_public_path(head):
            return False
        if _is_dunder(name):
            return obj.kind == Kind.ATTRIBUTE and name not in MODULE_DUNDERS and obj.alias_of is None
        return head in self.top_level and not name.startswith("_") and self._external_from_import(obj)

    def _external_from_import(self, obj: ApiObject) -> bool:
        """`from other_distribution import Name` (the standard library and `__future__` excluded)."""
        target = obj.alias_of or ""
        top = target.split(".")[0]
        external = top not in self.top_level and top not in sys.stdlib_module_names and top != "__future__"
        return "." in target and external and target.rpartition(".")[2] == obj.name

    def _children(self) -> dict[str, list[ApiObject]]:
        children: dict[str, list[ApiObject]] = {}
        for path, obj in self.objects.items():
            children.setdefault(path.rpartition(".")[0], []).append(obj)
        return children

    def _under_alias(self, path: str) -> bool:
        head, _, _ = path.rpartition(".")
        parent = self.objects.get(head)
        return parent is not None and parent.alias_of is not None

    def _members_as(self, members: list[ApiObject], public: str) -> Iterator[ApiObject]:
        for obj in members:
            if obj.public and not obj.name.startswith("_"):
                yield replace(obj, path=f"{public}.{obj.name}", alias_of=obj.alias_of or obj.path)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "package": self.package,
            "version": self.version,
            "top_level": list(self.top_level),
            "objects": [asdict(o) for o in self.objects.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiSurface:
        """Inverse of `to_json`."""
        objects = {o["path"]: _object_from_json(o) for o in data["objects"]}
        return cls(data["package"], data["version"], tuple(data["top_level"]), objects)


def _children_by_parent(objects: Mapping[str, ApiObject]) -> dict[str, list[ApiObject]]:
    """Direct children of each dotted path, built once per walk (a scan per re-exported class was quadratic)."""
    children: dict[str, list[ApiObject]] = {}
    for path, obj in objects.items():
        children.setdefault(path.rpartition(".")[0], []).append(obj)
    return children


def _members_as(members: Sequence[ApiObject], public: str) -> Iterator[ApiObject]:
    for obj in members:
        if obj.public and not obj.name.startswith("_"):
            yield replace(obj, path=f"{public}.{obj.name}", alias_of=obj.alias_of or obj.path)


def _object_from_json(data: Mapping[str, Any]) -> ApiObject:
    fields = dict(data)
    fields["kind"] = Kind(fields["kind"])
    if fields["params"] is not None:
        fields["params"] = tuple(Param(**{**p, "kind": ParamKind(p["kind"])}) for p in fields["params"])
    fields["shim_names"] = tuple(fields.get("shim_names", ()))
    fields["shim_raises"] = tuple(fields.get("shim_raises", ()))
    return ApiObject(**fields)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def is_public_path(path: str) -> bool:
    """No segment of the dotted path is underscore-prefixed."""
    return not any(part.startswith("_") for part in path.split("."))


@dataclass(frozen=True)
class CallShape:
    """How a call site passes arguments: positional count, keyword names, and any `*x`/`**x` unpacking."""

    positional: int = 0
    keywords: tuple[str, ...] = ()
    star_args: bool = False
    star_kwargs: bool = False


def signature_binds(obj: ApiObject, shape: CallShape) -> bool | None:
    """Whether `shape` binds to `obj`'s signature, like `inspect.Signature.bind`.

    None means unverifiable: the signature is unknown, the call unpacks `*args`/`**kwargs`, or the
    call only binds through the callee's own `*args`/`**kwargs` pass-through.
    """
    params = _callable_params(obj)
    if params is None or shape.star_args or shape.star_kwargs:
        return None
    positional = [p for p in params if p.kind in POSITIONAL]
    has_var_args = any(p.kind == ParamKind.VAR_POSITIONAL for p in params)
    has_var_kwargs = any(p.kind == ParamKind.VAR_KEYWORD for p in params)
    if shape.positional > len(positional) and not has_var_args:
        return False
    filled = {p.name for p in positional[: shape.positional]}
    by_name = {p.name: p for p in params if p.kind in (ParamKind.POSITIONAL_OR_KEYWORD, ParamKind.KEYWORD_ONLY)}
    through_var = shape.positional > len(positional)
    for keyword in shape.keywords:
        if keyword in by_name:
            if keyword in filled:
                return False
            filled.add(keyword)
        elif has_var_kwargs:
            through_var = True
        else:
            return False
    missing = [p for p in params if p.kind not in VARIADIC and not p.has_default and p.name not in filled]
    if missing:
        return False
    return None if through_var else True


def _callable_params(obj: ApiObject) -> Sequence[Param] | None:
    if obj.kind in (Kind.FUNCTION, Kind.METHOD, Kind.CLASS):
        return obj.params
    return None
