"""The files of the tree memory last saw: content tokens, symbols, and function chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

from memory.candidates import FileTable, build_file_table
from memory.paths import is_candidate, path_tokens
from memory.symbols import Symbol, extract_symbols
from memory.termindex import Dumped, TermIndex, TermScores
from memory.textproc import split_identifier, tokenize

__all__ = ["FileEntry", "Snapshot", "chunk_text"]

CHUNK_LINES = 12
# A function on one line longer than this is minified code: it gets its name's tokens and no body, or a file
# of n one-line functions would be tokenized (and stored) n times over (3,000 functions in a 96 KB bundle took
# 36 s and 366 MB of memory files; 1.4 s and 540 KB with one function per line).
MAX_ONE_LINE_CHARS = 2000


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
            minified = sym.start == sym.end and len(body) > MAX_ONE_LINE_CHARS  # each function's line is the file
            # A name defined once per branch (`if WIN: def open...` / `else: def open...`) is one function
            # whose text is every branch's; its chunk is the first definition's.
            if sym.qualname not in func_tokens:
                func_tokens[sym.qualname] = names * 2
                chunks[sym.qualname] = f"{sym.qualname}\n{sym.doc}" if minified else chunk_text(sym, lines)
            if not minified:
                func_tokens[sym.qualname] += tokenize(body)
    return FileEntry(tokens=tokenize(text) + path_tokens(path), symbols=symbols, func_tokens=func_tokens, chunks=chunks)


class Snapshot:
    """Candidate files at one commit with file- and function-level BM25 kept in step with them.

    `files` may be edited directly (the persistence layer does); the term indexes re-count only the entries
    that are new or replaced since the last query.
    """

    def __init__(self) -> None:
        self.files: dict[str, FileEntry] = {}
        self.sha = ""
        self.paths: list[str] = []
        self.func_keys: list[tuple[str, str]] = []
        self._content = TermIndex()
        self._funcs = TermIndex()
        self._synced: dict[str, FileEntry] = {}
        self._views: dict[tuple[str, float], TermScores] = {}  # the same object until the files change
        self._table: FileTable | None = None
        self._prepared: dict[tuple[str, str], FileEntry] = {}

    def prepare(self, path: str, text: str) -> FileEntry:
        """The entry `put(path, text)` will set, made now (an update plans its embeddings from it) and kept."""
        key = (path, text)
        if key not in self._prepared:
            self._prepared[key] = make_entry(path, text)
        return self._prepared[key]

    def forget_prepared(self) -> None:
        self._prepared.clear()

    def put(self, path: str, text: str | None) -> None:
        """Set a file's text (None deletes it); non-candidates are ignored."""
        if text is None:
            self.files.pop(path, None)
        elif is_candidate(path):
            prepared = self._prepared.pop((path, text), None)
            self.files[path] = prepared if prepared is not None else make_entry(path, text)

    def dump_terms(self) -> tuple[Dumped, Dumped]:
        """The content and function term counts of the current files (brought up to date first), to persist."""
        self._sync()
        return self._content.dump(), self._funcs.dump()

    def restore_terms(self, content: Dumped, funcs: Dumped) -> None:
        """Adopt counts dumped along with exactly the current `files` (set them first): nothing is re-counted.

        ValueError when they were not counted from these files' paths.
        """
        restored = TermIndex.restore(content), TermIndex.restore(funcs)
        if set(content[0]) != set(self.files) or len(content[0]) != len(self.files):
            raise ValueError("term counts are not those of the snapshot's files")
        self._content, self._funcs = restored
        self._synced = dict(self.files)
        self.paths = []  # the next query lists paths and function keys again

    def _sync(self) -> None:
        """Re-count the entries added, replaced or removed since the last query."""
        stale = [p for p, entry in self._synced.items() if self.files.get(p) is not entry]
        fresh = [p for p, entry in self.files.items() if self._synced.get(p) is not entry]
        for path in stale:
            self._content.remove(path)
            for qual in self._synced.pop(path).func_tokens:
                self._funcs.remove((path, qual))
        for path in fresh:
            entry = self.files[path]
            self._content.set(path, entry.tokens)
            for qual, tokens in entry.func_tokens.items():
                self._funcs.set((path, qual), tokens)
            self._synced[path] = entry
        if stale or fresh or len(self.paths) != len(self.files):
            self.paths = sorted(self.files)
            self.func_keys = [(p, q) for p in self.paths for q in self.files[p].func_tokens]
            self._views = {}
            self._table = None

    def table(self) -> FileTable:
        """Per-candidate arrays (positions, sizes, function rows, mention maps) for the current files."""
        self._sync()
        if self._table is None:
            self._table = build_file_table(self.paths, self.files, self.func_keys)
        return self._table

    def content_index(self, b: float = 0.75) -> TermScores:
        """BM25 over each candidate's tokens, in `paths` order (`b` is the length normalisation)."""
        self._sync()
        if ("content", b) not in self._views:
            self._views[("content", b)] = TermScores(self._content, list(self.paths), b=b)
        return self._views[("content", b)]

    def function_index(self) -> TermScores:
        """BM25 over each function's tokens, in `func_keys` order."""
        self._sync()
        if ("functions", 0.75) not in self._views:
            self._views[("functions", 0.75)] = TermScores(self._funcs, list(self.func_keys))
        return self._views[("functions", 0.75)]
