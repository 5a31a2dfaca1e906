"""Rewrite rules for codemods, derived from API diff records (pure).

A `PathRule` maps an old dotted path to its new one (renamed, moved, or deprecated with a named
replacement); an `ArgRule` renames or drops one keyword of calls to an API. Only mechanical
changes become rules; everything else is left to the patch engine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from migrations.diff import Change, ChangeKind, Severity
from migrations.surface import ApiSurface, Kind, Status

MECHANICAL = {ChangeKind.RENAMED, ChangeKind.MOVED, ChangeKind.PARAM_RENAMED, ChangeKind.PARAM_REMOVED}


@dataclass(frozen=True)
class PathRule:
    """`old` is now reachable as `new`; `module` is the importable module part of `new`."""

    old: str
    new: str
    module: str
    change: Change

    @property
    def tail(self) -> str:
        """What follows `module` in `new` (the name to from-import), "" for a module itself."""
        return self.new[len(self.module) + 1 :] if self.new != self.module else ""

    @property
    def import_from(self) -> tuple[str, str] | None:
        """(module, name) for `from module import name` of the new path, None when it cannot be from-imported."""
        if self.tail and "." not in self.tail:
            return self.module, self.tail
        if not self.tail and "." in self.new:
            parent, _, name = self.new.rpartition(".")
            return parent, name
        return None


@dataclass(frozen=True)
class ArgRule:
    """Rename (`new_name`) or drop (`new_name` None) the argument `parameter` of calls to `api`.

    `position` is the parameter's index among positional parameters of the old signature
    (None when it is keyword-only or the signature is unknown).
    """

    api: str
    parameter: str
    new_name: str | None
    position: int | None
    change: Change


@dataclass
class Rules:
    """Rules by old path / by API."""

    paths: dict[str, PathRule] = field(default_factory=dict)
    args: dict[str, list[ArgRule]] = field(default_factory=dict)

    def module_rule(self, module: str) -> tuple[PathRule, str] | None:
        """The rule renaming `module` or one of its parents, with the rest of the path."""
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            rule = self.paths.get(".".join(parts[:i]))
            if rule is not None and rule.tail == "":
                return rule, ".".join(parts[i:])
        return None


def build_rules(changes: Iterable[Change], top_level: Sequence[str], new: ApiSurface | None = None) -> Rules:
    """Rules for the mechanical changes among `changes`; `new` (the new surface) confirms replacements."""
    rules = Rules()
    for change in changes:
        target = _path_target(change, top_level, new)
        if target is not None:
            module = module_of(target, new, is_module=_is_module(change, target, new))
            rules.paths[change.api] = PathRule(change.api, target, module, change)
            continue
        arg = _arg_rule(change)
        if arg is not None:
            rules.args.setdefault(arg.api, []).append(arg)
    return rules


def _path_target(change: Change, top_level: Sequence[str], new: ApiSurface | None) -> str | None:
    target = None
    if change.kind in (ChangeKind.RENAMED, ChangeKind.MOVED) and change.replacement:
        target = change.replacement
    elif change.kind == ChangeKind.DEPRECATED and change.replacement and change.parameter is None:
        target = resolve_replacement(change.api, change.replacement, top_level, new)
    if target is None or joins_another_class(change.api, target, new):
        return None
    return target


def joins_another_class(old: str, target: str, new: ApiSurface | None) -> bool:
    """Whether `target` is a member of a class other than `old`'s own (or its namesake after a move).

    `parse_obj_as` -> `TypeAdapter.validate_python` or `FieldInfo.extra` -> `ConfigDict.extra` change the
    call shape (an instance is needed, the receiver differs): not a path rewrite.
    """
    if new is None:
        return False
    parent = target.rpartition(".")[0]
    found = new.resolve(parent) if parent else None
    if found is None or found.status != Status.FOUND or found.obj is None or found.obj.kind != Kind.CLASS:
        return False
    return old.rpartition(".")[0].rpartition(".")[2] != parent.rpartition(".")[2]


def resolve_replacement(api: str, replacement: str, top_level: Sequence[str], new: ApiSurface | None) -> str | None:
    """The full path a deprecation message's replacement names, when the new surface has it."""
    container = api.rpartition(".")[0]
    candidates = [replacement] if replacement.split(".")[0] in top_level else []
    top, rest = api.split(".")[0], replacement.partition(".")[2]
    candidates += [f"{container}.{replacement}", f"{top}.{replacement}"]
    candidates += [f"{top}.{rest}"] if rest and new is not None else []  # `np.isin`: the package under its alias
    for candidate in candidates:
        if candidate == api:
            continue
        if new is None:
            if candidate.split(".")[0] in top_level and candidate == replacement:
                return candidate
        elif new.resolve(candidate).status == Status.FOUND:
            return candidate
    return None


def _is_module(change: Change, target: str, new: ApiSurface | None) -> bool:
    if new is not None:
        found = new.resolve(target)
        return found.status == Status.FOUND and found.obj is not None and found.obj.kind == Kind.MODULE
    return change.old_signature is None and change.kind == ChangeKind.MOVED and "." not in target


def module_of(path: str, new: ApiSurface | None, *, is_module: bool = False) -> str:
    """The longest prefix of `path` that is a module of `new` (without a surface: all but the last name)."""
    if is_module:
        return path
    if new is not None:
        parts = path.split(".")
        for i in range(len(parts) - 1, 0, -1):
            found = new.resolve(".".join(parts[:i]))
            if found.status == Status.FOUND and found.obj is not None and found.obj.kind == Kind.MODULE:
                return ".".join(parts[:i])
    return path.rpartition(".")[0] or path


def _arg_rule(change: Change) -> ArgRule | None:
    if change.parameter is None or change.old_signature is None:
        return None
    positions, defaults = parse_signature(change.old_signature)
    position = positions.get(change.parameter)
    if change.kind == ChangeKind.PARAM_RENAMED and change.replacement:
        return ArgRule(change.api, change.parameter, change.replacement, position, change)
    optional = change.parameter in defaults
    if change.kind == ChangeKind.PARAM_REMOVED and change.severity == Severity.BREAKING and optional:
        return ArgRule(change.api, change.parameter, None, position, change)
    return None


def parse_signature(signature: str) -> tuple[dict[str, int], set[str]]:
    """(positional index by name, names with a default) of a rendered signature `(a, b=1, *, c) -> R`."""
    text = signature[: signature.rindex(") -> ") + 1] if ") -> " in signature else signature
    try:
        function = ast.parse(f"def f{text}: pass").body[0]
    except SyntaxError:
        return {}, set()
    if not isinstance(function, ast.FunctionDef):
        return {}, set()
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    with_default = set(positional[len(positional) - len(args.defaults) :])
    with_default |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
    return {name: i for i, name in enumerate(positional)}, with_default
