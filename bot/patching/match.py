"""Locate a block of lines in a file, from strict to loose, and render its replacement in the file's style.

Pure functions over lists of lines (no line endings). Each strategy either finds exactly one place, finds
several (ambiguous: looser strategies are not tried, since they would only find more), or none.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.patching.edits import Strategy

__all__ = ["Ambiguous", "Found", "NotFound", "indent_width", "locate", "render"]

TAB = 4
FUZZY_MIN_LINES = 3
FUZZY_WINDOW_SCORE = 0.92
FUZZY_LINE_SCORE = 0.75
FUZZY_MAX_WORK = 4_000_000  # file lines x block lines compared at most


@dataclass(frozen=True)
class Found:
    start: int
    strategy: Strategy


@dataclass(frozen=True)
class Ambiguous:
    starts: tuple[int, ...]
    strategy: Strategy


@dataclass(frozen=True)
class NotFound:
    pass


Location = Found | Ambiguous | NotFound


def indent_width(line: str) -> int:
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    return len(lead.expandtabs(TAB))


def _squash(line: str) -> str:
    return " ".join(line.split())


def _same_exact(window: Sequence[str], block: Sequence[str]) -> bool:
    return list(window) == list(block)


def _same_whitespace(window: Sequence[str], block: Sequence[str]) -> bool:
    for a, b in zip(window, block, strict=True):
        if _squash(a) != _squash(b) or (a.strip() and indent_width(a) != indent_width(b)):
            return False
    return True


def _same_indent_relative(window: Sequence[str], block: Sequence[str]) -> bool:
    deltas = set()
    for a, b in zip(window, block, strict=True):
        if _squash(a) != _squash(b):
            return False
        if a.strip():
            deltas.add(indent_width(a) - indent_width(b))
    return len(deltas) <= 1


def _scan(
    lines: Sequence[str], block: Sequence[str], same: Callable[[Sequence[str], Sequence[str]], bool]
) -> list[int]:
    n = len(block)
    first = next((k for k, b in enumerate(block) if b.strip()), 0)
    key = _squash(block[first])
    starts = []
    for i in range(len(lines) - n + 1):
        if _squash(lines[i + first]) == key and same(lines[i : i + n], block):
            starts.append(i)
    return starts


def _fuzzy_scores(lines: Sequence[str], block: Sequence[str]) -> list[tuple[float, int]]:
    n = len(block)
    squashed = [_squash(b) for b in block]
    scored = []
    for i in range(len(lines) - n + 1):
        ratios = []
        for a, b in zip(lines[i : i + n], squashed, strict=True):
            matcher = difflib.SequenceMatcher(None, _squash(a), b, autojunk=False)
            ratios.append(matcher.ratio() if matcher.real_quick_ratio() >= FUZZY_LINE_SCORE else 0.0)
            if ratios[-1] < FUZZY_LINE_SCORE:
                break
        else:
            scored.append((sum(ratios) / n, i))
    return scored


def _fuzzy(lines: Sequence[str], block: Sequence[str]) -> Location:
    if len(block) < FUZZY_MIN_LINES or len(lines) * len(block) > FUZZY_MAX_WORK:
        return NotFound()
    good = [i for score, i in _fuzzy_scores(lines, block) if score >= FUZZY_WINDOW_SCORE]
    if len(good) == 1:
        return Found(good[0], Strategy.FUZZY)
    return Ambiguous(tuple(good), Strategy.FUZZY) if good else NotFound()


STRICT = (
    (Strategy.EXACT, _same_exact),
    (Strategy.WHITESPACE, _same_whitespace),
    (Strategy.INDENT, _same_indent_relative),
)


def locate(lines: Sequence[str], block: Sequence[str], *, hint: int | None = None, lo: int = 0) -> Location:
    """Where `block` occurs in `lines[lo:]`: one place, several, or none. `hint` picks among exact ties."""
    if not block or not any(b.strip() for b in block):
        return NotFound()
    region = lines[lo:]
    for strategy, same in STRICT:
        starts = [lo + s for s in _scan(region, block, same)]
        if len(starts) == 1:
            return Found(starts[0], strategy)
        if starts:
            return Found(hint, strategy) if hint in starts else Ambiguous(tuple(starts), strategy)
    found = _fuzzy(region, block)
    if isinstance(found, Found):
        return Found(lo + found.start, found.strategy)
    return found


def render(lines: Sequence[str], found: Found, search: Sequence[str], replace: Sequence[str]) -> list[str]:
    """The lines that take the matched window's place, in the file's indentation and whitespace."""
    if found.strategy is Strategy.EXACT:
        return _restyle_new_lines(lines, search, replace)
    window = lines[found.start : found.start + len(search)]
    delta = _indent_delta(window, search)
    use_tabs = _uses_tabs(window, lines)
    strip_trailing = any(s != s.rstrip() and w == w.rstrip() for s, w in zip(search, window, strict=True))
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, list(search), list(replace), autojunk=False)
    for tag, s1, _s2, r1, r2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(window[s1 : s1 + (r2 - r1)])
        else:
            out.extend(_reindent(line, delta, use_tabs, strip_trailing) for line in replace[r1:r2])
    return out


def _file_style(lines: Sequence[str]) -> str | None:
    """ "tabs" or "spaces" when the whole file indents one way only, else None."""
    tabs = any(line.startswith("\t") for line in lines)
    spaces = any(line.startswith("  ") and line.strip() for line in lines)
    if tabs != spaces:
        return "tabs" if tabs else "spaces"
    return None


def _restyle_new_lines(lines: Sequence[str], search: Sequence[str], replace: Sequence[str]) -> list[str]:
    """Exact matches keep the model's lines, except new lines indented against the file's only style."""
    style = _file_style(lines)
    foreign = "\t" if style == "spaces" else ("    " if style == "tabs" else None)
    if foreign is None or not any(r.startswith(foreign) for r in replace):
        return list(replace)
    known = set(search)
    return [r if r in known or not r.startswith(foreign) else _reindent(r, 0, style == "tabs", False) for r in replace]


def _indent_delta(window: Sequence[str], search: Sequence[str]) -> int:
    deltas = Counter(indent_width(w) - indent_width(s) for w, s in zip(window, search, strict=True) if s.strip())
    return deltas.most_common(1)[0][0] if deltas else 0


def _uses_tabs(window: Sequence[str], lines: Sequence[str]) -> bool:
    for sample in (window, lines):
        tabs = sum(1 for line in sample if line.startswith("\t"))
        spaces = sum(1 for line in sample if line.startswith(" ") and line.strip())
        if tabs or spaces:
            return tabs > spaces
    return False


def _reindent(line: str, delta: int, use_tabs: bool, strip_trailing: bool) -> str:
    body = line.strip(" \t") if strip_trailing else line.lstrip(" \t")
    if not body.strip():
        return ""
    width = max(0, indent_width(line) + delta)
    lead = "\t" * (width // TAB) + " " * (width % TAB) if use_tabs else " " * width
    return lead + body
