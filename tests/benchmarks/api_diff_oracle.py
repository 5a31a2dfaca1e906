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


Shape = tuple[list[None], dict[str, None]]
EXTRA_KEYWORD = "organic_pr_extra_keyword"


def call_shapes(signature: str, changed: str | None, kind: str) -> list[Shape]:
    """Calls a user of the OLD signature could write that exercise the change (witness shapes).

    A parameter made or added required: the call without it. Any other change to parameter `changed`:
    the call passing it by keyword, and positionally when it is positional; a removed `*args`: two extra
    positional arguments; a removed `**kwargs`: an extra keyword. Required arguments are always passed.
    """
    text = signature[: signature.rindex(") -> ") + 1] if ") -> " in signature else signature
    node = ast.parse("def f" + text + ": pass").body[0]
    assert isinstance(node, ast.FunctionDef)
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    required = len(positional) - len(args.defaults)
    kw_required = {a.arg: None for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None}
    base: Shape = ([None] * required, dict(kw_required))
    if kind in ("parameter-made-required", "parameter-added-required") or changed is None:
        return [base]
    shapes: list[Shape] = []
    if changed in positional:
        index = positional.index(changed)
        shapes.append(([None] * max(required, index + 1), dict(kw_required)))
        if changed not in [a.arg for a in args.posonlyargs]:
            later = {n: None for n in positional[index:required]}
            shapes.append(([None] * min(index, required), {**kw_required, **later, changed: None}))
    elif changed in [a.arg for a in args.kwonlyargs]:
        shapes.append(([None] * required, {**kw_required, changed: None}))
    elif args.vararg is not None and changed == args.vararg.arg:
        shapes.append(([None] * (len(positional) + 2), dict(kw_required)))
    elif args.kwarg is not None and changed == args.kwarg.arg:
        shapes.append(([None] * required, {**kw_required, EXTRA_KEYWORD: None}))
    return shapes or [base]


def binds(item: dict[str, Any], parent: Any, obj: Any) -> list[bool] | None:
    """For each witness shape, whether it binds to `obj`; None when `obj` has no introspectable signature."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    self_slot: list[None] = []
    if inspect.isclass(parent) and inspect.isfunction(inspect.getattr_static(parent, item["api"].rpartition(".")[2])):
        self_slot = [None]  # a plain function looked up on the class: `self` is explicit
    results = []
    for pos, kwargs in call_shapes(item["signature"], item.get("param"), item["kind"]):
        try:
            sig.bind(*self_slot, *pos, **kwargs)
            results.append(True)
        except TypeError:
            results.append(False)
    return results


def precondition(item: dict[str, Any]) -> tuple[str | None, list[bool]]:
    """(None, shapes binding on the old version) when the check can be decided by execution; else (why, [])."""
    try:
        parent, obj = lookup(item["api"])
    except OptionalDependencyMissing as exc:
        return str(exc), []
    except Exception as exc:  # any failure means the old path does not resolve at run time
        return f"old path does not resolve ({type(exc).__name__})", []
    if item["mode"] != "bind":
        return None, []
    bound = binds(item, parent, obj)
    if bound is None:
        return "no introspectable signature in the old version", []
    if not any(bound):
        return "no witness call shape binds in the old version", []
    return None, bound


def verdict(item: dict[str, Any]) -> tuple[str, str]:
    """(confirmed|refuted|unverifiable|unobservable, detail) on the new version.

    A signature break is confirmed when some witness shape that bound on the old version fails here.
    """
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
    valid_before = item.get("valid_shapes") or [True] * len(bound)
    if any(old and not new for old, new in zip(valid_before, bound, strict=True)):
        return "confirmed", "a call valid on the old version no longer binds"
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
                why, shapes = precondition(item)
                results.append({"ok": why is None, "why": why or "", "valid_shapes": shapes})
            else:
                status, detail = verdict(item)
                results.append({"status": status, "why": detail})
        except Exception as exc:  # an oracle crash on one item is counted, not fatal
            results.append({"ok": False, "status": "crash", "why": f"oracle crash: {type(exc).__name__}: {exc}"})
    with open(out_path, "w") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
