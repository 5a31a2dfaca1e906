"""The files of the tree memory last saw: content tokens, symbols, and function chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

from memory.lexical import Bm25Index
from memory.paths import is_candidate, path_tokens
from memory.symbols import Symbol, extract_symbols
from memory.textproc import split_identifier, tokenize

__all__ = ["FileEntry", "Snapshot", "chunk_text"]

CHUNK_LINES = 12


def chunk_text(sym: Symbol, lines: list[str]) -> str:
    """The text embedded for a function: its qualname, docstring and first lines.

    The path is left out on purpose: a function moved to another file keeps its text, so its vector is
    reused instead of re-embedded (file paths already weigh in through content BM25 and path tokens).
    """
    body = "\n".join(lines[sym.start - 1 : min(sym.end, sym.start + CHUNK_LINES)])
    return f"{sym.qualname}\n{sym.doc}\n{body}"


@dataclass
class FileEntry:
    tokens: list[str]
    symbols: list[Symbol]
    func_tokens: dict[str, list[str]] = field(default_factory=dict)
    chunks: dict[str, str] = field(default_factory=dict)


def make_entry(path: str, text: str) -> FileEntry:
    symbols = extract_symbols(path, text)
    lines = text.splitlines()
    func_tokens: dict[str, list[str]] = {}
    chunks: dict[str, str] = {}
    for sym in symbols:
        if sym.kind == "function" or not any(o.qualname.startswith(sym.qualname + ".") for o in symbols):
            body = "\n".join(lines[sym.start - 1 : sym.end])
            names = [p for part in sym.qualname.split(".") for p in split_identifier(part)]
            func_tokens[sym.qualname] = tokenize(body) + names * 2
            chunks[sym.qualname] = chunk_text(sym, lines)
    return FileEntry(tokens=tokenize(text) + path_tokens(path), symbols=symbols, func_tokens=func_tokens, chunks=chunks)


class Snapshot:
    """Candidate files at one commit with lazily rebuilt file- and function-level BM25 indexes."""

    def __init__(self) -> None:
        self.files: dict[str, FileEntry] = {}
        self.sha = ""
        self._content: Bm25Index | None = None
        self._funcs: Bm25Index | None = None
        self.paths: list[str] = []
        self.func_keys: list[tuple[str, str]] = []

    def put(self, path: str, text: str | None) -> None:
        """Set a file's text (None deletes it); non-candidates are ignored."""
        if text is None:
            if self.files.pop(path, None) is None:
                return
        elif is_candidate(path):
            self.files[path] = make_entry(path, text)
        else:
            return
        self._content = self._funcs = None

    def content_index(self) -> Bm25Index:
        if self._content is None:
            self.paths = sorted(self.files)
            self._content = Bm25Index([self.files[p].tokens for p in self.paths])
        return self._content

    def function_index(self) -> Bm25Index:
        if self._funcs is None:
            self.content_index()
            self.func_keys = [(p, q) for p in self.paths for q in self.files[p].func_tokens]
            self._funcs = Bm25Index([self.files[p].func_tokens[q] for p, q in self.func_keys])
        return self._funcs
