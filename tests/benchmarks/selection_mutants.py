"""Selection benchmark pools: the real fix plus automatic mutants, under ids that say nothing about which is which."""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from pathlib import Path

from reviewers.base import Candidate
from reviewers.diffs import Hunk, make_diff, parse_diff, render_diff
from reviewers.equivalence import signature
from tests.benchmarks.selection_units import Unit, git, is_source, show

__all__ = ["WITHOUT_FIX", "fix_diff", "pool_of"]

WITHOUT_FIX = ["drop_hunk", "operator", "leaves_bug"]
FLIPS = [("==", "!="), ("!=", "=="), ("<=", ">"), (">=", "<"), (" < ", " >= "), (" > ", " <= "), (" not in ", " in ")]


def fix_diff(unit: Unit, extra: dict[str, tuple[str | None, str]] | None = None) -> str:
    files = {p: (b, a) for p, (b, a) in unit.sources.items()} | (extra or {})
    return "".join(make_diff(p, b, a) for p, (b, a) in sorted(files.items()))


def drop_hunk(unit: Unit) -> str | None:
    """The fix without its biggest hunk whose absence changes the code (a comment-only hunk is not a mutation)."""
    fix = fix_diff(unit)
    originals: dict[str, str | None] = {p: b for p, (b, _) in unit.sources.items()}
    count = sum(len(f.hunks) for f in parse_diff(fix))
    if count < 2:
        return None
    sizes = [(len(h.added) + len(h.removed), n) for n, h in enumerate(h for f in parse_diff(fix) for h in f.hunks)]
    for _, index in sorted(sizes, key=lambda item: (-item[0], item[1])):
        files = parse_diff(fix)
        owner, hunk = [(f, h) for f in files for h in f.hunks][index]
        owner.hunks.remove(hunk)
        diff = render_diff(files)
        if signature(originals, diff) != signature(originals, fix):
            return diff
    return None


def _valid(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def operator_mutant(unit: Unit) -> str | None:
    """Comparison flipped, else off-by-one, else condition removed, on an added line of the fix; in code only
    (a change inside a string, docstring or comment is not a mutation of the fix's logic)."""
    for path, (before, after) in unit.sources.items():
        added = {line for h in parse_diff(make_diff(path, before, after))[0].hunks for line in h.added}
        lines = after.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.rstrip("\n") not in added or line.strip().startswith("#"):
                continue
            for new in _mutations(line):
                text = "".join(lines[:i] + [new] + lines[i + 1 :])
                if _valid(text) and text != after and _literals(text) == _literals(after):
                    return fix_diff(unit, {path: (before, text)})
    return None


def _literals(text: str) -> list[str]:
    """The string literals, docstrings and comments of a text: a code mutation leaves them all as they were."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    try:
        return [tok.string for tok in tokens if tok.type in (tokenize.STRING, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError):
        return []


def _mutations(line: str) -> list[str]:
    out = [line.replace(a, b, 1) for a, b in FLIPS if a in line]
    out += (
        [re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 1), line, count=1)] if re.search(r"\b\d+\b", line) else []
    )
    cond = re.match(r"^(\s*)(if|elif|while) (.+):\s*$", line)
    out += [f"{cond.group(1)}{cond.group(2)} True:\n"] if cond else []
    return out


def unrelated_edit(unit: Unit, repo: Path) -> str | None:
    others = [p for p in git(repo, "ls-tree", "-r", "--name-only", unit.parent).splitlines() if is_source(p)]
    others = sorted(p for p in others if p not in unit.sources and not p.endswith("__init__.py"))
    if not others:
        return None
    path = others[int(unit.sha[:6], 16) % len(others)]
    text = show(repo, unit.parent, path) or ""
    return fix_diff(unit, {path: (text, text + "\n\ndef _spare_helper(value):\n    return value\n")})


def reformat_mutant(unit: Unit) -> str | None:
    """The fix plus spacing changes inside the brackets of an untouched line far from the hunks."""
    path, (before, after) = next(iter(unit.sources.items()))
    touched = {line for h in parse_diff(make_diff(path, before, after))[0].hunks for line in h.added + h.removed}
    lines = after.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line in touched or "(" not in line or '"' in line or "'" in line or line.strip().startswith("#"):
            continue
        text = "".join(lines[:i] + [line.replace("(", "( ", 1)] + lines[i + 1 :])
        if _valid(text) and abs(i - _first_change(before, after)) > 8:
            return fix_diff(unit, {path: (before, text)})
    return None


def _first_change(before: str, after: str) -> int:
    for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False)):
        if a != b:
            return i
    return 0


def leaves_bug(unit: Unit) -> str | None:
    """An edit of the right function that leaves the bug: a redundant statement before the first statement at or
    after a changed line, inside a function the fix changes (a statement, so never inside a string literal)."""
    for path, (before, after) in unit.sources.items():
        lines = before.splitlines(keepends=True)
        changed = [_changed_old_line(h) for h in parse_diff(make_diff(path, before, after))[0].hunks]
        for i in _statement_lines(before, changed):
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            text = "".join(lines[:i] + [f"{indent}_unused = None\n"] + lines[i:])
            if _valid(text):
                return make_diff(path, before, text)
    return None


def _changed_old_line(hunk: Hunk) -> int:
    """The 1-based old line of the hunk's first removed or added line."""
    line = hunk.old_start
    for row in hunk.lines:
        if row[:1] in "+-":
            return line
        line += 1
    return line


def _statement_lines(text: str, changed: list[int]) -> list[int]:
    """0-based first lines of the statements at or after a changed line, in the functions around changed lines."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    found: set[int] = set()
    for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        end = func.end_lineno or func.lineno
        hits = [line for line in changed if func.lineno <= line <= end]
        for stmt in (n for n in ast.walk(func) if isinstance(n, ast.stmt) and n is not func) if hits else ():
            if stmt.lineno >= min(hits) and not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(stmt.lineno - 1)
    return sorted(found)


def pool_of(unit: Unit, repo: Path, voters: str, voter_ids: tuple[str, ...]) -> dict[str, Candidate]:
    """Kind -> candidate; ids are hashed so pool order says nothing about which is the fix."""
    diffs = {
        "fix": fix_diff(unit),
        "drop_hunk": drop_hunk(unit),
        "operator": operator_mutant(unit),
        "unrelated": unrelated_edit(unit, repo),
        "reformat": reformat_mutant(unit),
        "leaves_bug": leaves_bug(unit),
    }
    pool = {}
    for kind, diff in diffs.items():
        if diff:
            cid = "c" + hashlib.sha256((unit.sha + kind).encode()).hexdigest()[:6]
            pool[kind] = Candidate(cid, diff, voters, unit.test_path, voter_ids)
    return pool
