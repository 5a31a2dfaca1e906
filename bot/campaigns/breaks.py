"""The breaks a repository's codemods leave, as JSON facts for the patch engine and the PR body (pure).

left = left_records(report.non_mechanical, sites, texts)      # each with its call sites and their snippets
signatures = new_signatures(new_surface, [c["api"] for c in left])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from migrations.diff import Change
from migrations.impact import CallSite
from migrations.surface import ApiSurface

__all__ = ["SNIPPET_RADIUS", "left_records", "new_signatures", "snippet"]

SNIPPET_RADIUS = 2
MAX_SIGNATURES = 80


def snippet(text: str, line: int, radius: int = SNIPPET_RADIUS) -> str:
    """The lines around `line` (1-based), each prefixed with its number; `>` marks the line itself."""
    rows = text.splitlines()
    start, stop = max(1, line - radius), min(len(rows), line + radius)
    return "\n".join(f"{'>' if n == line else ' '}{n:5d} | {rows[n - 1]}" for n in range(start, stop + 1))


def left_records(
    changes: Sequence[Change], sites: Sequence[CallSite], texts: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One record per change (API diff fields, `sites` with file, line, snippet and whether the call binds)."""
    records = []
    for change in changes:
        hits = [s for s in sites if s.change == change]
        if not hits:
            continue
        listed = [
            {"file": s.file, "line": s.line, "binds": s.binds, "snippet": snippet(texts.get(s.file, ""), s.line)}
            for s in hits
        ]
        records.append({**change.to_json(), "kind": change.kind.value, "severity": change.severity.value,
                        "sites": listed})  # fmt: skip
    return records


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def new_signatures(surface: ApiSurface, apis: Sequence[str], limit: int = MAX_SIGNATURES) -> list[str]:
    """Signatures in the new version near the broken APIs: same container, same name, then the same package.

    Nearness first, then path order; only public objects whose signature is known statically."""
    containers = {_parent(api) for api in apis} | {api for api in apis}
    names = {api.rpartition(".")[2] for api in apis}
    ranked: list[tuple[int, str, str]] = []
    for path, obj in surface.objects.items():
        signature = obj.signature()
        if not obj.public or signature is None or obj.alias_of:
            continue
        near = _parent(path) in containers or _parent(_parent(path)) in containers
        rank = 0 if near else 1 if obj.name in names else 2
        ranked.append((rank, path, f"{path}{signature}"))
    return [text for _, _, text in sorted(ranked)[:limit]]
