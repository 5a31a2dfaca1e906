"""Messages for the model about blocks that did not apply: what was wrong and the closest real lines."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence

from bot.patching.edits import EditResult, Replace

__all__ = ["ambiguous_message", "closest_lines", "describe_failures", "not_found_message", "numbered"]

MAX_SCAN_LINES = 20_000
SHORTLIST = 8


def _squash(line: str) -> str:
    return " ".join(line.split())


def closest_lines(lines: Sequence[str], block: Sequence[str]) -> tuple[int, list[str]] | None:
    """The start and text of the window of the file that looks most like `block`, or None for no likeness.

    Bounded: candidate starts are voted for by single lines that resemble the block's lines, and only the
    most voted windows are scored, line by line.
    """
    if not lines or not block:
        return None
    n = len(block)
    squashed = [_squash(x) for x in lines[:MAX_SCAN_LINES]]
    positions: dict[str, list[int]] = {}
    for i, x in enumerate(squashed):
        positions.setdefault(x, []).append(i)
    wanted_lines = [_squash(b) for b in block]
    votes: Counter[int] = Counter()
    fuzzy_left = 3  # get_close_matches scans every distinct line: a few calls at most
    for offset, wanted in enumerate(wanted_lines[: SHORTLIST * 4]):
        if len(wanted) < 4:
            continue
        if wanted in positions:
            close = [wanted]
        elif fuzzy_left:
            fuzzy_left -= 1
            close = difflib.get_close_matches(wanted, list(positions), n=3, cutoff=0.6)
        else:
            continue
        for line in close:
            votes.update(max(0, i - offset) for i in positions[line][:SHORTLIST])
    best_score, best = 0.0, -1
    for i, _ in votes.most_common(SHORTLIST):
        window = squashed[i : i + n]
        pairs = zip(window, wanted_lines, strict=False)
        score = sum(difflib.SequenceMatcher(None, a, b, False).ratio() for a, b in pairs) / n
        if score > best_score:
            best_score, best = score, i
    if best < 0 or best_score < 0.3:
        return None
    return best, list(lines[best : best + n])


def numbered(start: int, lines: Sequence[str]) -> str:
    return "\n".join(f"{start + k + 1:>5} | {line}" for k, line in enumerate(lines))


def describe_failures(results: Sequence[EditResult]) -> str:
    """One section per failed edit, to send back with the request to resend only those blocks."""
    parts = []
    for number, result in enumerate(results, 1):
        if result.ok:
            continue
        edit = result.edit
        target = edit.path if isinstance(edit, Replace) else f"{type(edit).__name__.lower()} {edit.path}"
        parts.append(f"## Failed edit {number}: {target} ({result.status.value})\n{result.message}")
    if not parts:
        return ""
    head = "Some edits were NOT applied (all others were). Resend only these, corrected, against the current file:"
    return head + "\n\n" + "\n\n".join(parts)


def not_found_message(path: str, lines: Sequence[str], block: Sequence[str]) -> str:
    close = closest_lines(lines, block)
    if close is None:
        return f"The SEARCH text does not occur in {path}, and nothing in it looks similar."
    start, window = close
    return (
        f"The SEARCH text does not occur in {path}. Did you mean these lines "
        f"({start + 1}-{start + len(window)})? Copy them exactly:\n{numbered(start, window)}"
    )


def ambiguous_message(path: str, lines: Sequence[str], starts: Sequence[int], size: int) -> str:
    where = ", ".join(str(s + 1) for s in starts[:10])
    sample = numbered(starts[0], lines[starts[0] : starts[0] + size]) if starts else ""
    return (
        f"The SEARCH text occurs {len(starts)} times in {path} (at lines {where}); nothing was changed. "
        f"Add surrounding lines so that it matches exactly one place. First occurrence:\n{sample}"
    )
