"""Execution oracle for bench_api_diff: runs INSIDE the sandbox, in a venv holding one version of the package.

Usage (in the venv): python api_diff_oracle.py old|new checks.json verdicts.json

Each check is {"api", "mode": "path"|"bind", "kind", "signature"?, "param"?}. Standard library only.
- `old` mode is the precondition: the path must resolve in the old version, and for `bind` checks the call
  shape derived from the old static signature must bind there. Checks failing it are unverifiable by
  execution (instance attributes invisible on the class, optional dependencies missing, a signature the
  static reading got wrong), and are counted apart rather than as confirmations.
- `new` mode is the verdict: a path break is confirmed when the old path no longer resolves; a signature
  break when the same call shape no longer binds with `inspect.signature(...).bind`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import warnings
from typing import Any


class OptionalDependencyMissing(Exception):
    """A module on the path exists but cannot be imported here (an optional dependency, a platform module)."""


def lookup(path: str) -> tuple[Any, Any]:
    """(parent, object) for a dotted path, importing the longest importable module prefix."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        try:
            obj = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and not name.startswith(exc.name) and exc.name.split(".")[0] != parts[0]:
                raise OptionalDependencyMissing(f"{name} needs {exc.name}") from exc
            continue
        parent = None
        for attr in parts[i:]:
            parent, obj = obj, getattr(obj, attr)
        return parent, obj
    raise ImportError(path)


def call_for(signature: str, changed: str | None) -> tuple[list[None], dict[str, None]]:
    """The call a user of the old signature would write: required arguments, plus `changed` when optional."""
    text = signature[: signature.rindex(") -> ") + 1] if ") -> " in signature else signature
    node = ast.parse("def f" + text + ": pass").body[0]
    assert isinstance(node, ast.FunctionDef)
    args = node.args
    positional = args.posonlyargs + args.args
    required = len(positional) - len(args.defaults)
    pos: list[None] = [None] * required
    kwargs = {a.arg: None for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None}
    names = [a.arg for a in positional]
    positional_only = [a.arg for a in args.posonlyargs]
    if changed in names and names.index(changed) < required and changed not in positional_only:
        pos = pos[: names.index(changed)]  # pass it and the rest by keyword, as a caller naming it would
        kwargs.update({n: None for n in names[names.index(changed) : required]})
    elif changed in names and names.index(changed) >= required:
        if changed in positional_only:
            pos = [None] * (names.index(changed) + 1)
        else:
            kwargs[changed] = None
    elif changed in [a.arg for a in args.kwonlyargs]:
        kwargs[changed] = None
    return pos, kwargs


def binds(item: dict[str, Any], parent: Any, obj: Any) -> bool | None:
    """Whether the old call shape binds to `obj`; None when `obj` has no introspectable signature."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    pos, kwargs = call_for(item["signature"], item.get("param"))
    if inspect.isclass(parent) and inspect.isfunction(inspect.getattr_static(parent, item["api"].rpartition(".")[2])):
        pos = [None, *pos]  # a plain function looked up on the class: `self` is explicit
    try:
        sig.bind(*pos, **kwargs)
    except TypeError:
        return False
    return True


def precondition(item: dict[str, Any]) -> str | None:
    """None when the check can be decided by execution; else why not (on the old version)."""
    try:
        parent, obj = lookup(item["api"])
    except OptionalDependencyMissing as exc:
        return str(exc)
    except Exception as exc:  # any failure means the old path does not resolve at run time
        return f"old path does not resolve ({type(exc).__name__})"
    if item["mode"] == "bind":
        bound = binds(item, parent, obj)
        if bound is None:
            return "no introspectable signature in the old version"
        if not bound:
            return "the old call shape does not bind in the old version"
    return None


def verdict(item: dict[str, Any]) -> tuple[str, str]:
    """(confirmed|refuted|unverifiable|unobservable, detail) on the new version."""
    try:
        parent, obj = lookup(item["api"])
    except OptionalDependencyMissing as exc:
        return "unverifiable", str(exc)
    except Exception as exc:  # the old path no longer resolves: that is the break
        return "confirmed", type(exc).__name__
    if item["mode"] == "path":
        return "refuted", "still resolves"
    bound = binds(item, parent, obj)
    if bound is None:
        return "unverifiable", "no introspectable signature"
    if not bound:
        return "confirmed", "no longer binds"
    if item["kind"] == "parameter-moved":
        return "unobservable", "a positional move still binds"
    return "refuted", f"binds {inspect.signature(obj)}"


def main() -> None:
    mode, checks_path, out_path = sys.argv[1:4]
    warnings.simplefilter("ignore")
    with open(checks_path) as handle:
        checks = json.load(handle)
    results: list[dict[str, Any]] = []
    for item in checks:
        try:
            if mode == "old":
                why = precondition(item)
                results.append({"ok": why is None, "why": why or ""})
            else:
                status, detail = verdict(item)
                results.append({"status": status, "why": detail})
        except Exception as exc:  # an oracle crash on one item is counted, not fatal
            results.append({"ok": False, "status": "crash", "why": f"oracle crash: {type(exc).__name__}: {exc}"})
    with open(out_path, "w") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
