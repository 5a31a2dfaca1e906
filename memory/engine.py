"""The memory engine: history + snapshot + vectors, turned into per-file signals and fused rankings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

from memory.candidates import FileTable
from memory.fusion import Example, Weights, complete, fuse
from memory.history import History
from memory.history_arrays import cochange_rates, prior_and_recency
from memory.lexical import Bm25Index
from memory.model import Unit
from memory.paths import path_tokens
from memory.signals import features_for
from memory.snapshot import Snapshot
from memory.symbols import symbols_touched
from memory.termindex import TermIndex, TermScores
from memory.textproc import tokenize
from memory.vectors import Embedder, VectorIndex

__all__ = ["CandidateArrays", "Memory", "Ranked"]

HISTORY_DOC_UNITS = 60
FLAT_LENGTH_NORM = 0.3
CandidateArrays = tuple[FileTable, np.ndarray, np.ndarray, sparse.csr_matrix]  # table, prior, recency, co-change


@dataclass
class Ranked:
    """A fused file ranking with the per-signal evidence behind it."""

    paths: list[str]
    features: np.ndarray
    cochange: sparse.csr_matrix
    scores: np.ndarray
    order: list[int]
    similar_units: list[tuple[int, float]]
    vector: np.ndarray | None = None


class Memory:
    """What memory knows about one repository at one commit.

    Usage::

        memory = Memory(embedder)
        memory.observe(unit, {"src/app.py": new_text})   # online: one unit after another
        ranked = memory.rank("Fix the timeout in Client.send")
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self.history = History()
        self.snapshot = Snapshot()
        self.weights = Weights()
        self.examples: list[Example] = []
        self.pending_examples = 0
        self.msg_tokens: list[list[str]] = []
        self.msg_vectors: list[np.ndarray] = []
        self.chunk_vectors: dict[str, tuple[list[str], np.ndarray]] = {}
        self._msg_index: Bm25Index | None = None
        self._msg_terms = TermIndex()  # every message so far, keyed by unit index; a view picks the first ones
        self.max_stale_units = 0  # message/history indexes may lag this many units (bulk calibration only)
        self._stale_units = 0
        self._history_index: tuple[list[str], Bm25Index] | None = None
        self._history_terms = TermIndex()  # per file, the messages of the units in its `_history_tails` entry
        self._history_tails: dict[str, list[int]] = {}
        self._path_index: tuple[list[str], Bm25Index] | None = None
        self._msg_vindex: VectorIndex | None = None
        self._chunk_vindex: tuple[VectorIndex, list[tuple[str, str]]] | None = None
        self._arrays: tuple[tuple[History, int, FileTable], CandidateArrays] | None = None

    # -- learning -------------------------------------------------------------------------------------------
    def add_units(self, units: list[Unit], embed: bool = True) -> None:
        """Bulk-add units to the history (the snapshot is set separately)."""
        for unit in units:
            self.history.add(unit)
            self.msg_tokens.append(tokenize(unit.message))
        if self.embedder is not None and embed and units:
            self.msg_vectors.append(self.embedder.embed([u.message for u in units]))
        self._msg_index = self._msg_vindex = self._history_index = None

    def set_files(self, texts: dict[str, str | None]) -> None:
        """Put changed files into the snapshot and embed their new or changed function chunks."""
        old_chunks = {p: self.snapshot.files[p].chunks for p in texts if p in self.snapshot.files}
        previous = {p: self.chunk_vectors.pop(p, None) for p in texts}
        for path, text in texts.items():
            self.snapshot.put(path, text)
        if self.embedder is not None:
            self._embed_chunks([p for p in texts if p in self.snapshot.files], previous, old_chunks)
        self._chunk_vindex = None

    def _embed_chunks(
        self,
        paths: list[str],
        previous: dict[str, tuple[list[str], np.ndarray] | None],
        old_chunks: dict[str, dict[str, str]],
    ) -> None:
        """Embed only chunks whose text changed; unchanged functions keep their vectors."""
        known: dict[str, np.ndarray] = {}
        for path, old in previous.items():
            if old is not None and path in old_chunks:
                texts = old_chunks[path]
                known.update({texts[q]: v for q, v in zip(old[0], old[1], strict=True) if q in texts})
        todo = sorted({t for p in paths for t in self.snapshot.files[p].chunks.values()} - set(known))
        if todo and self.embedder is not None:
            known.update(zip(todo, self.embedder.embed(todo), strict=True))
        for path in paths:
            chunks = self.snapshot.files[path].chunks
            if chunks:
                quals = list(chunks)
                self.chunk_vectors[path] = (quals, np.stack([known[chunks[q]] for q in quals]))

    def touched_functions(self, unit: Unit) -> dict[str, list[str]]:
        """Qualnames whose pre-image lines each modified file's hunks changed (needs the parent snapshot)."""
        out: dict[str, list[str]] = {}
        for change in unit.files:
            entry = self.snapshot.files.get(change.old_path if change.status == "R" else change.path)
            if entry is not None and change.status in ("M", "R", "D"):
                out[change.path] = symbols_touched(entry.symbols, change.hunks)
        return out

    def observe(self, unit: Unit, texts: dict[str, str | None]) -> None:
        """Online step: learn `unit` (whose parent is the current snapshot) and move the snapshot to it."""
        funcs = self.touched_functions(unit)
        for change in unit.files:
            change.funcs = funcs.get(change.path, change.funcs)
        self.history.add(unit, funcs)
        self.msg_tokens.append(tokenize(unit.message))
        if self.embedder is not None:
            self.msg_vectors.append(self.embedder.embed([unit.message]))
        renamed = {c.old_path: None for c in unit.files if c.status == "R" and c.old_path != c.path}
        self.set_files({**renamed, **texts})
        self.snapshot.sha = unit.sha
        self._msg_vindex = None
        self._stale_units += 1
        if self._stale_units > self.max_stale_units:
            self._msg_index = self._history_index = None

    # -- indexes --------------------------------------------------------------------------------------------
    def refresh_indexes(self) -> None:
        """Drop lazily built indexes so the next query sees everything learned so far."""
        self._msg_index = self._msg_vindex = self._history_index = None
        self._stale_units = 0

    def message_index(self) -> Bm25Index:
        """BM25 over past messages; it may lag `max_stale_units` units, never run ahead of the history.

        Messages are counted once, as units arrive; a refresh only widens the view to the newest ones.
        """
        if self._msg_index is None:
            for index in range(len(self._msg_terms), len(self.msg_tokens)):
                self._msg_terms.set(index, self.msg_tokens[index])
            self._msg_index = TermScores(self._msg_terms, range(len(self.msg_tokens)))
            self._stale_units = 0
        return self._msg_index

    def history_index(self, paths: list[str]) -> Bm25Index:
        """BM25 over one document per file: the messages of the last units that touched it.

        Only the files whose last touching units changed since the previous build are re-counted.
        """
        if self._history_index is None or self._history_index[0] != paths or self._msg_index is None:
            tails = {p: self.history.touches.get(p, [])[-HISTORY_DOC_UNITS:] for p in paths}
            for path in set(self._history_tails) - set(tails):
                self._history_terms.remove(path)
            for path, tail in tails.items():
                if self._history_tails.get(path) != tail:
                    self._history_terms.set(path, [t for i in tail for t in self.msg_tokens[i]])
            self._history_tails = tails
            self._history_index = (list(paths), TermScores(self._history_terms, paths))
        return self._history_index[1]

    def path_index(self, paths: list[str]) -> Bm25Index:
        """BM25 over each candidate's identifier-split path alone."""
        if self._path_index is None or self._path_index[0] != paths:
            self._path_index = (list(paths), Bm25Index([path_tokens(p) for p in paths]))
        return self._path_index[1]

    def flat_content_index(self) -> TermScores:
        """Content BM25 with weak length normalisation (big files are where changes land)."""
        return self.snapshot.content_index(b=FLAT_LENGTH_NORM)

    def message_vectors(self) -> np.ndarray:
        if len(self.msg_vectors) > 1:
            self.msg_vectors = [np.concatenate(self.msg_vectors)]
        return self.msg_vectors[0] if self.msg_vectors else np.zeros((0, 1), dtype=np.float32)

    def message_vindex(self) -> VectorIndex | None:
        if self._msg_vindex is None and self.embedder is not None and self.msg_vectors:
            vectors = self.message_vectors()
            self._msg_vindex = VectorIndex(vectors.shape[1])
            self._msg_vindex.add(list(range(len(vectors))), vectors)
        return self._msg_vindex

    def chunk_vindex(self) -> tuple[VectorIndex, list[tuple[str, str]]] | None:
        if self._chunk_vindex is None and self.embedder is not None and self.chunk_vectors:
            keys = [(p, q) for p, (quals, _) in sorted(self.chunk_vectors.items()) for q in quals]
            stacked = np.concatenate([v for _, (_, v) in sorted(self.chunk_vectors.items())])
            index = VectorIndex(stacked.shape[1])
            index.add(list(range(len(keys))), stacked)
            self._chunk_vindex = (index, keys)
        return self._chunk_vindex

    def candidate_arrays(self) -> CandidateArrays:
        """The candidates' file table, prior, recency and co-change rates, kept until the files or history change."""
        table = self.snapshot.table()
        key = (self.history, self.history.version, table)
        cached = self._arrays
        if cached is None or cached[0][0] is not key[0] or cached[0][1] != key[1] or cached[0][2] is not table:
            prior, recent = prior_and_recency(self.history, table.paths)
            cached = self._arrays = (key, (table, prior, recent, cochange_rates(self.history, table.pos)))
        return cached[1]

    # -- ranking --------------------------------------------------------------------------------------------
    def query_vector(self, query: str) -> np.ndarray | None:
        return None if self.embedder is None else self.embedder.embed([query])[0]

    def rank(self, query: str, weights: Weights | None = None) -> Ranked:
        """Candidate files ranked for `query` by the calibrated fusion."""
        vector = self.query_vector(query)
        paths, features, similar = features_for(self, query, vector)
        cochange = self.candidate_arrays()[3]
        scores = fuse(features, cochange, weights or self.weights)
        order = np.argsort(-scores, kind="stable").tolist()
        return Ranked(paths, features, cochange, scores, order, similar, vector)

    def example(self, query: str, gold_paths: list[str]) -> Example | None:
        """A calibration example for a unit about to be observed, or None when no gold is a candidate."""
        vector = self.query_vector(query)
        _, features, _ = features_for(self, query, vector)
        table, _, _, cochange = self.candidate_arrays()
        gold = [table.pos[p] for p in gold_paths if p in table.pos]
        return Example(features, cochange, gold) if gold else None

    def complete(self, ranked: Ranked, seeds: str | Sequence[str]) -> list[str]:
        """The rest of a change, ranked, given that `seeds` (one path or several) are part of it.

        Co-change mass flows from every seed that is a candidate; the seeds are left out of the answer.
        Seeds that are not candidates are ignored here (memory.recall reports them); with none left the
        answer is the plain ranking. One seed gives exactly the single-seed completion.
        """
        wanted = {seeds} if isinstance(seeds, str) else set(seeds)
        rows = sorted({i for i, path in enumerate(ranked.paths) if path in wanted})
        if not rows:
            return [ranked.paths[i] for i in ranked.order]
        scores = complete(ranked.scores, ranked.cochange, rows, self.weights.completion)
        return [ranked.paths[i] for i in np.argsort(-scores, kind="stable")[: len(scores) - len(rows)]]
