"""Unified diffs as data: parse, apply to texts, split into hunks and rebuild (a pure core, no I/O)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from reviewers.errors import PatchError

__all__ = ["FileDiff", "Hunk", "apply_diff", "make_diff", "parse_diff", "render_diff"]

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


@dataclass
class Hunk:
    """One hunk: where it starts in the old text and its lines, each prefixed by ' ', '-' or '+'."""

    old_start: int
    lines: list[str] = field(default_factory=list)

    @property
    def old_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[:1] in (" ", "-")]

    @property
    def new_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[:1] in (" ", "+")]

    @property
    def added(self) -> list[str]:
        return [line[1:] for line in self.lines if line.startswith("+")]

    @property
    def removed(self) -> list[str]:
        return [line[1:] for line in self.lines if line.startswith("-")]


@dataclass
class FileDiff:
    """The change to one file; `old_path` or `new_path` is None when the file is created or deleted."""

    old_path: str | None
    new_path: str | None
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    def changed_lines(self) -> int:
        return sum(len(h.added) + len(h.removed) for h in self.hunks)


def _strip(path: str) -> str | None:
    path = path.split("\t")[0].strip()
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def parse_diff(diff: str) -> list[FileDiff]:
    """The files of a unified diff (git's or plain), in order; PatchError on a malformed hunk."""
    files: list[FileDiff] = []
    lines = diff.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            files.append(FileDiff(_strip(line[4:]), _strip(lines[i + 1][4:])))
            i += 2
            continue
        match = HUNK_HEADER.match(line)
        if match and files:
            i = _read_hunk(lines, i, match, files[-1])
            continue
        i += 1
    return files


def _read_hunk(lines: list[str], start: int, match: re.Match[str], target: FileDiff) -> int:
    old_len = int(match.group(2) or "1")
    new_len = int(match.group(4) or "1")
    hunk = Hunk(int(match.group(1)))
    i = start + 1
    while (old_len > 0 or new_len > 0) and i < len(lines):
        line = lines[i] or " "
        tag = line[0]
        if tag == "\\":
            i += 1
            continue
        if tag not in " -+":
            raise PatchError(f"malformed hunk line {i + 1} in {target.path}: {line[:40]!r}")
        hunk.lines.append(line)
        old_len -= tag in " -"
        new_len -= tag in " +"
        i += 1
    if old_len > 0 or new_len > 0:
        raise PatchError(f"truncated hunk in {target.path}")
    target.hunks.append(hunk)
    return i


def _apply_file(text: str | None, change: FileDiff) -> str | None:
    if change.new_path is None:
        return None
    old = (text or "").splitlines()
    out: list[str] = []
    cursor = 0
    for hunk in change.hunks:
        start = max(hunk.old_start - 1, 0) if hunk.old_lines else hunk.old_start
        if old[start : start + len(hunk.old_lines)] != hunk.old_lines:
            raise PatchError(f"hunk at line {hunk.old_start} of {change.path} does not match the original")
        out += old[cursor:start] + hunk.new_lines
        cursor = start + len(hunk.old_lines)
    out += old[cursor:]
    return "\n".join(out) + "\n" if out else ""


def apply_diff(originals: Mapping[str, str | None], diff: str) -> dict[str, str | None]:
    """Post-images of every file `diff` touches (None for deleted files); hunks must match exactly."""
    result: dict[str, str | None] = {}
    for change in parse_diff(diff):
        source = change.old_path
        text = originals.get(source) if source else None
        if source and text is None and source not in result:
            raise PatchError(f"{source} is not among the original files")
        if change.old_path and change.old_path != change.new_path:
            result[change.old_path] = None
        result[change.path] = _apply_file(result.get(source, text) if source else None, change)
    return result


def make_diff(path: str, before: str | None, after: str | None, context: int = 3) -> str:
    """A git-style unified diff of one file from its two texts."""
    old = (before or "").splitlines(keepends=True)
    new = (after or "").splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old,
            new,
            "/dev/null" if before is None else f"a/{path}",
            "/dev/null" if after is None else f"b/{path}",
            n=context,
        )
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def render_diff(files: list[FileDiff]) -> str:
    """A unified diff from parsed files (hunk counts recomputed), the inverse of parse_diff."""
    out: list[str] = []
    for change in files:
        if not change.hunks:
            continue
        out.append(f"--- {'a/' + change.old_path if change.old_path else '/dev/null'}")
        out.append(f"+++ {'b/' + change.new_path if change.new_path else '/dev/null'}")
        shift = 0
        for hunk in change.hunks:
            old_n, new_n = len(hunk.old_lines), len(hunk.new_lines)
            new_start = hunk.old_start + shift if old_n else hunk.old_start + shift + (1 if new_n else 0)
            shift += new_n - old_n
            out.append(f"@@ -{hunk.old_start},{old_n} +{new_start},{new_n} @@")
            out.extend(hunk.lines)
    return "\n".join(out) + "\n" if out else ""
