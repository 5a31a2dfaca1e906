"""The LLM-free ranking and the confidence signals."""

from __future__ import annotations

import pytest

from reviewers.base import Candidate, TestMatrix
from reviewers.selection import rank, signals
from reviewers.votes import VoteTally


@pytest.mark.parametrize(
    ("clusters", "agreement"),
    [
        ({"a": ["a"]}, 0.0),
        ({"a": ["a"], "b": ["b"]}, 0.0),
        ({"a": ["a", "b"]}, 1.0),
        ({"a": ["a", "b"], "c": ["c"]}, 0.5),
    ],
)
def test_agreement_is_the_share_of_the_other_candidates_equivalent_to_the_winner(
    clusters: dict[str, list[str]], agreement: float
) -> None:
    """A winner alone in its pool has no agreement; one equivalent to every other candidate has full agreement."""
    ids = [member for members in clusters.values() for member in members]
    tally = VoteTally([], {}, dict.fromkeys(ids, 0), {i: [] for i in ids})
    ranking = rank([Candidate(i, "") for i in ids], tally, clusters, {"a": 1.0}, {})
    assert signals(ranking, tally, TestMatrix(), len(ids))["agreement"] == agreement
