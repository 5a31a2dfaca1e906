"""Runs INSIDE the sandbox with the environment's Python: prints the public API of the modules in argv as JSON.

Standard library only; it must run on every Python the sandbox may use (3.7+: annotations are postponed).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from typing import Any


def signature(obj: Any) -> str | None:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return None


def public_names(module: Any) -> tuple[list[str], bool]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return [str(name) for name in names], True
    return [name for name in dir(module) if not name.startswith("_")], False


def describe_class(cls: type) -> list[dict[str, Any]]:
    methods = []
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") and name != "__init__":
            continue
        target = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        if callable(target):
            methods.append({"name": name, "signature": signature(target)})
    return methods


def describe(module_name: str) -> dict[str, Any]:
    module = importlib.import_module(module_name)
    names, declared = public_names(module)
    members = []
    for name in names:
        obj = getattr(module, name, None)
        home = getattr(obj, "__module__", module_name)
        if not declared and home != module_name:
            continue  # imported from elsewhere: not this module's API
        if inspect.isclass(obj):
            members.append({"name": name, "kind": "class", "signature": signature(obj), "methods": describe_class(obj)})
        elif callable(obj):
            members.append({"name": name, "kind": "function", "signature": signature(obj)})
    return {"ok": True, "version": getattr(module, "__version__", None), "members": members}


def main() -> None:
    report: dict[str, Any] = {}
    for module_name in sys.argv[1:]:
        try:
            report[module_name] = describe(module_name)
        except Exception as exc:  # report any import failure per module instead of failing them all
            report[module_name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(report))


if __name__ == "__main__":
    main()
