"""Build the RepoProfile organicity needs from memory: localization, co-change, past sizes, helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from memory.engine import Memory
from reviewers.base import RepoProfile
from reviewers.organic_code import function_bodies

__all__ = ["profile_from_memory"]

TOP_FILES = 10


def profile_from_memory(
    memory: Memory,
    issue: str,
    *,
    conventions: Mapping[str, Any] | None = None,
    paths: Sequence[str] = (),
    sources: Mapping[str, str] | None = None,
) -> RepoProfile:
    """Localization for `issue` (rank r of the top TOP_FILES scores 1 - r / TOP_FILES), co-change among the
    top files and `paths`, sizes of the similar past changes, the repo's function names, and the bodies of
    the functions in `sources` (texts of the files near the change, for duplicate detection)."""
    ranked = memory.rank(issue)
    top = [ranked.paths[i] for i in ranked.order[:TOP_FILES]]
    file_scores = {path: 1.0 - rank / TOP_FILES for rank, path in enumerate(top)}
    seeds = list(dict.fromkeys([*top, *paths]))
    cochange = {a: {b: p for b in seeds if b != a and (p := memory.history.cochange_prob(a, b)) > 0} for a in seeds}
    units = [memory.history.units[i] for i, _ in ranked.similar_units[:10]]
    sizes = [sum(f.added + f.deleted for f in u.files) for u in units]
    helpers: dict[str, str] = {}
    for path, entry in memory.snapshot.files.items():
        for symbol in entry.symbols:
            if symbol.kind in ("function", "method") and not symbol.name.startswith("test"):
                helpers.setdefault(f"{path}::{symbol.qualname}", "")
    for path, text in (sources or {}).items():
        helpers.update(function_bodies(text, path))
    return RepoProfile(
        conventions=dict(conventions or {}),
        file_scores=file_scores,
        cochange=cochange,
        past_sizes=[s for s in sizes if s > 0],
        helpers=helpers,
    )
