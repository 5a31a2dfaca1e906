"""The changelog excerpt between two versions (pure extraction) and where a release keeps its changelog.

    text = changelog_text(unpacked_release_dir)            # CHANGES/CHANGELOG/HISTORY/NEWS, or the wheel's METADATA
    excerpt(text, old="1.0", new="2.0")                    # the sections of versions in (1.0, 2.0]

Section headers are Markdown headings or reStructuredText titles (a line underlined with = - ~ ^ *) that name a
version, e.g. `## [2.0.0] - 2024-01-02`, `Version 2.0`, `v2.0.0 (2024-01-02)`.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import InvalidVersion, Version

from migrations.pypi import CHANGELOG_NAMES

__all__ = ["MAX_EXCERPT", "changelog_text", "excerpt", "find_changelog", "sections"]

MAX_EXCERPT = 6000
VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)+(?:[.-]?(?:a|b|rc|post|dev)\d*)?)(?![\w.])", re.IGNORECASE)
UNDERLINE = re.compile(r"^([=\-~^*+#])\1{2,}\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
MAX_DEPTH = 3


def _header_version(line: str, next_line: str) -> str | None:
    """The version a header line names, or None when the line is not a version header."""
    heading = HEADING.match(line)
    if heading:
        text = heading.group(2)
    elif UNDERLINE.match(next_line) and line.strip() and not UNDERLINE.match(line):
        text = line
    elif re.match(r"^(version|release)\s", line, re.IGNORECASE):
        text = line
    else:
        return None
    match = VERSION.search(text)
    return match.group(1) if match else None


def sections(text: str) -> list[tuple[str, str]]:
    """(version, section text) for every version header, in file order."""
    lines = text.splitlines()
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        version = _header_version(line, lines[i + 1] if i + 1 < len(lines) else "")
        if version is not None:
            starts.append((i, version))
    found = []
    for n, (start, version) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        found.append((version, "\n".join(lines[start:end]).strip()))
    return found


def excerpt(text: str, *, old: str, new: str, limit: int = MAX_EXCERPT) -> str:
    """The sections of the versions after `old` up to and including `new`, newest first, cut at `limit`."""
    try:
        low, high = Version(old), Version(new)
    except InvalidVersion:
        return ""
    chosen: list[tuple[Version, str]] = []
    for version, body in sections(text):
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        if low < parsed <= high:
            chosen.append((parsed, body))
    joined = "\n\n".join(body for _, body in sorted(chosen, key=lambda c: c[0], reverse=True))
    return joined if len(joined) <= limit else joined[:limit].rstrip() + "\n\n…(cut)"


def find_changelog(release_dir: Path) -> Path | None:
    """The shallowest changelog-named file in an unpacked release (docs/ and package folders included)."""
    found: list[tuple[int, str, Path]] = []
    for path in release_dir.rglob("*"):
        depth = len(path.relative_to(release_dir).parts)
        if depth <= MAX_DEPTH and path.is_file() and CHANGELOG_NAMES.match(path.name):
            found.append((depth, path.as_posix(), path))
    return min(found)[2] if found else None


def changelog_text(release_dir: Path) -> str:
    """The changelog file's text, else the long description in a wheel's METADATA (often the changelog)."""
    path = find_changelog(release_dir)
    if path is not None:
        return path.read_text(encoding="utf-8", errors="replace")
    for metadata in sorted(release_dir.glob("*.dist-info/METADATA")):
        _, _, description = metadata.read_text(encoding="utf-8", errors="replace").partition("\n\n")
        return description
    return ""
