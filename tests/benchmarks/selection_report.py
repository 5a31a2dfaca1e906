"""Selection benchmark bookkeeping: rows per unit, the tally, the calibration fit (cross-validated) and the report.

A row is what one unit produced (a JSON object, also one line of the results file), so the report and the fit
are the same whether they read a live run or the results files of earlier runs (`--from-results`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewers.confidence import Calibration, confidence, fit, load_calibration

__all__ = ["Pool", "Tally", "cross_validated", "fit_and_store", "report"]

MIN_POOLS_TO_FIT = 20
FOLDS = 5
# Not fitted: in this benchmark a candidate only has company in its cluster when it is the fix and the pool holds
# its reformatted copy, so the signal would learn the pool's construction, not the panel's reliability.
NOT_FITTED = ("agreement",)
PRECISION = (0.97, 0.9)  # ready, draft


@dataclass
class Pool:
    """One judged pool: its unit, the panel's signals (empty: every candidate rejected), whether it was right."""

    repo: str
    unit: str
    signals: dict[str, float]
    right: bool


@dataclass
class Tally:
    """Every row of a run, and the pools and counts derived from them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
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
    tie_broken: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if row["status"] != "ok":
            self.skipped.append((row["repo"], row["sha"][:10], row["reason"]))
            return
        self.full.append(Pool(row["repo"], row["sha"], row["signals"], row["right"]))
        self.pool_sizes.append(len(row["ranking"]))
        self.no_voter_units += row["voters"] == 0
        self.votes_only += row["votes_right"]
        self.winners[row["winner_kind"] or "none (all rejected)"] += 1
        for entry in row["ranking"]:
            if entry["rejected"]:
                self.rejections[f"{entry['kind']} by {entry['rejected'].split(':', 1)[0]}"] += 1
        self.tie_broken += row["right"] and _tie_broken(row["ranking"])
        for fix_first in row["pairs"].values():
            self.pairs += 1
            self.organic_first += fix_first
        if row["abstain_signals"] is not None:
            self.abstain.append(Pool(row["repo"], row["sha"], row["abstain_signals"], False))

    def per_repo(self) -> dict[str, tuple[int, int]]:
        """Repository -> (units evaluated, units skipped)."""
        repos = sorted({r["repo"] for r in self.rows})
        return {
            repo: (
                sum(r["repo"] == repo and r["status"] == "ok" for r in self.rows),
                sum(r["repo"] == repo and r["status"] != "ok" for r in self.rows),
            )
            for repo in repos
        }


def _tie_broken(ranking: list[dict[str, Any]]) -> bool:
    """The winner equals a candidate of another cluster on votes and organicity: the cluster size (how many
    candidates share its normalized code) decided."""
    live = [e for e in ranking if not e["rejected"]]
    if len(live) < 2:
        return False
    top = live[0]
    return any(
        e.get("cluster", e["kind"]) != top.get("cluster", top["kind"])
        and e["votes"] == top["votes"]
        and round(e["organicity"], 6) == round(top["organicity"], 6)
        for e in live[1:]
    )


def pool_confidence(pool: Pool, calibration: Calibration) -> float:
    """The panel's confidence for a pool's signals (0 when every candidate was rejected)."""
    return confidence(pool.signals, calibration) if "organicity" in pool.signals else 0.0


def _fit(pools: list[Pool]) -> Calibration:
    """The logistic model, and thresholds at which published pools were right 97% (ready) / 90% (draft) of the
    time on these pools."""
    return fit([p.signals for p in pools], [p.right for p in pools], precision=PRECISION)


def _fold(unit: str, folds: int) -> int:
    return int(hashlib.sha256(unit.encode()).hexdigest()[:8], 16) % folds


def _without(pools: list[Pool], drop: tuple[str, ...]) -> list[Pool]:
    return [Pool(p.repo, p.unit, {k: v for k, v in p.signals.items() if k not in drop}, p.right) for p in pools]


def cross_validated(tally: Tally, folds: int = FOLDS, drop: tuple[str, ...] = ()) -> tuple[int, int, int, int]:
    """Out-of-fold (abstained, pools without the fix, right winners published, right winners): each unit's
    pools are scored by a calibration fitted on the other folds' units only; `drop` leaves signals out."""
    abstained = held = published = right = 0
    full, without_fix = _without(tally.full, drop), _without(tally.abstain, drop)
    for k in range(folds):
        train = [p for p in full + without_fix if _fold(p.unit, folds) != k]
        if len(train) < 2 or len({p.right for p in train}) < 2:
            continue
        calibration = _fit(train)
        tests = [p for p in without_fix if _fold(p.unit, folds) == k]
        abstained += sum(pool_confidence(p, calibration) < calibration.draft for p in tests)
        held += len(tests)
        oks = [p for p in full if p.right and _fold(p.unit, folds) == k]
        published += sum(pool_confidence(p, calibration) >= calibration.draft for p in oks)
        right += len(oks)
    return abstained, held, published, right


