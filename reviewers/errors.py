"""Errors raised by the reviewers.

ReviewerError
├── PatchError          a candidate's diff is malformed or does not apply to the original texts
├── RunnerError         running tests for a review failed for a reason other than the tests themselves
└── CalibrationError    the calibration file is missing, malformed, or cannot be fitted
"""

from __future__ import annotations


class ReviewerError(Exception):
    """Base of every reviewer error."""


class PatchError(ReviewerError):
    """A diff is malformed or does not apply to the texts it claims to change."""


class RunnerError(ReviewerError):
    """Tests could not be run (sandbox failure, unreadable report); carries the cause as __cause__."""


class CalibrationError(ReviewerError):
    """The confidence calibration cannot be loaded or fitted."""
