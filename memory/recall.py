"""Recall: what should change for a text, and how this project changes it, fitted to a token budget."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from memory.api_index import ApiEntry
from memory.budget import approx_tokens, trim_lines
from memory.engine import Memory, Ranked
from memory.functions import rank_functions
from memory.fusion import SIGNALS, contributions
from memory.model import Unit
from memory.textproc import code_mentions, tokenize

__all__ = ["Recall", "recall"]

_WHY = {
    "emb_message": "touched by semantically similar past changes",
    "emb_code": "its code is semantically close to the text",
    "history": "the messages of its past changes match the text",
    "path": "its path names words of the text",
    "recent": "changed recently",
    "size": "a large file, where changes often land",
    "emb_code_top": "several of its functions are semantically close to the text",
    "message_recent": "touched by recent past changes with similar messages",
    "neighbors": "touched by the past changes most like the text",
    "content_flat": "its text matches the text (length-insensitive)",
    "function": "one of its functions matches the text",
}


@dataclass
class Recall:
    """The answer to "given this text, what should change and how would this project do it?"."""

    files: list[dict[str, Any]] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    conventions: dict[str, Any] = field(default_factory=dict)
    completion: list[str] = field(default_factory=list)
    api: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    budget_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def tokens(self) -> int:
        """Approximate tokens of the JSON form, the form callers put into prompts."""
        return approx_tokens(json.dumps(self.to_json(), separators=(",", ":")))


def _file_why(memory: Memory, ranked: Ranked, row: int, query: str, seeds: list[str]) -> list[str]:
    path = ranked.paths[row]
    contrib = contributions(ranked.features, memory.weights, row)
    why: list[str] = []
    for col in np.argsort(-contrib):
        name = SIGNALS[int(col)]
        if contrib[col] <= 0.05 * max(1e-9, float(contrib.sum())):
            break
        if name == "content":
            vocab = set(memory.snapshot.files[path].tokens)
            words = [w for w in dict.fromkeys(re.findall(r"\w+", query)) if vocab.intersection(tokenize(w))][:4]
            why.append(f"its text matches {', '.join(words)}")
        elif name == "message":
            shas = [memory.history.units[i] for i, _ in ranked.similar_units if path in memory.history.unit_paths[i]]
            cited = "; ".join(f"{u.sha[:8]} {u.title!r}" for u in shas[:2]) or "older ones with similar messages"
            why.append(f"changed by similar past changes: {cited}")
        elif name == "prior":
            why.append(f"changed {len(memory.history.touches.get(path, []))} times, recently active")
        elif name == "mention":
            names = {s.name.lower() for s in memory.snapshot.files[path].symbols} & code_mentions(query)
            why.append(f"defines {', '.join(sorted(names)) or 'a name'} mentioned in the text")
        else:
            why.append(_WHY[name])
    partners = [s for s in seeds if memory.history.cochange_prob(s, path) > 0.2]
    if partners:
        why.append(f"usually changes with {partners[0]}")
    return why or ["weak match"]


def _change(unit: Unit, diff: str, max_tokens: int) -> dict[str, Any]:
    date = datetime.fromtimestamp(unit.timestamp, UTC).date().isoformat()
    files = [f.path for f in unit.files][:10]
    return {
        "sha": unit.sha[:12],
        "title": unit.title,
        "date": date,
        "files": files,
        "reverted": False,
        "diff": trim_lines(diff, max_tokens),
    }


def _take(items: Sequence[dict[str, Any]], budget: int) -> tuple[list[dict[str, Any]], int]:
    """The longest prefix of `items` whose JSON fits in `budget` tokens."""
    kept: list[dict[str, Any]] = []
    for item in items:
        cost = approx_tokens(json.dumps(item, separators=(",", ":"))) + 1
        if cost > budget:
            break
        kept.append(item)
        budget -= cost
    return kept, budget


def recall(
    memory: Memory,
    text: str,
    *,
    k: int = 10,
    budget_tokens: int = 4000,
    seeds: Sequence[str] = (),
    diff_of: Callable[[Unit], str] | None = None,
    conventions: dict[str, Any] | None = None,
    skills: Sequence[dict[str, Any]] = (),
    api: Sequence[ApiEntry] = (),
    rejected: Sequence[dict[str, Any]] = (),
) -> Recall:
    """Rank files and functions for `text` and pack them, past changes, skills and conventions into the budget.

    Sections are filled in priority order (files, functions, similar changes, skills, rejected approaches,
    completion, internal API, conventions) and each stops at the first item that no longer fits.
    """
    ranked = memory.rank(text)
    out = Recall(budget_tokens=budget_tokens)
    left = budget_tokens - 40  # the empty JSON skeleton
    out.files, left = _take(_files(memory, ranked, text, k, seeds), left)
    out.functions, left = _take(_functions(memory, ranked, text, k), left)
    units = [memory.history.units[i] for i, _ in ranked.similar_units[:5]]
    per_diff = max(40, left // 3 // max(1, len(units)))
    reverted = memory.history.reverted_shas()
    changes = [_change(u, diff_of(u) if diff_of else "", per_diff) | {"reverted": u.sha in reverted} for u in units]
    out.changes, left = _take(changes, left)
    out.skills, left = _take(list(skills), left)
    out.rejected, left = _take(list(rejected), left)
    if seeds:
        completion = [p for p in memory.complete(ranked, seeds[0]) if p not in seeds][:k]
        kept, left = _take([{"path": p} for p in completion], left)
        out.completion = [c["path"] for c in kept]
    out.api, left = _take([e.to_json() for e in api[:k]], left)
    if conventions and approx_tokens(json.dumps(conventions, separators=(",", ":"))) < left:
        out.conventions = conventions
    return out


def _files(memory: Memory, ranked: Ranked, text: str, k: int, seeds: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {
            "path": ranked.paths[i],
            "score": round(float(ranked.scores[i]), 3),
            "why": _file_why(memory, ranked, i, text, list(seeds)),
        }
        for i in ranked.order[:k]
    ]


def _functions(memory: Memory, ranked: Ranked, text: str, k: int) -> list[dict[str, Any]]:
    order = [ranked.paths[i] for i in ranked.order]
    funcs = rank_functions(memory, text, order, ranked.similar_units, ranked.vector)[:k]
    signatures = {(p, s.qualname): s.signature for p in set(order[:10]) for s in memory.snapshot.files[p].symbols}
    return [{"path": p, "qualname": q, "signature": signatures.get((p, q), "")} for p, q in funcs]
