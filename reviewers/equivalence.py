"""Equivalence of candidates: normalize post-images (AST unparse: comments, whitespace, layout gone), cluster."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from reviewers.base import Candidate, PoolContext, Score, Verdict, sha
from reviewers.diffs import apply_diff
from reviewers.errors import PatchError

__all__ = ["EquivalenceReviewer", "cluster", "normalize_source", "signature"]


def normalize_source(text: str | None, path: str = "") -> str:
    """The text's canonical form: AST unparse for Python (docstrings kept), stripped lines otherwise."""
    if text is None:
        return "<deleted>"
    if path.endswith(".py") or not path:
        try:
            return ast.unparse(ast.parse(text))
        except (SyntaxError, ValueError):
            pass
    lines = (line.split("#", 1)[0].strip() if path.endswith(".py") else line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def signature(originals: Mapping[str, str | None], diff: str) -> str:
    """A hash of the normalized post-images of the files `diff` changes; unchanged files drop out."""
    try:
        after = apply_diff(originals, diff)
    except PatchError:
        return "unapplicable:" + sha(diff)[:12]
    parts = []
    for path in sorted(after):
        new = normalize_source(after[path], path)
        if new != normalize_source(originals.get(path), path):
            parts.append(f"{path}\0{new}")
    return sha("\0\0".join(parts))[:12]


def cluster(originals: Mapping[str, str | None], candidates: list[Candidate]) -> dict[str, list[str]]:
    """Cluster id (the first member's id) -> member ids, in pool order."""
    by_signature: dict[str, list[str]] = {}
    for candidate in candidates:
        by_signature.setdefault(signature(originals, candidate.diff), []).append(candidate.id)
    return {members[0]: members for members in by_signature.values()}


class EquivalenceReviewer:
    """Says which cluster each candidate belongs to and how many candidates share its idea."""

    name = "equivalence"

    def review(self, context: PoolContext) -> list[Verdict]:
        clusters = cluster(context.originals, context.candidates)
        member_of = {member: head for head, members in clusters.items() for member in members}
        verdicts = []
        total = len(context.candidates)
        for candidate in context.candidates:
            head = member_of[candidate.id]
            size = len(clusters[head])
            why = f"same normalized code as {size - 1} other candidate(s), cluster {head}"
            verdicts.append(Verdict(self.name, candidate.id, [Score("agreement", size / total, why)]))
        return verdicts
