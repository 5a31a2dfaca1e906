"""Flaky detection: a test that both passes and fails on the same code across repeated runs."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.junit import Outcome, TestResult


class Stability(enum.Enum):
    """How a test behaved across repeats."""

    PASSING = "passing"
    FAILING = "failing"
    FLAKY = "flaky"
    SKIPPED = "skipped"
    MISSING = "missing"  # did not run in every repeat


@dataclass(frozen=True)
class TestHistory:
    """A test's outcomes over the repeats, and what they add up to."""

    __test__ = False  # not a pytest test class

    node_id: str
    outcomes: tuple[Outcome | None, ...]
    stability: Stability


def classify(outcomes: Sequence[Outcome | None]) -> Stability:
    """Passing and failing (or erroring) on the same code is flaky; a missing repeat is reported as such."""
    seen = set(outcomes)
    bad = {Outcome.FAILED, Outcome.ERROR}
    if Outcome.PASSED in seen and seen & bad:
        return Stability.FLAKY
    if None in seen:
        return Stability.MISSING
    if seen & bad:
        return Stability.FAILING
    if seen == {Outcome.SKIPPED}:
        return Stability.SKIPPED
    return Stability.PASSING


def histories(repeats: Sequence[Sequence[TestResult]]) -> list[TestHistory]:
    """One history per node id seen in any repeat, in first-seen order."""
    order: list[str] = []
    by_repeat: list[dict[str, Outcome]] = []
    for results in repeats:
        by_repeat.append({r.node_id: r.outcome for r in results})
        order += [r.node_id for r in results if r.node_id not in order]
    found = []
    for node in order:
        outcomes = tuple(run.get(node) for run in by_repeat)
        found.append(TestHistory(node_id=node, outcomes=outcomes, stability=classify(outcomes)))
    return found


def flaky_ids(repeats: Sequence[Sequence[TestResult]]) -> set[str]:
    """Node ids of the tests that were flaky across `repeats`."""
    return {h.node_id for h in histories(repeats) if h.stability is Stability.FLAKY}
