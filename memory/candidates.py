"""Per-candidate arrays that depend only on the snapshot's files, built once per file set and reused by queries.

A query's signals are then numpy gathers and scatter-adds over these arrays instead of Python loops over every
candidate file (or every function) per query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from memory.textproc import split_identifier

if TYPE_CHECKING:
    from memory.snapshot import FileEntry

__all__ = ["FileTable", "build_file_table", "rows_of"]


def _inverted(keyed: Iterable[tuple[int, Iterable[str]]]) -> dict[str, np.ndarray]:
    rows: dict[str, list[int]] = defaultdict(list)
    for row, words in keyed:
        for word in words:
            rows[word].append(row)
    return {word: np.array(found, dtype=np.int64) for word, found in rows.items()}


def stem_of(path: str) -> str:
    """The lowercased file name without extensions or surrounding underscores."""
    return path.rsplit("/", 1)[-1].split(".")[0].lower().strip("_")


@dataclass(frozen=True)
class FileTable:
    """Candidate paths in order, their positions, and word -> rows maps for the mention signal.

    `names` maps a lowercased symbol name to the rows defining it, `stems` a file stem to its rows, `parts`
    each identifier part of a stem to the rows whose stem has it; `func_rows` is each function key's row.
    """

    paths: list[str]
    pos: dict[str, int]
    size: np.ndarray
    func_rows: np.ndarray
    names: dict[str, np.ndarray]
    stems: dict[str, np.ndarray]
    parts: dict[str, np.ndarray]


def build_file_table(
    paths: list[str], files: Mapping[str, FileEntry], func_keys: Sequence[tuple[str, str]]
) -> FileTable:
    """The table for `paths` (sorted candidates) given their entries and the function keys in index order."""
    pos = {p: i for i, p in enumerate(paths)}
    stems = [stem_of(p) for p in paths]
    return FileTable(
        paths=paths,
        pos=pos,
        size=np.array([math.log1p(len(files[p].tokens)) for p in paths], dtype=np.float32),
        func_rows=np.array([pos[p] for p, _ in func_keys], dtype=np.int64),
        names=_inverted((row, {s.name.lower() for s in files[p].symbols}) for row, p in enumerate(paths)),
        stems=_inverted((row, (stem,)) for row, stem in enumerate(stems)),
        parts=_inverted((row, set(split_identifier(stem))) for row, stem in enumerate(stems)),
    )


def rows_of(table: Mapping[str, np.ndarray], words: Iterable[str]) -> np.ndarray:
    """All rows listed under any of `words` (with repeats, one per word)."""
    found = [table[w] for w in words if w in table]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
