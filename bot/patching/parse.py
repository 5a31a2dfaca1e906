"""A pure, strict parser of model output into edits: SEARCH/REPLACE blocks, file directives, unified diffs.

Only these shapes become edits; all other text is prose and is ignored. A block that starts but does not
finish is an error reported back to the model, never guessed at.

    path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE

    DELETE FILE: path/to/old.py
    RENAME FILE: path/old.py -> path/new.py
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.patching.diffparse import is_diff_start, parse_diff_file
from bot.patching.edits import Delete, Edit, Rename, Replace

__all__ = ["ParsedEdits", "parse_edits"]

SEARCH = re.compile(r"^<{5,9} ?SEARCH\s*$")
DIVIDER = re.compile(r"^={5,9}\s*$")
REPLACE = re.compile(r"^>{5,9} ?REPLACE\s*$")
DELETE = re.compile(r"^DELETE FILE: *(\S.*?)\s*$")
RENAME = re.compile(r"^RENAME FILE: *(\S.*?) *-> *(\S.*?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
PATH_DECOR = "`*:'\" "


@dataclass(frozen=True)
class ParsedEdits:
    edits: tuple[Edit, ...]
    errors: tuple[str, ...]


def parse_edits(text: str) -> ParsedEdits:
    """Every edit in `text`, in order, and a message for every malformed block."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    edits: list[Edit] = []
    errors: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if SEARCH.match(line):
            i = _read_block(lines, i, edits, errors)
        elif is_diff_start(lines, i):
            file_edits, i, error = parse_diff_file(lines, i)
            edits.extend(file_edits)
            errors.extend([error] if error else [])
        elif found := DELETE.match(line):
            edits.append(Delete(found.group(1)))
            i += 1
        elif found := RENAME.match(line):
            edits.append(Rename(found.group(1), found.group(2)))
            i += 1
        else:
            i += 1
    return ParsedEdits(tuple(edits), tuple(errors))


def _read_block(lines: list[str], start: int, edits: list[Edit], errors: list[str]) -> int:
    """Read one SEARCH/REPLACE block starting at `start`; return the index after it."""
    path = _path_before(lines, start)
    divider = _find(lines, start + 1, DIVIDER, stop=(SEARCH, REPLACE))
    end = _find(lines, (divider or start) + 1, REPLACE, stop=(SEARCH, DIVIDER)) if divider is not None else None
    if divider is None or end is None:
        errors.append(f"block at line {start + 1}: a SEARCH needs a ======= line and then a >>>>>>> REPLACE line")
        return start + 1
    if path is None:
        errors.append(f"block at line {start + 1}: put the file path alone on the line before <<<<<<< SEARCH")
        return end + 1
    search = "\n".join(lines[start + 1 : divider])
    replace = "\n".join(lines[divider + 1 : end])
    edits.append(Replace(path, _with_eol(search), _with_eol(replace)))
    return end + 1


def _find(lines: list[str], start: int, pattern: re.Pattern[str], *, stop: tuple[re.Pattern[str], ...]) -> int | None:
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i
        if any(p.match(lines[i]) for p in stop):
            return None
    return None


def _path_before(lines: list[str], start: int) -> str | None:
    """The file path on the nearest non-fence line above the block, if it looks like a path."""
    i = start - 1
    while i >= 0 and (FENCE.match(lines[i]) or not lines[i].strip()):
        if FENCE.match(lines[i]) and lines[i].strip().strip("`~").strip() and "/" in lines[i]:
            break  # ```path/to/file.py fences carry the path
        i -= 1
    if i < 0:
        return None
    candidate = lines[i].strip().strip("`~").strip()
    candidate = candidate.removeprefix("File:").removeprefix("file:").strip().strip(PATH_DECOR)
    if not candidate or any(ch.isspace() for ch in candidate) or candidate.startswith(("<", "=", ">")):
        return None
    if "." not in candidate and "/" not in candidate:
        return None
    return candidate


def _with_eol(text: str) -> str:
    return text + "\n" if text else ""
