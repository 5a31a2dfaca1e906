"""Selection benchmark bookkeeping: the tally of pools, the calibration fit, and the printed report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reviewers.base import Evidence
from reviewers.confidence import Calibration, confidence, fit
from tests.benchmarks.selection_units import Unit

__all__ = ["Tally", "fit_and_store", "report"]

MIN_POOLS_TO_FIT = 20


@dataclass
class Pool:
    """One judged pool: its repository, the panel's signals, and whether the winner was right."""

    repo: str
    signals: dict[str, float]
    right: bool


@dataclass
class Tally:
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    full: list[Pool] = field(default_factory=list)
    abstain: list[Pool] = field(default_factory=list)
    pool_sizes: list[int] = field(default_factory=list)
    votes_only: int = 0
    no_voter_units: int = 0
    winners: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    pairs: int = 0
    organic_first: int = 0

    def skip(self, repo: str, unit: Unit, reason: str) -> None:
        self.skipped.append((repo, unit.sha[:10], reason))

    def add_full(self, repo: str, evidence: Evidence, right: bool, votes_right: bool, kinds: dict[str, str]) -> None:
        self.full.append(Pool(repo, dict(evidence.signals), right))
        self.pool_sizes.append(len(evidence.candidates))
        self.no_voter_units += not evidence.voting_tests
        self.votes_only += votes_right
        winner = evidence.ranking.winner
        self.winners[kinds[winner.id] if winner else "none (all rejected)"] += 1
        for entry in evidence.ranking.order:
            if entry.rejected:
                self.rejections[f"{kinds[entry.id]} by {entry.rejected.split(':', 1)[0]}"] += 1

    def add_pair(self, fix_first: bool) -> None:
        self.pairs += 1
        self.organic_first += fix_first

    def add_abstain(self, repo: str, signals: dict[str, float]) -> None:
        self.abstain.append(Pool(repo, dict(signals), False))


def pool_confidence(pool: Pool, calibration: Calibration) -> float:
    """The panel's confidence for a pool's signals (0 when every candidate was rejected)."""
    return confidence(pool.signals, calibration) if "organicity" in pool.signals else 0.0


def _fit(pools: list[Pool]) -> Calibration:
    return fit([p.signals for p in pools], [p.right for p in pools])


def fit_and_store(tally: Tally, path: Path) -> Calibration:
    """Fit on every labelled pool (full pools: was the winner right; pools without the fix: never) and store it."""
    pools = tally.full + tally.abstain
    if len(pools) < MIN_POOLS_TO_FIT:
        print(f"calibration NOT fitted: {len(pools)} labelled pools < {MIN_POOLS_TO_FIT}")
        from reviewers.confidence import load_calibration

        return load_calibration(path)
    calibration = _fit(pools)
    path.write_text(json.dumps(calibration.to_json(), indent=1) + "\n")
    print(f"calibration fitted on {calibration.fitted_on} labelled pools, written to {path}")
    return calibration


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100.0 * a / b:.1f}%" if b else "n/a (0 pools)"


def _abstained(pools: list[Pool], calibration: Calibration) -> int:
    return sum(pool_confidence(p, calibration) < calibration.draft for p in pools)


def cross_repo_abstention(tally: Tally) -> tuple[int, int, int, int]:
    """Abstention and right-PR counts when each repository is scored by a calibration fitted on the others."""
    abstained = held = published = right = 0
    for repo in sorted({p.repo for p in tally.full}):
        train = [p for p in tally.full + tally.abstain if p.repo != repo]
        if len(train) < MIN_POOLS_TO_FIT // 2:
            continue
        calibration = _fit(train)
        tests = [p for p in tally.abstain if p.repo == repo]
        abstained += _abstained(tests, calibration)
        held += len(tests)
        oks = [p for p in tally.full if p.repo == repo and p.right]
        published += sum(pool_confidence(p, calibration) >= calibration.draft for p in oks)
        right += len(oks)
    return abstained, held, published, right


def report(tally: Tally, calibration: Calibration, elapsed: float) -> None:
    units = len(tally.full)
    correct = sum(p.right for p in tally.full)
    print(f"units evaluated: {units}; skipped: {len(tally.skipped)}; elapsed {elapsed:.0f}s")
    for repo, sha, reason in tally.skipped:
        print(f"  skipped {repo} {sha}: {reason}")
    print(
        f"pools: {units} full (sizes {tally.pool_sizes}), {len(tally.abstain)} without the fix; "
        f"{tally.no_voter_units} units with no voters (one added test: oracle only)"
    )
    print(f"winners by kind: {dict(tally.winners)}; rejections: {dict(tally.rejections)}")
    print(f"selection accuracy (panel, LLM-free):  {pct(correct, units)}")
    print(f"baseline, test votes alone:            {pct(tally.votes_only, units)}")
    if tally.votes_only:
        print(f"ratio panel / votes-only:              {correct / tally.votes_only:.2f}")
    oks = [p for p in tally.full if p.right]
    published = sum(pool_confidence(p, calibration) >= calibration.draft for p in oks)
    print(
        f"abstention (fix removed), calibration fitted on {calibration.fitted_on} pools, draft threshold "
        f"{calibration.draft}: {pct(_abstained(tally.abstain, calibration), len(tally.abstain))} "
        f"(in-sample); right winners still published: {pct(published, len(oks))}"
    )
    abstained, held, cross_published, right = cross_repo_abstention(tally)
    print(
        f"abstention, leave-one-repo-out calibration: {pct(abstained, held)}; "
        f"right winners still published: {pct(cross_published, right)}"
    )
    print(f"organicity alone, fix vs fix+noise/reformat: {pct(tally.organic_first, tally.pairs)}")
