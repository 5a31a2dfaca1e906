"""A tolerant, pure parser of one file's section of a unified diff into edits.

Models get hunk counts and line numbers wrong, so counts are trusted only when they are consistent and
line numbers are kept as tie-break hints; content is never guessed.
"""

from __future__ import annotations

import re

from bot.patching.edits import Create, Delete, Edit, Rename, Replace

__all__ = ["is_diff_start", "parse_diff_file"]

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
HUNK_LOOSE = re.compile(r"^@@.*@@")
GIT_HEADER = re.compile(r"^diff --git (\S+) (\S+)")
NULL = "/dev/null"


def is_diff_start(lines: list[str], i: int) -> bool:
    if GIT_HEADER.match(lines[i]):
        return True
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def parse_diff_file(lines: list[str], i: int) -> tuple[list[Edit], int, str | None]:
    """Edits for the file section starting at `i`, the index after it, and an error message if malformed."""
    old, new, renamed, i = _read_headers(lines, i)
    edits: list[Edit] = []
    if renamed and old and new and old != new:
        edits.append(Rename(old, new))
    hunks: list[tuple[int | None, list[str]]] = []
    while i < len(lines) and HUNK_LOOSE.match(lines[i]):
        header = HUNK.match(lines[i])
        hint = int(header.group(1)) - 1 if header else None
        body, i = _read_hunk(lines, i + 1)
        hunks.append((hint, body))
    if old is None and new is None:
        return edits, max(i, 1), "a diff section without ---/+++ file names"
    edits.extend(_hunk_edits(old, new, hunks))
    return edits, i, None


def _read_headers(lines: list[str], i: int) -> tuple[str | None, str | None, bool, int]:
    old = new = None
    renamed = False
    if found := GIT_HEADER.match(lines[i]):
        old, new = _strip_prefix(found.group(1)), _strip_prefix(found.group(2))
        i += 1
    while i < len(lines) and not HUNK_LOOSE.match(lines[i]) and not GIT_HEADER.match(lines[i]):
        line = lines[i]
        if line.startswith("rename from "):
            old, renamed = line[len("rename from ") :].strip(), True
        elif line.startswith("rename to "):
            new, renamed = line[len("rename to ") :].strip(), True
        elif line.startswith("--- "):
            old = _file_name(line[4:])
        elif line.startswith("+++ "):
            new = _file_name(line[4:])
        elif not _is_extended_header(line):
            break
        i += 1
    return old, new, renamed, i


def _is_extended_header(line: str) -> bool:
    heads = ("index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index")
    return line.startswith(heads) or line.startswith(("dissimilarity index", "copy from", "copy to"))


def _file_name(raw: str) -> str | None:
    name = raw.split("\t", 1)[0].strip()
    return None if name == NULL else _strip_prefix(name)


def _strip_prefix(name: str) -> str:
    return name[2:] if name.startswith(("a/", "b/")) else name


def _read_hunk(lines: list[str], i: int) -> tuple[list[str], int]:
    """Hunk body lines (with their ' ', '-', '+', '\\' prefix), read to the next delimiter.

    Header counts are ignored (models miscount); bare empty lines are blank context, and trailing ones are
    dropped, which is safe because context on both sides changes nothing.
    """
    body: list[str] = []
    while i < len(lines):
        line = lines[i]
        if HUNK_LOOSE.match(line) or GIT_HEADER.match(line) or is_diff_start(lines, i):
            break
        if line.startswith("\\") or line == "" or line[0] in " -+":
            body.append(line or "")
        else:
            break
        i += 1
    while body and body[-1] == "":
        body.pop()
    return [line or " " for line in body], i


def _hunk_edits(old: str | None, new: str | None, hunks: list[tuple[int | None, list[str]]]) -> list[Edit]:
    if old is None and new is not None:
        return [Create(new, _side(hunks[0][1], "+")[0] if hunks else "")]
    if new is None and old is not None:
        return [Delete(old)]
    path = new or old or ""
    edits: list[Edit] = []
    for hint, body in hunks:
        search, search_eof = _side(body, "-")
        replace, replace_eof = _side(body, "+")
        eof = False if replace_eof is False else (True if search_eof is False else None)
        edits.append(Replace(path, search, replace, line_hint=hint, eof_newline=eof))
    return edits


def _side(body: list[str], sign: str) -> tuple[str, bool | None]:
    """One side of a hunk as text, and False if a "\\ No newline" marker ends that side's last line."""
    out: list[str] = []
    eof: bool | None = None
    last_kept = False
    for line in body:
        if line.startswith("\\"):
            eof = False if last_kept else eof
            continue
        last_kept = line[0] in (" ", sign)
        if last_kept:
            out.append(line[1:] + "\n")
    return "".join(out), eof
