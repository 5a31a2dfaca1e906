"""Confidence, its calibration and the publish decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewers.base import Decision
from reviewers.confidence import Calibration, confidence, decide, fit, load_calibration
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
