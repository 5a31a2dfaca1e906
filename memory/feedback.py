"""Outcomes of the bot's own pull requests: merged ones reinforce, rejected approaches are remembered as such."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memory.persist import write_atomic
from memory.textproc import tokenize

__all__ = ["Outcome", "load_outcomes", "rejected_like", "save_outcomes"]


@dataclass
class Outcome:
    """One bot PR's fate: the text it answered, the files it changed, merged or not, and why."""

    pr: int
    text: str
    files: list[str]
    merged: bool
    reason: str = ""
    at: float = field(default_factory=time.time)


def load_outcomes(path: Path) -> list[Outcome]:
    """Outcomes stored at `path`; a missing or unreadable file is an empty history."""
    try:
        rows = json.loads(path.read_text())
        return [Outcome(**row) for row in rows]
    except (OSError, ValueError, TypeError):
        return []


def save_outcomes(path: Path, outcomes: list[Outcome]) -> None:
    """Write outcomes atomically (temp file + rename; the temp file is removed if the write fails)."""
    write_atomic(path, json.dumps([asdict(o) for o in outcomes]).encode())


def rejected_like(outcomes: list[Outcome], text: str, k: int = 3) -> list[dict[str, Any]]:
    """Rejected bot PRs whose text shares words with `text`, most similar first, as recall items."""
    words = set(tokenize(text))
    scored = []
    for outcome in outcomes:
        if outcome.merged:
            continue
        overlap = len(words & set(tokenize(outcome.text))) / (len(words) or 1)
        if overlap > 0.2:
            scored.append((overlap, outcome))
    scored.sort(key=lambda item: -item[0])
    return [{"pr": o.pr, "files": o.files, "reason": o.reason, "rejected": True} for _, o in scored[:k]]
