"""Tests for memory.fusion."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse  # type: ignore[import-untyped]

from memory.fusion import (
    COLUMNS,
    FEATURES,
    SIGNALS,
    Example,
    Weights,
    calibrate,
    complete,
    contributions,
    fuse,
    rank_metrics,
    rrf,
)


@pytest.mark.parametrize(
    ("order", "gold", "expected"),
    [
        ([0, 1, 2], [0], {"R@1": 1.0, "R@5": 1.0, "R@10": 1.0, "Acc@5": 1.0, "MRR": 1.0}),
        ([2, 1, 0], [0, 1], {"R@1": 0.0, "R@5": 1.0, "R@10": 1.0, "Acc@5": 1.0, "MRR": 0.5}),
        ([5, 4, 3, 2, 1, 0], [0, 4], {"R@1": 0.0, "R@5": 0.5, "R@10": 1.0, "Acc@5": 0.0, "MRR": 0.5}),
        ([1, 2], [9], {"R@1": 0.0, "R@5": 0.0, "R@10": 0.0, "Acc@5": 0.0, "MRR": 0.0}),
    ],
)
def test_rank_metrics(order, gold, expected) -> None:
    """Recall at k, all-in-top-5 accuracy and reciprocal rank follow their definitions."""
    assert rank_metrics(order, gold) == expected


def test_rrf_rewards_agreement() -> None:
    """An item ranked well by both lists beats one ranked first by only one."""
    assert rrf([[3, 1, 2], [1, 2, 3]])[0] == 1


def _example(rng: np.random.Generator, informative: int) -> Example:
    features = rng.random((20, len(COLUMNS))).astype(np.float32)
    gold = [int(rng.integers(20))]
    features[gold, informative] = 1.5
    return Example(features / features.max(axis=0), sparse.csr_matrix((20, 20), dtype=np.float32), gold)


@pytest.mark.parametrize("count", [8, 40])
def test_calibrate_finds_the_informative_signal(count: int) -> None:
    """When only one signal predicts gold, calibration (grid search or learned ranker) weights it above noise."""
    rng = np.random.default_rng(0)
    examples = [_example(rng, SIGNALS.index("prior")) for _ in range(count)]
    weights = calibrate(examples)
    assert weights.signal["prior"] > weights.signal["content"]
    ranks = [rank_metrics(np.argsort(-fuse(e.features, e.cochange, weights)).tolist(), e.gold)["MRR"] for e in examples]
    assert np.mean(ranks) > 0.9


def test_fuse_propagates_cochange_from_top_files() -> None:
    """A file that always changes with the top file gains score from it."""
    features = np.zeros((3, len(COLUMNS)), dtype=np.float32)
    features[0, 0], features[1, 0] = 1.0, 0.1
    cochange = sparse.csr_matrix(np.array([[0, 0, 1.0], [0, 0, 0], [0, 0, 0]], dtype=np.float32))
    scores = fuse(features, cochange, Weights(cochange=1.0))
    assert scores[2] > scores[1]


def test_weights_round_trip_through_their_vector() -> None:
    """Weights rebuilt from their feature vector keep every non-zero weight."""
    weights = Weights({"content": 1.5, "prior:rank": -0.5}, 0.5, 2.0)
    again = Weights.from_vector(weights.vector(), 0.5, 2.0)
    assert again == weights and len(weights.vector()) == len(FEATURES)


def test_contributions_add_up_to_the_linear_score() -> None:
    """Per-signal contributions (value and rank parts) sum to the fused score without co-change."""
    rng = np.random.default_rng(3)
    features = rng.random((6, len(COLUMNS))).astype(np.float32)
    weights = Weights({name: float(v) for name, v in zip(FEATURES, rng.normal(size=len(FEATURES)), strict=True)}, 0.0)
    scores = fuse(features, sparse.csr_matrix((6, 6), dtype=np.float32), weights)
    assert contributions(features, weights, 4).sum() == pytest.approx(scores[4], rel=1e-5)


def _single_seed_formula(scores: np.ndarray, cochange: sparse.csr_matrix, seed: int, weight: float) -> np.ndarray:
    """The completion formula as it was before seed sets, kept verbatim as the reference."""
    row = np.asarray(cochange[seed].todense()).ravel()
    low, high = float(scores.min()), float(scores.max())
    ranged = (scores - low) / (high - low) if high > low else np.zeros_like(scores)
    top = float(row.max())
    out = ranged + weight * (row / top if top > 0 else row)
    out[seed] = -np.inf
    return out


@pytest.mark.parametrize("seed_form", ["int", "list", "numpy"])
@pytest.mark.parametrize("trial", range(5))
def test_complete_with_one_seed_is_bit_identical_to_the_single_seed_formula(seed_form: str, trial: int) -> None:
    """With exactly one seed, completion scores equal the old single-seed formula bit for bit."""
    rng = np.random.default_rng(trial)
    n = 40
    scores = rng.normal(size=n) * 3
    dense = (rng.random((n, n)) < 0.15) * rng.random((n, n))
    cochange = sparse.csr_matrix(dense.astype(np.float32))
    seed = int(rng.integers(n))
    given = {"int": seed, "list": [seed], "numpy": np.int64(seed)}[seed_form]
    expected = _single_seed_formula(scores, cochange, seed, 2.0)
    got = complete(scores, cochange, given, 2.0)  # type: ignore[arg-type]  # numpy ints are ints here
    assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


def test_complete_flows_cochange_mass_from_every_seed() -> None:
    """Partners of each seed outrank unrelated files, and every seed is excluded."""
    cochange = sparse.csr_matrix(
        np.array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0] * 5, [0] * 5, [0] * 5], dtype=np.float32)
    )
    scores = complete(np.zeros(5), cochange, [0, 1], 1.0)
    assert min(scores[2], scores[3]) > scores[4]
    assert np.isneginf(scores[[0, 1]]).all()
