"""Selection benchmark units: recent commits that change a few source lines and add tests (git reads only)."""

from __future__ import annotations

import ast
import re
import subprocess
import tarfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

__all__ = [
    "Unit",
    "checkout",
    "find_units",
    "git",
    "is_source",
    "is_test",
    "show",
    "test_names",
    "unchanged_tests",
    "without",
]


VERSION_LINE = re.compile(r"^\s*(__version__|version|VERSION)\s*[:=]")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def is_test(path: str) -> bool:
    return path.endswith(".py") and (path.startswith("tests/") or "/test_" in path or path.startswith("test_"))


def is_source(path: str) -> bool:
    return path.endswith(".py") and not is_test(path) and not path.startswith(("docs/", "examples/", "scripts/"))


def test_names(text: str | None) -> dict[str, tuple[int, int]]:
    """Node-id suffix ("test_x" or "TestA::test_x") -> (first line, last line) of each test function."""
    try:
        tree = ast.parse(text or "")
    except SyntaxError:
        return {}
    found: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        funcs = [(node, "")] if not isinstance(node, ast.ClassDef) else [(n, node.name + "::") for n in node.body]
        for func, prefix in funcs:
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name.startswith("test"):
                start = min([func.lineno, *(d.lineno for d in func.decorator_list)])
                found[prefix + func.name] = (start, func.end_lineno or func.lineno)
    return found


@dataclass
class Unit:
    sha: str
    parent: str
    message: str
    sources: dict[str, tuple[str, str]]  # path -> (before, after)
    test_path: str
    test_after: str
    added: list[str]


def find_units(repo: Path, limit: int, scan: int = 600) -> list[Unit]:
    """Recent commits that change 1-2 source files (<= 40 lines) and add test functions to one test file."""
    units: list[Unit] = []
    for line in git(repo, "log", "--no-merges", "--first-parent", f"-n{scan}", "--format=%H %P").splitlines():
        sha, *parents = line.split()
        if len(parents) != 1 or len(units) >= limit:
            continue
        unit = _unit(repo, sha, parents[0])
        if unit is not None:
            units.append(unit)
    return units


def _unit(repo: Path, sha: str, parent: str) -> Unit | None:
    stat = [row.split("\t") for row in git(repo, "diff", "--numstat", parent, sha).splitlines()]
    if any(a == "-" for a, _, _ in stat):
        return None
    sources = [p for _, _, p in stat if is_source(p) and not _version_bump(repo, parent, sha, p)]
    tests = [p for _, _, p in stat if is_test(p)]
    changed = sum(int(a) + int(d) for a, d, p in stat if p in sources)
    if not 1 <= len(sources) <= 2 or len(tests) != 1 or changed > 40:
        return None
    before = {p: show(repo, parent, p) for p in [*sources, *tests]}
    if any(before[p] is None for p in sources):
        return None
    test_after = show(repo, sha, tests[0]) or ""
    added = [n for n in test_names(test_after) if n not in test_names(before[tests[0]])]
    if not added:
        return None
    message = git(repo, "log", "-1", "--format=%B", sha).strip()
    return Unit(
        sha,
        parent,
        message,
        {p: (before[p] or "", show(repo, sha, p) or "") for p in sources},
        tests[0],
        test_after,
        added,
    )


def _version_bump(repo: Path, parent: str, sha: str, path: str) -> bool:
    """A file whose only change is its version string (a release commit's bookkeeping, not part of the fix)."""
    diff = git(repo, "diff", "-U0", parent, sha, "--", path).splitlines()
    changed = [line[1:] for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return bool(changed) and all(VERSION_LINE.match(line) for line in changed)


def show(repo: Path, rev: str, path: str) -> str | None:
    done = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def without(text: str, names: list[str]) -> str:
    """The test file with the named test functions removed (the oracle stays hidden)."""
    spans = test_names(text)
    drop = {i for n in names for i in range(spans[n][0], spans[n][1] + 1)}
    return "".join(line for i, line in enumerate(text.splitlines(keepends=True), 1) if i not in drop)


def checkout(repo: Path, rev: str, target: Path) -> Path:
    data = subprocess.run(["git", "-C", str(repo), "archive", rev], capture_output=True, check=True).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target


def unchanged_tests(path: str, before: str, after: str | None) -> list[str]:
    """Selectors for the tests of `path` that the unit's commit leaves as they were: the existing suite any right
    fix must keep green (tests the maintainers rewrote for the new behaviour are not held against it)."""
    if after == before:
        return [path]
    old, new = test_names(before), test_names(after)
    old_lines, new_lines = before.splitlines(), (after or "").splitlines()
    kept = [
        name
        for name, (start, end) in old.items()
        if name in new and old_lines[start - 1 : end] == new_lines[new[name][0] - 1 : new[name][1]]
    ]
    return [f"{path}::{name}" for name in kept]
