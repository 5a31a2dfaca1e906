"""Call sites for the codemod benchmark: which breaks are mechanical, and a site valid on the old version (pure).

A site is a small module: an import of the old path and one statement using it. Path sites (renamed, moved,
deprecated with a replacement) access the old path for real. Call sites end in a call whose shape is valid
under the old signature; the harness (`HARNESS`, run inside the sandbox) turns that final call into
`inspect.signature(callee).bind(...)`, so binding is what is tested and nothing is executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from migrations.diff import SIGNATURE_KINDS, Change, ChangeKind, Severity
from migrations.rules import joins_another_class, module_of, parse_signature, resolve_replacement
from migrations.surface import ApiSurface, Kind, Status

PATH_KINDS = (ChangeKind.RENAMED, ChangeKind.MOVED)
ARG_KINDS = (ChangeKind.PARAM_RENAMED, ChangeKind.PARAM_REMOVED)
# Kinds that change how a call binds: with one of them on the same callee, a call site needs more than a keyword fix.
BINDING_KINDS = (*SIGNATURE_KINDS, ChangeKind.KIND_CHANGED)


@dataclass(frozen=True)
class Site:
    """One generated call site: `key` names it, `mode` is "path", "deprecated" or "bind"."""

    key: str
    change: Change
    mode: str
    source: str


def is_mechanical(change: Change, top_level: Sequence[str], new: ApiSurface) -> bool:
    """Whether issue 8 lists `change` among the kinds a codemod must fix (independent of the rules built)."""
    if change.kind in PATH_KINDS or change.kind == ChangeKind.PARAM_RENAMED:
        return change.severity == Severity.BREAKING and bool(change.replacement)
    if change.kind == ChangeKind.PARAM_REMOVED:
        if change.severity != Severity.BREAKING or change.old_signature is None or change.parameter is None:
            return False
        return change.parameter in parse_signature(change.old_signature)[1]
    if change.kind == ChangeKind.DEPRECATED and change.parameter is None and change.replacement:
        return resolve_replacement(change.api, change.replacement, top_level, new) is not None
    return False


def mechanical_breaks(changes: Iterable[Change], top_level: Sequence[str], new: ApiSurface) -> list[Change]:
    """The mechanical changes among `changes`, in diff order."""
    return [c for c in changes if is_mechanical(c, top_level, new)]


def entangling(change: Change, changes: Iterable[Change], top_level: Sequence[str], new: ApiSurface) -> Change | None:
    """The non-mechanical binding break on the same callee that makes argument break `change` not mechanical
    as a whole, or None.

    A call that must pass a removed required parameter (pydantic `AnyUrl(url, scheme=...)`) cannot be fixed by
    dropping or renaming a keyword: the callee belongs to the patch engine. Path breaks are never entangled
    (their site only reaches the path).
    """
    if change.kind not in ARG_KINDS:
        return None
    for other in changes:
        same = other.api == change.api and other is not change and other.severity == Severity.BREAKING
        if same and other.kind in BINDING_KINDS and not is_mechanical(other, top_level, new):
            return other
    return None


def crosses_classes(change: Change, top_level: Sequence[str], new: ApiSurface) -> bool:
    """A path change whose target is a member of another class: a kind the diff got wrong, not a rewrite."""
    target = change.replacement if change.kind in PATH_KINDS else None
    if change.kind == ChangeKind.DEPRECATED and change.replacement:
        target = resolve_replacement(change.api, change.replacement, top_level, new)
    return target is not None and joins_another_class(change.api, target, new)


def make_site(index: int, change: Change, old: ApiSurface, style: str = "from") -> Site | str:
    """A site using `change.api` the way the old version allows, or why none can be written.

    `style` "from" imports the object (`from m import C` + `C.x`); "module" imports its module (`import m` + `m.C.x`).
    """
    found = old.resolve(change.api)
    if found.status != Status.FOUND or found.obj is None:
        return f"the old surface cannot resolve {change.api} ({found.reason or found.status})"
    imports, expression = reference(change.api, old, style)
    key = f"s{index}"
    if change.kind in ARG_KINDS:
        call = call_arguments(change)
        if call is None:
            return f"no call shape for {change.parameter!r} in {change.old_signature}"
        if found.obj.kind == Kind.METHOD and found.obj.method_kind == "instance":
            call = ["None", *call]  # unbound method: the instance comes first
        if found.obj.kind not in (Kind.FUNCTION, Kind.METHOD, Kind.CLASS):
            return f"{change.api} is a {found.obj.kind}, not callable"
        return Site(key, change, "bind", f"{imports}\n{expression}({', '.join(call)})\n")
    mode = "deprecated" if change.kind == ChangeKind.DEPRECATED else "path"
    return Site(key, change, mode, f"{imports}\n{expression}\n")


def reference(api: str, old: ApiSurface, style: str = "from") -> tuple[str, str]:
    """(import statement, expression) reaching `api`: `from module import name` plus any attribute chain."""
    found = old.resolve(api)
    is_module = found.obj is not None and found.obj.kind == Kind.MODULE
    if is_module:
        return f"import {api}", api
    module = module_of(api, old)
    if style == "module":
        return f"import {module}", api
    rest = api[len(module) + 1 :]
    head, _, tail = rest.partition(".")
    return f"from {module} import {head}", f"{head}.{tail}" if tail else head


def call_arguments(change: Change) -> list[str] | None:
    """Arguments (source text) of a call valid under the old signature that passes `change.parameter`."""
    if change.old_signature is None or change.parameter is None:
        return None
    function = _parse(change.old_signature)
    if function is None:
        return None
    args = function.args
    posonly = [a.arg for a in args.posonlyargs]
    positional = posonly + [a.arg for a in args.args]
    required = len(positional) - len(args.defaults)
    keywords = [f"{a.arg}=None" for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    star = ["None"] if args.vararg is not None and required == len(positional) else []  # `validator("x")`
    name = change.parameter
    if name in positional:
        at = positional.index(name)
        if name in posonly:
            return ["None"] * max(required, at + 1) + star + keywords
        before = ["None"] * min(at, required)
        after = [f"{n}=None" for n in positional[at + 1 : required]]
        return [*before, f"{name}=None", *after, *keywords]
    if name in [a.arg for a in args.kwonlyargs]:
        extra = [] if f"{name}=None" in keywords else [f"{name}=None"]
        return ["None"] * required + star + keywords + extra
    return None


def _parse(signature: str) -> ast.FunctionDef | None:
    text = signature[: signature.rindex(") -> ") + 1] if ") -> " in signature else signature
    try:
        node = ast.parse(f"def f{text}: pass").body[0]
    except SyntaxError:
        return None
    return node if isinstance(node, ast.FunctionDef) else None


# Runs inside the sandbox with the version under test: argv = sites.json, results.json, top-level names.
HARNESS = r"""
import ast, importlib, inspect, json, signal, sys, warnings

DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)

def __bind__(callee, *args, **kwargs):
    inspect.signature(callee).bind(*args, **kwargs)

class SiteTimeout(Exception):
    pass

def on_alarm(signum, frame):
    raise SiteTimeout("the site ran for more than 20 s")

def compiled(site):
    tree = ast.parse(site["source"])
    last = tree.body[-1]
    if site["mode"] == "bind" and isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        call = last.value
        last.value = ast.Call(ast.Name("__bind__", ast.Load()), [call.func, *call.args], call.keywords)
        ast.fix_missing_locations(tree)
    return compile(tree, site["key"], "exec")

def run(site):
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        signal.setitimer(signal.ITIMER_REAL, 20)
        try:
            exec(compiled(site), {"__name__": "site_" + site["key"], "__bind__": __bind__})
        except BaseException as exc:
            error = (type(exc).__name__ + ": " + str(exc))[:300]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    warned = [w.category.__name__ + ": " + str(w.message)[:200] for w in caught if issubclass(w.category, DEPRECATIONS)]
    return {"key": site["key"], "error": error, "deprecations": warned[:3]}

signal.signal(signal.SIGALRM, on_alarm)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for top in sys.argv[3:]:
        try:
            importlib.import_module(top)
        except Exception:
            pass
sites = json.load(open(sys.argv[1]))
json.dump([run(site) for site in sites], open(sys.argv[2], "w"))
"""
