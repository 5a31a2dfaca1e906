"""Tests for memory.snapshot: entries prepared ahead are the ones `put` sets, without parsing twice."""

from __future__ import annotations

import pytest

import memory.snapshot
from memory.snapshot import FileEntry, Snapshot, make_entry

SOURCE = 'def send(request):\n    """Send it."""\n    return request\n'


def test_put_sets_the_prepared_entry_without_parsing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry prepared for (path, text) is the one put stores; put does not call make_entry for it."""
    snapshot = Snapshot()
    prepared = snapshot.prepare("src/app.py", SOURCE)
    assert prepared == make_entry("src/app.py", SOURCE)
    monkeypatch.setattr(memory.snapshot, "make_entry", lambda path, text: pytest.fail("parsed twice"))
    snapshot.put("src/app.py", SOURCE)
    assert snapshot.files["src/app.py"] is prepared


def test_put_of_other_text_ignores_the_prepared_entry() -> None:
    """A prepared entry only stands for the exact text it was made from."""
    snapshot = Snapshot()
    snapshot.prepare("src/app.py", SOURCE)
    snapshot.put("src/app.py", SOURCE.replace("request", "message"))
    assert list(snapshot.files["src/app.py"].chunks) == ["send"]
    assert "message" in snapshot.files["src/app.py"].chunks["send"]


def test_forget_prepared_drops_entries_never_put(monkeypatch: pytest.MonkeyPatch) -> None:
    """After forget_prepared, put parses the text itself."""
    snapshot = Snapshot()
    snapshot.prepare("src/app.py", SOURCE)
    snapshot.forget_prepared()
    calls: list[str] = []

    def counting(path: str, text: str) -> FileEntry:
        calls.append(path)
        return make_entry(path, text)

    monkeypatch.setattr(memory.snapshot, "make_entry", counting)
    snapshot.put("src/app.py", SOURCE)
    assert calls == ["src/app.py"]


def test_minified_functions_are_indexed_by_name_not_by_their_shared_line() -> None:
    """Each of n one-line functions of a minified bundle would otherwise carry the whole line's tokens."""
    bundle = ";".join(f"function f{i}(a){{return scale(a)+{i}}}" for i in range(300)) + "\n"
    entry = make_entry("app.min.js", bundle)
    assert len(entry.func_tokens) == 300
    assert "scal" not in entry.func_tokens["f7"] and len(entry.func_tokens["f7"]) <= 4
    assert all(len(chunk) < 100 for chunk in entry.chunks.values())
    normal = make_entry("app.js", "function f7(a) {\n  return scale(a) + 7;\n}\n")
    assert "scal" in normal.func_tokens["f7"]  # stemmed


def test_a_function_defined_once_per_branch_is_indexed_with_every_branch_s_text() -> None:
    """`if WIN: def open_stream` / `else: def open_stream` is one function: both bodies are its text."""
    text = "if WIN:\n    def open_stream(p):\n        return windows_handle(p)\nelse:\n"
    text += "    def open_stream(p):\n        return posix_handle(p)\n"
    entry = make_entry("compat.py", text)
    assert list(entry.func_tokens) == ["open_stream"]
    assert {"window", "posix"} <= set(entry.func_tokens["open_stream"])
    assert "windows_handle" in entry.chunks["open_stream"]
