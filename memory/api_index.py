"""The internal API index: the repository's own functions and classes, with signatures, docs and usage counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from memory.snapshot import Snapshot
from memory.textproc import split_identifier, stem, tokenize

__all__ = ["ApiEntry", "api_index", "entry_words", "search_api"]


@dataclass(frozen=True)
class ApiEntry:
    """One internal function or class; `uses` counts references elsewhere in the project's source."""

    path: str
    qualname: str
    kind: str
    signature: str
    doc: str
    uses: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _lookup_token(name: str) -> str:
    """The token under which tokenize() files a bare identifier (compound names stay whole)."""
    parts = split_identifier(name)
    return name.lower() if len(parts) > 1 else stem(parts[0]) if parts else name.lower()


def api_index(snapshot: Snapshot, include_private: bool = False) -> list[ApiEntry]:
    """Every function and class of the candidate files, most used first."""
    counts: Counter[str] = Counter()
    for entry in snapshot.files.values():
        counts.update(entry.tokens)
    out: list[ApiEntry] = []
    for path, entry in sorted(snapshot.files.items()):
        for sym in entry.symbols:
            if sym.name.startswith("_") and not include_private and not sym.name.startswith("__init"):
                continue
            # Each definition mentions its own name once; what is left are the calls and references.
            uses = max(0, counts[_lookup_token(sym.name)] - 1)
            out.append(ApiEntry(path, sym.qualname, sym.kind, sym.signature, sym.doc, uses))
    out.sort(key=lambda e: (-e.uses, e.path, e.qualname))
    return out


def entry_words(entries: list[ApiEntry]) -> list[frozenset[str]]:
    """Each entry's words (name, signature and doc), as `search_api` matches them."""
    return [frozenset(tokenize(f"{e.qualname} {e.signature} {e.doc}")) for e in entries]


def search_api(
    entries: list[ApiEntry], text: str, k: int = 10, words_of: list[frozenset[str]] | None = None
) -> list[ApiEntry]:
    """Entries whose name, signature or doc share words with `text`, weighted by how much they are used.

    `words_of` is `entry_words(entries)` when the caller keeps it across queries.
    """
    words = set(tokenize(text))
    scored = []
    for entry, its_words in zip(entries, words_of or entry_words(entries), strict=True):
        overlap = len(words & its_words)
        if overlap:
            scored.append((overlap + min(entry.uses, 50) / 50, entry))
    scored.sort(key=lambda item: -item[0])
    return [entry for _, entry in scored[:k]]