def fit_and_store(tally: Tally, path: Path, sources: Sequence[str]) -> Calibration:
    """Fit on every labelled pool (full pools: was the winner right; pools without the fix: never), store it with
    the data it was fitted on; the report's held-out figures come from `cross_validated`, not from this fit."""
    pools = _without(tally.full + tally.abstain, NOT_FITTED)
    if len(pools) < MIN_POOLS_TO_FIT or len({p.right for p in pools}) < 2:
        print(f"calibration NOT fitted: {len(pools)} labelled pools (need {MIN_POOLS_TO_FIT}, both labels)")
        return load_calibration(path)
    calibration = _fit(pools)
    units = sorted({f"{p.repo}@{p.unit[:10]}" for p in pools})
    rows = [
        {"unit": f"{p.repo}@{p.unit[:10]}", "right": p.right, "signals": {k: round(v, 4) for k, v in p.signals.items()}}
        for p in pools
    ]
    provenance = {
        "fitted_by": "tests.benchmarks.bench_selection --fit (LLM judge off)",
        "results": list(sources),
        "pools": {"full": len(tally.full), "without_fix": len(tally.abstain), "right": sum(p.right for p in pools)},
        "units": units,
        "held_out": f"{FOLDS}-fold cross-validation by unit in the report; this file is the fit on all pools",
        "not_fitted": list(NOT_FITTED),
        "rows": rows,
    }
    path.write_text(json.dumps({**calibration.to_json(), "provenance": provenance}, indent=1) + "\n")
    print(f"calibration fitted on {calibration.fitted_on} labelled pools, written to {path}")
    return calibration


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100.0 * a / b:.1f}%" if b else "n/a (0 pools)"


def report(tally: Tally, calibration: Calibration, elapsed: float) -> None:
    units = len(tally.full)
    correct = sum(p.right for p in tally.full)
    print(f"units evaluated: {units}; skipped: {len(tally.skipped)}; elapsed {elapsed:.0f}s")
    for repo, (done, skipped) in tally.per_repo().items():
        print(f"  {repo}: {done} evaluated, {skipped} skipped")
    for repo, sha, reason in tally.skipped:
        print(f"  skipped {repo} {sha}: {reason}")
    print(
        f"pools: {units} full (sizes {tally.pool_sizes}), {len(tally.abstain)} without the fix; "
        f"{tally.no_voter_units} units with no voters (one added test: oracle only)"
    )
    print(f"winners by kind: {dict(tally.winners)}; rejections: {dict(tally.rejections)}")
    print(f"selection accuracy (panel, LLM-free):  {pct(correct, units)}")
    print(f"  of the right picks, decided by cluster size (tied on votes and organicity): {tally.tie_broken}")
    print(f"baseline, test votes alone:            {pct(tally.votes_only, units)}")
    if tally.votes_only:
        print(f"ratio panel / votes-only:              {correct / tally.votes_only:.2f}")
    _report_abstention(tally, calibration)
    print(f"organicity alone, fix vs fix+noise/reformat: {pct(tally.organic_first, tally.pairs)}")


def _report_abstention(tally: Tally, calibration: Calibration) -> None:
    """Held-out abstention (with and without the unfitted signals) and the stored calibration's figures."""
    abstained, held, published, right = cross_validated(tally, drop=NOT_FITTED)
    print(
        f"abstention (fix removed), held out ({FOLDS}-fold by unit, each fold's own fit and thresholds, signals "
        f"{', '.join(NOT_FITTED)} left out as in the stored fit): {pct(abstained, held)}; "
        f"right winners still published: {pct(published, right)}"
    )
    abstained, held, published, right = cross_validated(tally)
    print(
        f"  the same with the agreement signal fitted too (it comes only from the reformatted copy of the fix "
        f"here): {pct(abstained, held)}; right winners still published: {pct(published, right)}"
    )
    oks = [p for p in tally.full if p.right]
    in_sample = sum(pool_confidence(p, calibration) < calibration.draft for p in tally.abstain)
    print(
        f"stored calibration: fitted on {calibration.fitted_on} pools, draft >= {calibration.draft:.3f}, ready >= "
        f"{calibration.ready:.3f}"
    )
    print(
        f"abstention with the stored calibration (fitted on {calibration.fitted_on} pools; in-sample when it was "
        f"fitted on these): {pct(in_sample, len(tally.abstain))}; right winners published: "
        f"{pct(sum(pool_confidence(p, calibration) >= calibration.draft for p in oks), len(oks))}"
    )
