"""The LLM-free ranking and the signals confidence is computed from (a pure core)."""

from __future__ import annotations

from collections.abc import Mapping

from reviewers.base import Candidate, RankedCandidate, Ranking, TestMatrix, TestStatus
from reviewers.votes import VoteTally

__all__ = ["distinct", "rank", "signals"]


def rank(
    candidates: list[Candidate],
    tally: VoteTally,
    clusters: Mapping[str, list[str]],
    organicity: Mapping[str, float],
    rejections: Mapping[str, str],
) -> Ranking:
    """Best first: not rejected, most votes, most organic, largest cluster, then pool order."""
    member_of = {member: head for head, members in clusters.items() for member in members}
    entries = [
        RankedCandidate(
            id=c.id,
            votes=tally.votes.get(c.id, 0),
            organicity=organicity.get(c.id, 0.0),
            cluster=member_of.get(c.id, c.id),
            cluster_size=len(clusters.get(member_of.get(c.id, c.id), [c.id])),
            rejected=rejections.get(c.id),
        )
        for c in candidates
    ]
    position = {c.id: i for i, c in enumerate(candidates)}
    entries.sort(
        key=lambda e: (e.rejected is not None, -e.votes, -round(e.organicity, 6), -e.cluster_size, position[e.id])
    )
    return Ranking(entries)


def distinct(ranking: Ranking) -> list[RankedCandidate]:
    """The best-ranked member of each cluster, not rejected, in ranking order: one entry per idea."""
    seen: set[str] = set()
    out = []
    for entry in ranking.order:
        if entry.rejected is None and entry.cluster not in seen:
            seen.add(entry.cluster)
            out.append(entry)
    return out


def signals(
    ranking: Ranking,
    tally: VoteTally,
    regression: TestMatrix,
    pool_size: int,
    judge_agrees: float = 0.5,
) -> dict[str, float]:
    """The confidence features of the winner (all zero when every candidate was rejected)."""
    winner = ranking.winner
    if winner is None:
        return {"judge_agrees": judge_agrees}
    voters = len(tally.voters)
    others = [e.votes for e in distinct(ranking) if e.cluster != winner.cluster]
    guard_ran = any(regression.get(t, winner.id) is not TestStatus.MISSING for t in regression.tests())
    return {
        "vote_share": winner.votes / voters if voters else 0.0,
        "vote_margin": (winner.votes - max(others, default=0)) / voters if voters else 0.0,
        "has_voters": 1.0 if voters else 0.0,
        "guard_clean": 1.0 if guard_ran else 0.0,
        "organicity": winner.organicity,
        "agreement": (winner.cluster_size - 1) / (pool_size - 1) if pool_size > 1 else 0.0,
        "judge_agrees": judge_agrees,
    }
