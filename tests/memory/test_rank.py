"""Tests for memory.rank."""

from __future__ import annotations

import numpy as np
import pytest

from memory.rank import expand, expanded_names, fit_listwise, softmax_loss


def test_expand_appends_reciprocal_ranks_per_column() -> None:
    """Each column is followed (after all columns) by 1/(1+rank) of the row in it, 0 where the value is 0."""
    features = np.array([[0.2, 0.0], [0.9, 0.5], [0.5, 0.0]], dtype=np.float32)
    out = expand(features)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out[:, :2], features)
    np.testing.assert_allclose(out[:, 2], [1 / 3, 1.0, 1 / 2])
    np.testing.assert_allclose(out[:, 3], [0.0, 1.0, 0.0])


def test_expand_handles_no_candidates() -> None:
    """An empty candidate set expands to an empty matrix of the expanded width."""
    assert expand(np.zeros((0, 3), dtype=np.float32)).shape == (0, 6)


def test_expanded_names_follow_expand_order() -> None:
    """Names list the plain columns first, then their rank columns."""
    assert expanded_names(["a", "b"]) == ["a", "b", "a:rank", "b:rank"]


def _queries(rng: np.random.Generator, informative: int, count: int) -> list[tuple[np.ndarray, list[int]]]:
    queries = []
    for _ in range(count):
        x = rng.random((15, 3))
        gold = int(rng.integers(15))
        x[gold, informative] += 1.0
        queries.append((x, [gold]))
    return queries


def test_fit_listwise_weights_the_informative_column() -> None:
    """When one column marks the gold row, the fit puts the largest weight on it and lowers the loss."""
    queries = _queries(np.random.default_rng(1), informative=2, count=30)
    w = fit_listwise(queries, l2=0.01)
    assert int(np.argmax(w)) == 2
    assert softmax_loss(w, queries) < softmax_loss(np.zeros(3), queries)


@pytest.mark.parametrize("l2", [0.01, 1.0])
def test_stronger_penalty_gives_smaller_weights(l2: float) -> None:
    """The L2 penalty shrinks the weights: a 100x stronger penalty gives a smaller weight norm."""
    queries = _queries(np.random.default_rng(2), informative=0, count=20)
    assert np.linalg.norm(fit_listwise(queries, 100 * l2)) < np.linalg.norm(fit_listwise(queries, l2))


def test_fit_listwise_without_queries_returns_the_center() -> None:
    """No training queries leave the weights at the center they are shrunk towards."""
    np.testing.assert_allclose(fit_listwise([], 0.1, center=np.array([1.0, 2.0])), [1.0, 2.0])


def test_strong_penalty_keeps_weights_near_the_center() -> None:
    """A very strong penalty keeps the fit at the given center rather than at zero."""
    queries = _queries(np.random.default_rng(4), informative=1, count=10)
    center = np.array([0.5, 0.5, 0.5])
    np.testing.assert_allclose(fit_listwise(queries, 1e6, center=center), center, atol=1e-3)
