"""Recall: what should change for a text, and how this project changes it, fitted to a token budget."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from memory.api_index import ApiEntry
from memory.budget import Packer, json_tokens, shrink_json, trim_lines
from memory.engine import Memory, Ranked
from memory.errors import BadRequest
from memory.functions import FUNCTION_FILES, ScoredFunction, score_functions
from memory.fusion import SIGNALS, contributions
from memory.model import Unit, iso_day
from memory.paths import is_candidate, is_source
from memory.textproc import code_mentions, word_tokens

__all__ = ["Recall", "check_request", "matched_words", "recall", "resolve_seeds", "source_first"]

CONVENTIONS_SHARE = 8  # the conventions profile is trimmed to about 1/8 of the budget when space is short
FUNCTION_REASONS = 3  # reasons kept per function, the largest score terms first
FILE_REASONS = 3  # reasons kept per file, the largest signal contributions first
WORDS_SHOWN = 4  # words of the text a reason names as matched
WORD_CHARS = 30  # longer words are never named: a reason repeats the project's words, not the text's
SEED_CHARS = 80  # an unknown seed is echoed back cut to this length
DIFF_FLOOR = 40  # tokens a similar change's diff is trimmed to before the diff is dropped

_WHY = {
    "recent": "changed recently",
    "emb_message": "touched by semantically similar past changes",
    "emb_code": "its code is semantically close to the text",
    "history": "the messages of its past changes match the text",
    "path": "its path names words of the text",
    "size": "a large file, where changes often land",
    "emb_code_top": "several of its functions are semantically close to the text",
    "message_recent": "touched by recent past changes with similar messages",
    "neighbors": "touched by the past changes most like the text",
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
    seeds: list[str] = field(default_factory=list)
    unknown_seeds: list[str] = field(default_factory=list)
    api: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    budget_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def tokens(self) -> int:
        """Approximate tokens of the JSON form, the form callers put into prompts."""
        return json_tokens(self.to_json())


def resolve_seeds(paths: Sequence[str], seeds: Sequence[str]) -> tuple[list[str], list[str]]:
    """The candidate paths `seeds` name, and the seeds that name none, each in the order given.

    A seed names a candidate when it is its path (a leading "./" is ignored) or, failing that, the tail
    of exactly one candidate's path on a "/" boundary ("termui.py" names "src/click/termui.py" when no
    other candidate ends in "/termui.py"). Non-candidates, missing and ambiguous seeds are unknown.
    """
    known: list[str] = []
    unknown: list[str] = []
    exact = set(paths)
    for seed in dict.fromkeys(seeds):
        name = seed.removeprefix("./")
        found = [name] if name in exact else [p for p in paths if p.endswith("/" + name)]
        if len(found) == 1 and found[0] not in known:
            known.append(found[0])
        elif len(found) != 1:
            unknown.append(seed)
    return known, unknown


def matched_words(vocab: set[str], text: str) -> list[str]:
    """Up to WORDS_SHOWN words of `text` that the file's own tokens contain whole, none longer than WORD_CHARS.

    Only words the project itself uses are named, so a reason never carries arbitrary text from an issue.
    """
    words: list[str] = []
    for word in dict.fromkeys(re.findall(r"\w+", text)):
        tokens = word_tokens(word)
        if len(word) <= WORD_CHARS and tokens and tokens[0] in vocab:
            words.append(word)
            if len(words) == WORDS_SHOWN:
                break
    return words


def _file_why(memory: Memory, ranked: Ranked, row: int, query: str, seeds: list[str]) -> list[str]:
    """At most FILE_REASONS distinct reasons, the largest signal contributions first, then a co-change partner."""
    path = ranked.paths[row]
    contrib = contributions(ranked.features, memory.weights, row)
    why: list[str] = []
    for col in np.argsort(-contrib):
        if contrib[col] <= 0.05 * max(1e-9, float(contrib.sum())):
            break
        why.append(_signal_reason(memory, ranked, SIGNALS[int(col)], path, query))
    why = list(dict.fromkeys(why))[:FILE_REASONS]
    partners = [s for s in seeds if memory.history.cochange_prob(s, path) > 0.2]
    if partners:
        why.append(f"usually changes with {partners[0]}")
    return why or ["weak match"]


def _signal_reason(memory: Memory, ranked: Ranked, name: str, path: str, query: str) -> str:
    if name in ("content", "content_flat"):
        words = matched_words(set(memory.snapshot.files[path].tokens), query)
        return f"its text matches {', '.join(words)}" if words else "its text matches the text"
    if name == "message":
        shas = [memory.history.units[i] for i, _ in ranked.similar_units if path in memory.history.unit_paths[i]]
        cited = "; ".join(f"{u.sha[:8]} {u.title!r}" for u in shas[:2]) or "older ones with similar messages"
        return f"changed by similar past changes: {cited}"
    touched = memory.history.touches.get(path, [])
    if name == "prior":
        return f"changed {len(touched)} times"
    if name == "recent" and touched:
        return f"last changed {iso_day(memory.history.units[touched[-1]].timestamp)}"
    if name == "mention":
        names = {s.name.lower() for s in memory.snapshot.files[path].symbols} & code_mentions(query)
        return f"defines {', '.join(sorted(names)) or 'a name'} mentioned in the text"
    return _WHY[name]


class _FunctionWhy:
    """Why memory.functions.score_functions placed a function: its largest score terms, said in words."""

    def __init__(self, memory: Memory, ranked: Ranked, text: str) -> None:
        self.memory, self.ranked, self.text = memory, ranked, text
        order = [ranked.paths[i] for i in ranked.order[:FUNCTION_FILES]]
        self.file_rank = {path: rank for rank, path in enumerate(order)}

    def why(self, scored: ScoredFunction) -> list[str]:
        """The terms that gave at least 5% of the score, largest first."""
        total = sum(scored.terms.values())
        named = sorted((t for t in scored.terms.items() if t[1] > 0.05 * total), key=lambda t: -t[1])
        return [self._say(term, value, scored.key) for term, value in named[:FUNCTION_REASONS]] or ["weak match"]

    def _say(self, term: str, value: float, key: tuple[str, str]) -> str:
        path, qual = key
        if term == "file":
            return f"in the #{self.file_rank[path] + 1} ranked file"
        if term == "text":
            words = matched_words(set(self.memory.snapshot.files[path].func_tokens.get(qual, [])), self.text)
            return f"its code matches {', '.join(words) or 'the text'}"
        if term == "changes":
            names = {qual, qual.rsplit(".", 1)[-1]}
            units = [self.memory.history.units[i] for i, _ in self.ranked.similar_units]
            touched = [u for u in units if any(f.path == path and names & set(f.funcs) for f in u.files)][:2]
            return "changed by similar past changes: " + "; ".join(f"{u.sha[:8]} {u.title!r}" for u in touched)
        if term == "mention":
            return "its name is mentioned in the text"
        return f"its code is semantically close to the text (cosine {2 * value:.2f})"


def _change(unit: Unit, diff: str, max_tokens: int, reverted: bool) -> list[dict[str, Any]]:
    """A similar past change: with its diff trimmed to `max_tokens`, then to DIFF_FLOOR, then without it."""
    date = iso_day(unit.timestamp)
    files = [f.path for f in unit.files][:10]
    entry = {"sha": unit.sha[:12], "title": unit.title, "date": date, "files": files, "reverted": reverted}
    return [entry | {"diff": trim_lines(diff, tokens)} for tokens in (max_tokens, DIFF_FLOOR, 0)]


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

    Items are placed one at a time in priority order: the files (best first), the functions, the co-change
    completion, the seeds naming no file, the conventions profile (trimmed to about 1/CONVENTIONS_SHARE of
    the budget if need be), the similar changes, skills, rejected approaches and the internal API. Each item
    takes the largest of its forms that still fits (files and functions lose reasons, diffs are trimmed,
    conventions lose list items and trailing keys); an item with no form that fits is dropped, and nothing
    packed after it could have been given up to make room for it. The answer's compact JSON
    (`Recall.tokens`) stays within `budget_tokens`.

    `seeds` are files known to be part of the change: `completion` ranks the rest of it from all of them
    together (the seeds themselves left out). Seeds are resolved by `resolve_seeds`; the paths used are in
    `seeds` of the answer and the seeds naming no candidate file in `unknown_seeds` (packed after the
    completion, each cut to SEED_CHARS). With no known seed `completion` is empty.

    Raises BadRequest for a blank text, a `k` or budget that is not a whole number >= 0, or a budget
    below the size of the answer with nothing in it.
    """
    check_request(text, k, budget_tokens)
    ranked = memory.rank(text)
    known, unknown = resolve_seeds(ranked.paths, seeds)
    out = Recall(budget_tokens=budget_tokens, seeds=known)
    packer = Packer(budget_tokens - _floor(out))
    out.files = packer.take(_files(memory, ranked, text, k, known))
    out.functions = packer.take(_functions(memory, ranked, text, k))
    if known:
        out.completion = packer.take([[p] for p in memory.complete(ranked, known)[:k]])
    out.unknown_seeds = packer.take([[_clip(seed, SEED_CHARS)] for seed in unknown])
    if conventions:
        out.conventions = packer.place(shrink_json(conventions), cap=budget_tokens // CONVENTIONS_SHARE) or {}
    units = [memory.history.units[i] for i, _ in ranked.similar_units[:5]]
    per_diff = max(DIFF_FLOOR, packer.left // 3 // max(1, len(units)))
    reverted = memory.history.reverted_shas()
    diffs = [source_first(diff_of(u)) if diff_of and packer.left > 0 else "" for u in units]
    out.changes = packer.take([_change(u, d, per_diff, u.sha in reverted) for u, d in zip(units, diffs, strict=True)])
    out.skills = packer.take([[s] for s in skills])
    out.rejected = packer.take([[r] for r in rejected])
    out.api = packer.take([[e.to_json()] for e in api[:k]])
    return out


def check_request(text: str, k: int, budget_tokens: int) -> None:
    """BadRequest unless `text` has a non-blank character, `k` and `budget_tokens` are whole numbers >= 0, and
    the budget holds at least the empty answer."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("recall needs a text to localize, not a blank one")
    for name, value in (("k", k), ("budget_tokens", budget_tokens)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BadRequest(f"{name} must be a whole number >= 0, not {value!r}")
    _floor(Recall(budget_tokens=budget_tokens))


def _floor(empty: Recall) -> int:
    """The tokens of the answer with nothing in it; BadRequest when that alone exceeds the budget."""
    tokens = empty.tokens()
    if tokens > empty.budget_tokens:
        raise BadRequest(f"a budget of {empty.budget_tokens} tokens is below the smallest answer, {tokens} tokens")
    return tokens


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def source_first(diff: str) -> str:
    """`diff` with its files reordered: source files first, then tests, then the rest (changelogs, docs).

    Trimming keeps lines from the top, so the code a change made survives a small budget.
    """
    sections = re.split(r"(?m)^(?=diff --git )", diff)
    head, files = sections[0], sections[1:]

    def rank(section: str) -> int:
        path = section.split("\n", 1)[0].rsplit(" b/", 1)[-1]
        return 0 if is_candidate(path) else 1 if is_source(path) else 2

    return head + "".join(sorted(files, key=rank))


def _files(memory: Memory, ranked: Ranked, text: str, k: int, seeds: list[str]) -> list[list[dict[str, Any]]]:
    """Each top file with its reasons, then with its first two, its first, and none (for tiny budgets)."""
    out: list[list[dict[str, Any]]] = []
    for i in ranked.order[:k]:
        entry: dict[str, Any] = {"path": ranked.paths[i], "score": round(float(ranked.scores[i]), 3)}
        why = _file_why(memory, ranked, i, text, seeds)
        out.append([entry | {"why": why}, entry | {"why": why[:2]}, entry | {"why": why[:1]}, entry])
    return out


def _functions(memory: Memory, ranked: Ranked, text: str, k: int) -> list[list[dict[str, Any]]]:
    """Each top function with its signature and reasons, then with one reason, then without the signature."""
    order = [ranked.paths[i] for i in ranked.order]
    funcs = score_functions(memory, text, order, ranked.similar_units, ranked.vector)[:k]
    explain = _FunctionWhy(memory, ranked, text)
    files = {f.key[0] for f in funcs}
    signatures = {(p, s.qualname): s.signature for p in files for s in memory.snapshot.files[p].symbols}
    out: list[list[dict[str, Any]]] = []
    for scored in funcs:
        path, qual = scored.key
        entry: dict[str, Any] = {"path": path, "qualname": qual}
        why, signature = explain.why(scored), signatures.get(scored.key, "")
        full = entry | {"signature": signature, "why": why}
        out.append([full, full | {"why": why[:1]}, entry | {"why": why[:1]}])
    return out
