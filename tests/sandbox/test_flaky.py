"""Flaky detection across repeats."""

from __future__ import annotations

import pytest

from sandbox.flaky import Stability, classify, flaky_ids, histories
from sandbox.junit import Outcome, TestResult

P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ((P, P, P), Stability.PASSING),
        ((F, F), Stability.FAILING),
        ((P, F, P), Stability.FLAKY),
        ((E, P), Stability.FLAKY),
        ((S, S), Stability.SKIPPED),
        ((P, None), Stability.MISSING),
        ((P, None, F), Stability.FLAKY),
        ((S, P), Stability.PASSING),
    ],
)
def test_classify(outcomes: tuple[Outcome | None, ...], expected: Stability) -> None:
    """Passing and failing on the same code is flaky; consistent outcomes are stable."""
    assert classify(outcomes) is expected


def test_histories_follow_node_ids_across_repeats() -> None:
    """Each node id gets its outcomes in repeat order, including repeats where it is absent."""
    first = [TestResult("a", P, 0.1), TestResult("b", F, 0.1)]
    second = [TestResult("b", P, 0.1), TestResult("c", P, 0.1)]
    found = {h.node_id: h.outcomes for h in histories([first, second])}
    assert found == {"a": (P, None), "b": (F, P), "c": (None, P)}
    assert flaky_ids([first, second]) == {"b"}
