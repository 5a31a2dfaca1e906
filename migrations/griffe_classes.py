"""Class hierarchies of griffe objects: memoised C3 MROs, member lookup, inherited members (adapter).

griffe's own `Class.mro()`/`all_members` recompute the MRO and build one alias per inherited member on
every access, which is quadratic on deep hierarchies (SQLAlchemy); here each is computed once per class.

Usage:
    classes = Classes()
    for name, member in classes.inherited(cls): ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CLASS_DEF = re.compile(r"^class\s+(\w+)", re.MULTILINE)
HARMLESS_BASES = {"object", "Generic", "Protocol", "ABC", "abc.ABC", "typing.Generic", "typing.Protocol"}


class Classes:
    """MROs, member lookup and external-base verdicts of griffe classes, each computed once per class path."""

    def __init__(self) -> None:
        self._mros: dict[str, list[Any]] = {}
        self._external: dict[str, bool] = {}
        self._class_names: dict[str, set[str] | None] = {}

    def stub_only(self, cls: Any) -> bool:
        """Whether `cls` is known only from a .pyi stub: its module's .py does not define it with `class`.

        Such a class is implemented in compiled code; the stub may omit or keep members the runtime has.
        """
        module = cls.parent
        if module is None or module.kind.value != "module":
            return False
        key = module.path
        if key not in self._class_names:
            self._class_names[key] = _py_class_names(module)
        names = self._class_names[key]
        return names is not None and cls.name not in names

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

    def factory(self, cls: Any) -> Any:
        """The `__new__` or `__init__` whose signature `inspect.signature(cls)` reports (the first class of the
        MRO defining either, `__new__` first), or None."""
        for klass in self.mro(cls):
            for name in ("__new__", "__init__"):
                if name in klass.members:
                    return klass.members[name]
        return None

    def inherited(self, cls: Any) -> Iterator[tuple[str, Any]]:
        """(name, member) of inherited members not overridden by `cls`, first definition in MRO order."""
        seen = set(cls.members) | set(overloads(cls))
        for base in self.mro(cls)[1:]:
            for name, member in [*base.members.items(), *overloads(base).items()]:
                if name not in seen:
                    seen.add(name)
                    yield name, member

    def external(self, cls: Any, depth: int = 0) -> bool:
        """Whether some base (transitively) is outside the loaded packages, so members are unknowable."""
        key = str(getattr(cls, "path", id(cls)))
        if key not in self._external:
            self._external[key] = _external_bases(cls, self, depth)
        return self._external[key]


def overloads(obj: Any) -> dict[str, list[Any]]:
    """Names defined only by `@overload` signatures (griffe keeps them apart from members until an
    implementation appears, which a .pyi stub never has)."""
    overloads = getattr(obj, "overloads", None)
    return {name: fns for name, fns in overloads.items() if fns} if isinstance(overloads, dict) else {}


def _py_class_names(module: Any) -> set[str] | None:
    """Top-level class names of the module's .py when a .pyi stub sits beside it; None otherwise."""
    filepath = getattr(module, "filepath", None)
    if not isinstance(filepath, Path) or filepath.suffix != ".py" or not filepath.with_suffix(".pyi").is_file():
        return None
    try:
        return set(CLASS_DEF.findall(filepath.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return None


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


def _external_bases(cls: Any, classes: Classes, depth: int) -> bool:
    bases = _resolved_bases(cls)
    if bases is None or depth > 20:
        return True  # a "base" that is not a class, or an implausibly deep hierarchy: assume anything
    names = [str(b) for b in cls.bases]
    unresolved = [n for n in names if n.split("[")[0] not in HARMLESS_BASES]
    return len(unresolved) > len(bases) or any(classes.external(b, depth + 1) for b in bases)
