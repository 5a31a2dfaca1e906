"""Size discipline facts: reformatted lines, files unrelated to the rest of a change, no executable change (pure)."""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from collections.abc import Mapping
from pathlib import PurePosixPath

from reviewers.diffs import FileDiff, Hunk, apply_diff, render_diff
from reviewers.equivalence import normalize_source
from reviewers.errors import PatchError
from reviewers.organic_code import added_line_numbers

__all__ = ["code_changed", "linked_groups", "noise_hunks", "reformatted_lines", "unrelated_files"]

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
BUILTINS = frozenset(dir(builtins))
COCHANGE_LINK = 0.2  # P(b changes | a changes) from which two files count as changing together


def reformatted_lines(hunk: Hunk) -> int:
    """Added lines that equal a removed line of the same hunk except for spacing inside or after the line.

    Pure re-indentation (a block moved under a new `with`) is not counted: only the leading spacing changed.
    """
    removed = {_squeeze(line): line.lstrip() for line in hunk.removed if line.strip()}
    return sum(1 for line in hunk.added if line.strip() and removed.get(_squeeze(line), line.lstrip()) != line.lstrip())


def _squeeze(line: str) -> str:
    return "".join(line.split())


def _code_lines(lines: list[str]) -> list[str]:
    """The lines without comments and blanks."""
    out = []
    for line in lines:
        code = _without_comment(line)
        if code.strip():
            out.append(code.strip())
    return out


def _without_comment(line: str) -> str:
    """The line without its comment: a whole-line comment is dropped whatever it says (quotes included); a trailing
    one when the line tokenizes on its own (else the line is kept as it is, a '#' may be inside a string)."""
    if line.lstrip().startswith("#") or "#" not in line:
        return "" if line.lstrip().startswith("#") else line
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return line
    comment = next((tok for tok in tokens if tok.type == tokenize.COMMENT), None)
    return line.strip()[: comment.start[1]].rstrip() if comment else line


def noise_hunks(change: FileDiff, originals: Mapping[str, str | None]) -> int:
    """Reformatting noise in one file's diff: whole hunks that only re-lay-out existing code, plus reformatted
    lines inside the other hunks. Hunks that only add or edit comments are not noise."""
    cosmetic = _cosmetic(change, originals)
    return sum(1 if index in cosmetic else reformatted_lines(hunk) for index, hunk in enumerate(change.hunks))


def _cosmetic(change: FileDiff, originals: Mapping[str, str | None]) -> set[int]:
    """Indexes of hunks that remove code and whose removal leaves the file's normalized code unchanged."""
    if len(change.hunks) < 2 or change.old_path is None or change.new_path is None:
        return set()
    original = {change.old_path: originals.get(change.old_path)}
    try:
        full = normalize_source(apply_diff(original, _render(change, change.hunks))[change.path], change.path)
        found = set()
        for index, hunk in enumerate(change.hunks):
            if _code_lines(hunk.removed) == _code_lines(hunk.added):
                continue  # only comments were added or edited: documentation, not reformatting
            rest = change.hunks[:index] + change.hunks[index + 1 :]
            if normalize_source(apply_diff(original, _render(change, rest))[change.path], change.path) == full:
                found.add(index)
    except PatchError:
        return set()
    return found


def _render(change: FileDiff, hunks: list[Hunk]) -> str:
    return render_diff([FileDiff(change.old_path, change.new_path, list(hunks))])


def code_changed(before: str | None, after: str | None, path: str) -> bool:
    """Whether the executable code differs: comments, layout and docstrings are ignored (Python files only)."""
    if not path.endswith(".py") or before is None or after is None:
        return before != after
    return _without_docstrings(before) != _without_docstrings(after)


def _without_docstrings(text: str) -> str:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                body[:1] = [] if len(body) > 1 else [ast.Pass()]
    return ast.unparse(tree)


def linked_groups(
    changes: list[FileDiff],
    after: Mapping[str, str | None],
    originals: Mapping[str, str | None],
    cochange: Mapping[str, Mapping[str, float]] | None = None,
) -> list[set[str]]:
    """Touched Python files grouped by links, largest group first (ties: the group of the earliest file).

    Two files are linked when the added lines of one name something the other's change touches: a function or
    class whose lines changed, a name it newly defines, or its module; or both add an identifier new to one; or
    memory says they change together (P >= COCHANGE_LINK either way).
    """
    paths = [c.path for c in changes if c.path.endswith(".py")]
    touched = {c.path: _touched_names(c, after.get(c.path), originals.get(c.old_path or "")) for c in changes}
    mentions = {c.path: _mentions(c) for c in changes}
    fresh = {c.path: _fresh(mentions[c.path], originals.get(c.old_path or "")) for c in changes}
    groups: list[set[str]] = []
    for path in paths:
        linked = [
            g
            for g in groups
            if any(_linked(path, o, touched, mentions, fresh) or _cochanges(path, o, cochange or {}) for o in g)
        ]
        merged = {path}.union(*linked)
        groups = [g for g in groups if g not in linked] + [merged]
    return sorted(groups, key=lambda g: (-len(g), min(paths.index(p) for p in g)))


def unrelated_files(
    changes: list[FileDiff],
    after: Mapping[str, str | None],
    originals: Mapping[str, str | None],
    cochange: Mapping[str, Mapping[str, float]] | None = None,
) -> list[str]:
    """Touched Python files outside the largest group of linked files (see linked_groups)."""
    groups = linked_groups(changes, after, originals, cochange)
    return sorted(path for group in groups[1:] for path in group)


def _linked(
    a: str, b: str, touched: Mapping[str, set[str]], mentions: Mapping[str, set[str]], fresh: Mapping[str, set[str]]
) -> bool:
    """One file's added lines name what the other's change touches, or both add a name new to one of them."""
    return bool(mentions[a] & (touched[b] | fresh[b])) or bool(mentions[b] & (touched[a] | fresh[a]))


def _cochanges(a: str, b: str, cochange: Mapping[str, Mapping[str, float]]) -> bool:
    return max(cochange.get(a, {}).get(b, 0.0), cochange.get(b, {}).get(a, 0.0)) >= COCHANGE_LINK


def _fresh(mentions: set[str], before: str | None) -> set[str]:
    """Identifiers the added lines introduce to the file (keywords and builtins aside)."""
    existing = set(IDENTIFIER.findall(before or ""))
    return {word for word in mentions - existing if not keyword.iskeyword(word) and word not in BUILTINS}


def _mentions(change: FileDiff) -> set[str]:
    return {word for hunk in change.hunks for line in hunk.added for word in IDENTIFIER.findall(line)}


def _touched_names(change: FileDiff, after: str | None, before: str | None) -> set[str]:
    """Names of the functions and classes around added lines, the new top-level names, and the module's name."""
    stem = PurePosixPath(change.path).stem
    names = {stem} if stem != "__init__" else {PurePosixPath(change.path).parent.name}
    tree = _parse(after)
    if tree is None:
        return names
    lines = added_line_numbers(change)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            end = node.end_lineno or node.lineno
            if any(node.lineno <= line <= end for line in lines):
                names.add(node.name)
    old = _parse(before)
    old_top = {n for n in _top_names(old)} if old is not None else set()
    return names | (_top_names(tree) - old_top)


def _top_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _parse(text: str | None) -> ast.Module | None:
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError):
        return None
