"""Confidence, its calibration and the publish decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewers.base import Decision
from reviewers.confidence import Calibration, confidence, decide, fit, load_calibration, threshold_for
from reviewers.errors import CalibrationError


@pytest.mark.parametrize(
    ("value", "decision"),
    [(0.95, Decision.READY_PR), (0.8, Decision.READY_PR), (0.6, Decision.DRAFT_PR), (0.2, Decision.COMMENT)],
)
def test_decide(value: float, decision: Decision) -> None:
    """Thresholds split ready PR, draft PR and comment."""
    assert decide(value, Calibration()) is decision


def test_fit_orders_confidence_by_evidence() -> None:
    """After fitting, pools with strong votes get higher confidence than pools without."""
    rows = [{"vote_share": 1.0, "has_voters": 1.0}] * 20 + [{"vote_share": 0.0, "has_voters": 0.0}] * 20
    labels = [True] * 18 + [False] * 2 + [False] * 17 + [True] * 3
    calibration = fit(rows, labels)
    strong = confidence({"vote_share": 1.0, "has_voters": 1.0}, calibration)
    weak = confidence({}, calibration)
    assert strong > 0.8
    assert weak < 0.25


def test_stored_calibration_loads() -> None:
    """The calibration shipped beside the module is readable."""
    assert load_calibration().fitted_on >= 0


def test_missing_calibration_is_an_error(tmp_path: Path) -> None:
    """A missing file raises CalibrationError."""
    with pytest.raises(CalibrationError):
        load_calibration(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("scores", "labels", "precision", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.6], [True, True, False, False], 0.9, 0.8),
        ([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.9, 0.7),
        ([0.9, 0.8, 0.4], [False, False, True], 0.5, 1.0),
        ([0.95, 0.55, 0.52], [True, False, True], 0.6, 0.52),
    ],
)
def test_threshold_for_table(scores: list[float], labels: list[bool], precision: float, expected: float) -> None:
    """The threshold is the lowest score from which the published pools reach the precision (1.0: none does)."""
    assert threshold_for(scores, labels, precision) == expected


def test_fit_with_precision_targets_raises_the_draft_threshold_over_a_coin_flip() -> None:
    """Pools the signals cannot tell apart (half right) stay below the draft threshold when 90% is required."""
    rows = [{"vote_share": 1.0, "has_voters": 1.0}] * 10 + [{"organicity": 1.0}] * 20
    labels = [True] * 10 + [True, False] * 10
    calibration = fit(rows, labels, precision=(0.97, 0.9))
    assert decide(confidence({"organicity": 1.0}, calibration), calibration) is Decision.COMMENT
    assert decide(confidence(rows[0], calibration), calibration) is not Decision.COMMENT


def test_monotone_fit_never_turns_evidence_against_the_winner() -> None:
    """A feature that happens to correlate with wrong winners gets weight 0, not a negative weight."""
    rows = [{"vote_share": 1.0, "agreement": 1.0}] * 10 + [{"vote_share": 1.0}] * 10 + [{}] * 10
    labels = [False] * 5 + [True] * 5 + [True] * 10 + [False] * 10
    assert fit(rows, labels).weights["agreement"] == 0.0
    assert fit(rows, labels, monotone=False).weights["agreement"] < 0.0
