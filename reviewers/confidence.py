"""Confidence from the panel's signals: a calibrated logistic model, and the publish decision (a pure core).

The calibration (weights, bias, thresholds) is fitted on the selection benchmark's labelled pools and
stored in `calibration.json` beside this module; `fit` is how it is produced.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reviewers.base import Decision
from reviewers.errors import CalibrationError

__all__ = [
    "DEFAULT_PATH",
    "FEATURES",
    "Calibration",
    "confidence",
    "decide",
    "fit",
    "load_calibration",
    "threshold_for",
]

DEFAULT_PATH = Path(__file__).with_name("calibration.json")
FEATURES = (
    "vote_share",  # the winner's votes over the voting tests (0 when nothing votes)
    "vote_margin",  # the winner's lead over the best candidate of another cluster, as a share of voters
    "has_voters",  # 1 when at least one test fails on the original
    "guard_clean",  # 1 when the winner broke no existing test and the guard ran at least one test
    "organicity",  # the winner's organicity total
    "agreement",  # the share of the other candidates that are equivalent to the winner (0 when it is alone)
    "judge_agrees",  # 1 the judge picked the LLM-free winner, 0 it did not, 0.5 no judge
)


@dataclass(frozen=True)
class Calibration:
    """A logistic model over FEATURES and the thresholds of the decision."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 1.0))
    bias: float = -3.0
    ready: float = 0.8
    draft: float = 0.5
    fitted_on: int = 0

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "weights": dict(self.weights)}


def load_calibration(path: Path = DEFAULT_PATH) -> Calibration:
    """The stored calibration; CalibrationError when it is missing or malformed."""
    try:
        raw = json.loads(path.read_text())
        weights = {name: float(raw["weights"][name]) for name in FEATURES}
        return Calibration(weights, float(raw["bias"]), float(raw["ready"]), float(raw["draft"]), int(raw["fitted_on"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalibrationError(f"cannot read the calibration at {path}: {exc}") from exc


def confidence(signals: Mapping[str, float], calibration: Calibration) -> float:
    """P(the winner is right) under the calibration; missing signals count as 0."""
    z = calibration.bias + sum(calibration.weights.get(n, 0.0) * signals.get(n, 0.0) for n in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def decide(value: float, calibration: Calibration) -> Decision:
    """Ready PR, draft PR or only a comment, by the calibration's thresholds."""
    if value >= calibration.ready:
        return Decision.READY_PR
    if value >= calibration.draft:
        return Decision.DRAFT_PR
    return Decision.COMMENT


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    *,
    l2: float = 0.01,
    steps: int = 4000,
    rate: float = 1.0,
    ready: float = 0.8,
    draft: float = 0.5,
    precision: tuple[float, float] | None = None,
    monotone: bool = True,
) -> Calibration:
    """Fit the logistic model by gradient descent on (signals, winner was right) pairs, with L2 shrinkage.

    `monotone` keeps every weight at or above 0 (projected gradient): more evidence for the winner never lowers
    the confidence, whatever a small fitting set happens to correlate (a prior, not a finding).

    With `precision` = (ready, draft) targets, the thresholds are chosen on the same rows instead: the lowest
    confidence from which the published pools are right at least that often (see `threshold_for`)."""
    if not rows or len(rows) != len(labels):
        raise CalibrationError("fitting needs as many labels as rows, and at least one")
    xs = [[float(row.get(name, 0.0)) for name in FEATURES] for row in rows]
    ys = [1.0 if label else 0.0 for label in labels]
    w, b = _descend(xs, ys, l2=l2, steps=steps, rate=rate, monotone=monotone)
    n = len(xs)
    calibration = Calibration(dict(zip(FEATURES, w, strict=True)), b, ready, draft, n)
    if precision is None:
        return calibration
    scores = [confidence(row, calibration) for row in rows]
    draft = threshold_for(scores, labels, precision[1], floor=0.5)
    ready = max(draft, threshold_for(scores, labels, precision[0], floor=0.5))
    return Calibration(calibration.weights, b, ready, draft, n)


def _descend(
    xs: list[list[float]], ys: list[float], *, l2: float, steps: int, rate: float, monotone: bool
) -> tuple[list[float], float]:
    """Gradient descent on the mean log loss plus L2 on the weights; weights projected to >= 0 when monotone."""
    w = [0.0] * len(FEATURES)
    b = 0.0
    n = len(xs)
    for _ in range(steps):
        grad_w = [l2 * wi for wi in w]
        grad_b = 0.0
        for x, y in zip(xs, ys, strict=True):
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, b + sum(wi * xi for wi, xi in zip(w, x, strict=True))))))
            for j, xj in enumerate(x):
                grad_w[j] += (p - y) * xj / n
            grad_b += (p - y) / n
        w = [wi - rate * gi for wi, gi in zip(w, grad_w, strict=True)]
        w = [max(0.0, wi) for wi in w] if monotone else w
        b -= rate * grad_b
    return w, b


def threshold_for(scores: Sequence[float], labels: Sequence[bool], precision: float, floor: float = 0.5) -> float:
    """The lowest threshold (at least `floor`) at which the pools scoring at or above it are right at least
    `precision` of the time; 1.0 when no threshold reaches it (then almost nothing is published)."""
    for threshold in sorted({s for s in scores if s >= floor}):
        published = [label for score, label in zip(scores, labels, strict=True) if score >= threshold]
        if sum(published) >= precision * len(published):
            return threshold
    return 1.0
