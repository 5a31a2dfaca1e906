"""Change history: units, per-file touches, function touches, co-change counts and the recency prior."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from memory.model import Unit
from memory.paths import is_candidate

__all__ = ["History"]

MAX_COCHANGE_FILES = 30  # bulk reformatting units say nothing about which files belong together
PRIOR_HALF_LIFE_UNITS = 150.0


class History:
    """Everything memory learns from the sequence of units, keyed by the files' current paths."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.touches: dict[str, list[int]] = defaultdict(list)
        self.func_touches: dict[str, Counter[str]] = defaultdict(Counter)
        self.cochange: dict[str, Counter[str]] = defaultdict(Counter)
        self.unit_paths: list[list[str]] = []  # per unit, the candidate paths it touched (renames followed)
        self.by_sha: dict[str, int] = {}
        self.version = 0  # bumped by every add, so derived arrays know when to recompute
        self._reverted: tuple[int, set[str]] = (-1, set())

    def _rename(self, old: str, new: str) -> None:
        for index in self.touches.get(old, ()):  # only the units that touched `old` mention it
            paths = self.unit_paths[index]
            self.unit_paths[index] = [new if p == old else p for p in paths]
        for table in (self.touches, self.func_touches, self.cochange):
            if old in table:
                table[new] = table.pop(old)  # type: ignore[assignment]
        for other in self.cochange.values():
            if old in other:
                other[new] += other.pop(old)

    def add(self, unit: Unit, funcs: dict[str, list[str]] | None = None) -> None:
        """Record a unit; `funcs` (path -> qualnames, from ast) overrides git's hunk-header names."""
        index = len(self.units)
        self.version += 1
        self.units.append(unit)
        self.by_sha[unit.sha] = index
        for change in unit.files:
            if change.status == "R" and change.old_path != change.path:
                self._rename(change.old_path, change.path)
        paths = [c.path for c in unit.files if c.status != "D" and is_candidate(c.path)]
        self.unit_paths.append(paths)
        for change in unit.files:
            if change.status == "D" or not is_candidate(change.path):
                continue
            self.touches[change.path].append(index)
            names = (funcs or {}).get(change.path) or change.funcs
            self.func_touches[change.path].update(n.rsplit(".", 1)[-1] for n in names)
        if 1 < len(paths) <= MAX_COCHANGE_FILES:
            for a in paths:
                self.cochange[a].update(b for b in paths if b != a)

    def prior(self, path: str) -> float:
        """Recency-weighted touch frequency: each touch decays by half every PRIOR_HALF_LIFE_UNITS units."""
        now = len(self.units)
        total = sum(0.5 ** ((now - i) / PRIOR_HALF_LIFE_UNITS) for i in self.touches.get(path, ()))
        return math.log1p(total)

    def cochange_prob(self, seed: str, other: str) -> float:
        """P(other changes | seed changes), from the units that touched seed."""
        count = len(self.touches.get(seed, ()))
        return self.cochange[seed][other] / count if count and seed in self.cochange else 0.0

    def reverted_shas(self) -> set[str]:
        """The shas reverted by some unit (kept until the next add)."""
        if self._reverted[0] != self.version:
            self._reverted = (self.version, {u.reverts for u in self.units if u.reverts})
        return self._reverted[1]
