"""Apply parsed edits to file texts in memory: each edit applies whole or not at all, never ambiguously."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.patching.edits import ApplyReport, Create, Delete, Edit, EditResult, Rename, Replace, Status, Strategy
from bot.patching.errors import UnsafePath
from bot.patching.feedback import ambiguous_message, not_found_message
from bot.patching.match import Ambiguous, Found, locate, render
from bot.patching.paths import check_path
from bot.patching.text import Doc, block_lines, is_elision

__all__ = ["apply_edits"]


class _State:
    def __init__(self, files: Mapping[str, str]) -> None:
        self.original = dict(files)
        self.current: dict[str, str | None] = dict(files)
        self.offsets: dict[str, int] = {}

    def text(self, path: str) -> str | None:
        return self.current.get(path)

    def changed(self) -> dict[str, str | None]:
        return {p: t for p, t in self.current.items() if t != self.original.get(p)}


def apply_edits(files: Mapping[str, str], edits: Iterable[Edit]) -> ApplyReport:
    """Apply `edits` in order to `files` (path -> text; absent paths do not exist). Pure."""
    state = _State(files)
    results = tuple(_apply_one(state, edit) for edit in edits)
    return ApplyReport(results, state.changed())


def _apply_one(state: _State, edit: Edit) -> EditResult:
    try:
        check_path(edit.path)
        if isinstance(edit, Rename):
            check_path(edit.new_path)
    except UnsafePath as exc:
        return EditResult(edit, Status.REJECTED, message=str(exc))
    if isinstance(edit, Replace):
        return _replace(state, edit)
    if isinstance(edit, Create):
        return _create(state, edit)
    if isinstance(edit, Delete):
        return _delete(state, edit)
    return _rename(state, edit)


def _create(state: _State, edit: Create) -> EditResult:
    content = edit.content.replace("\r\n", "\n")
    existing = state.text(edit.path)
    if existing is not None and existing != content:
        return EditResult(edit, Status.REJECTED, message=f"{edit.path} already exists; edit it with SEARCH/REPLACE")
    state.current[edit.path] = content
    return EditResult(edit, Status.APPLIED, Strategy.EXACT)


def _delete(state: _State, edit: Delete) -> EditResult:
    if state.text(edit.path) is None:
        return EditResult(edit, Status.NOT_FOUND, message=f"{edit.path} does not exist")
    state.current[edit.path] = None
    return EditResult(edit, Status.APPLIED, Strategy.EXACT)


def _rename(state: _State, edit: Rename) -> EditResult:
    text = state.text(edit.path)
    if text is None:
        return EditResult(edit, Status.NOT_FOUND, message=f"{edit.path} does not exist")
    if state.text(edit.new_path) is not None:
        return EditResult(edit, Status.REJECTED, message=f"{edit.new_path} already exists")
    state.current[edit.new_path], state.current[edit.path] = text, None
    return EditResult(edit, Status.APPLIED, Strategy.EXACT)


def _replace(state: _State, edit: Replace) -> EditResult:
    text = state.text(edit.path)
    search, replace = block_lines(edit.search), block_lines(edit.replace)
    if text is None:
        if search:
            return EditResult(
                edit, Status.NOT_FOUND, message=f"{edit.path} does not exist; create it with SEARCH empty"
            )
        state.current[edit.path] = edit.replace.replace("\r\n", "\n")
        return EditResult(edit, Status.APPLIED, Strategy.EXACT)
    doc = Doc.parse(text)
    if not search:
        if doc.lines:
            return EditResult(edit, Status.REJECTED, message=f"SEARCH is empty but {edit.path} is not")
        doc.lines, doc.final_newline = replace, bool(replace)
        state.current[edit.path] = doc.render()
        return EditResult(edit, Status.APPLIED, Strategy.EXACT)
    return _replace_lines(state, edit, doc, search, replace)


def _replace_lines(state: _State, edit: Replace, doc: Doc, search: list[str], replace: list[str]) -> EditResult:
    hint = None if edit.line_hint is None else edit.line_hint + state.offsets.get(edit.path, 0)
    where = locate(doc.lines, search, hint=hint)
    if isinstance(where, Found):
        new_lines = doc.lines[: where.start] + render(doc.lines, where, search, replace)
        new_lines += doc.lines[where.start + len(search) :]
        strategy = where.strategy
    else:
        elided = _elided(doc.lines, search, replace)
        if elided is None:
            if isinstance(where, Ambiguous):
                message = ambiguous_message(edit.path, doc.lines, where.starts, len(search))
                return EditResult(edit, Status.AMBIGUOUS, message=message)
            return EditResult(edit, Status.NOT_FOUND, message=not_found_message(edit.path, doc.lines, search))
        new_lines, strategy = elided, Strategy.ELIDED
    state.offsets[edit.path] = state.offsets.get(edit.path, 0) + len(new_lines) - len(doc.lines)
    doc.lines = new_lines
    if edit.eof_newline is not None:
        doc.final_newline = edit.eof_newline
    state.current[edit.path] = doc.render()
    return EditResult(edit, Status.APPLIED, strategy)


def _segments(block: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in block:
        if is_elision(line):
            out.append([])
        else:
            out[-1].append(line)
    return out


def _elided(lines: list[str], search: list[str], replace: list[str]) -> list[str] | None:
    """Apply a block whose "..." lines stand for unchanged lines kept as they are; None if it cannot."""
    s_parts, r_parts = _segments(search), _segments(replace)
    if len(s_parts) < 2 or len(s_parts) != len(r_parts) or not all(any(x.strip() for x in p) for p in s_parts):
        return None
    out: list[str] = []
    cursor = 0
    for k, (s_part, r_part) in enumerate(zip(s_parts, r_parts, strict=True)):
        where = locate(lines, s_part, lo=cursor)
        if isinstance(where, Ambiguous) and k > 0:
            where = Found(min(where.starts), where.strategy)  # the nearest occurrence after the elision
        if not isinstance(where, Found):
            return None
        out += lines[cursor : where.start] + render(lines, where, s_part, r_part)
        cursor = where.start + len(s_part)
    return out + lines[cursor:]
