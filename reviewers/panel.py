"""The panel: run the reviewers, rank, ask the judge among the top k, compute confidence, assemble the evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewers.base import Evidence, PoolContext, Reviewer, Score, Verdict
from reviewers.confidence import Calibration, confidence, decide, load_calibration
from reviewers.equivalence import EquivalenceReviewer, cluster
from reviewers.judge import Judge
from reviewers.organicity import OrganicityReviewer, total
from reviewers.regression import RegressionReviewer
from reviewers.selection import distinct, rank, signals
from reviewers.votes import VoteReviewer, tally

__all__ = ["Panel", "default_reviewers"]


def default_reviewers() -> list[Reviewer]:
    """Votes, regression guard, organicity and equivalence; add a VersionReviewer when surfaces are known."""
    return [VoteReviewer(), RegressionReviewer(), OrganicityReviewer(), EquivalenceReviewer()]


@dataclass
class Panel:
    """Judges a pool whose test matrices are filled (see reviewers.voting).

    Usage:
        panel = Panel(judge=Judge(model, runner))
        evidence = await panel.aselect(context)
    """

    reviewers: Sequence[Reviewer] = field(default_factory=default_reviewers)
    calibration: Calibration = field(default_factory=load_calibration)
    judge: Judge | None = None

    def select(self, context: PoolContext) -> Evidence:
        """The LLM-free selection."""
        verdicts = [v for reviewer in self.reviewers for v in reviewer.review(context)]
        return self._evidence(context, verdicts)

    async def aselect(self, context: PoolContext) -> Evidence:
        """The selection with the judge among the top k distinct candidates, when a judge is set."""
        evidence = self.select(context)
        top = distinct(evidence.ranking)[: self.judge.k] if self.judge else []
        if self.judge is None or len(top) < 2:
            return evidence
        by_id = {c.id: c for c in context.candidates}
        scores = _scores_by_candidate(evidence.verdicts, [e.id for e in top])
        result = await self.judge.choose(context.issue, [by_id[e.id] for e in top], context.matrix, scores)
        evidence.judge_used = True
        evidence.judge_note = result.why
        for test in result.extra.tests():
            for code in result.extra.columns():
                evidence.matrix.set(test, code, result.extra.get(test, code))
        if result.winner is None:
            evidence.notes.append(result.why)
            return self._finish(evidence, judge_agrees=0.5)
        agrees = result.winner == top[0].id
        order = evidence.ranking.order
        order.sort(key=lambda e: e.id != result.winner)
        evidence.why = f"the judge chose {result.winner}: {result.why}"
        return self._finish(evidence, judge_agrees=1.0 if agrees else 0.0)

    def _evidence(self, context: PoolContext, verdicts: list[Verdict]) -> Evidence:
        votes = tally(context.matrix, context.candidates)
        clusters = cluster(context.originals, context.candidates)
        organic = {v.candidate: total(v.scores) for v in verdicts if v.reviewer == OrganicityReviewer.name}
        rejections: dict[str, str] = {}
        for verdict in verdicts:
            if verdict.rejected and verdict.candidate not in rejections:
                rejections[verdict.candidate] = f"{verdict.reviewer}: {verdict.rejected}"
        ranking = rank(context.candidates, votes, clusters, organic, rejections)
        evidence = Evidence(
            issue=context.issue,
            candidates=list(context.candidates),
            matrix=context.matrix,
            voting_tests=votes.voters,
            regression=context.regression,
            verdicts=verdicts,
            ranking=ranking,
            confidence=0.0,
            decision=decide(0.0, self.calibration),
            signals={},
            why=_why(ranking.winner.id if ranking.winner else None, verdicts, len(votes.voters)),
        )
        evidence.notes += [f"{test} casts no vote: {reason}" for test, reason in sorted(votes.ignored.items())]
        return self._finish(evidence, judge_agrees=0.5)

    def _finish(self, evidence: Evidence, judge_agrees: float) -> Evidence:
        votes = tally(evidence.matrix, evidence.candidates)
        evidence.signals = signals(evidence.ranking, votes, evidence.regression, len(evidence.candidates), judge_agrees)
        evidence.confidence = confidence(evidence.signals, self.calibration) if evidence.ranking.winner else 0.0
        evidence.decision = decide(evidence.confidence, self.calibration)
        return evidence


def _scores_by_candidate(verdicts: list[Verdict], ids: list[str]) -> dict[str, list[Score]]:
    return {cid: [s for v in verdicts if v.candidate == cid for s in v.scores] for cid in ids}


def _why(winner: str | None, verdicts: list[Verdict], voters: int) -> str:
    """One sentence on why the LLM-free winner won, from its own scores."""
    if winner is None:
        return "every candidate was rejected"
    mine = {s.name: s for v in verdicts if v.candidate == winner for s in v.scores}
    parts = [mine["votes"].why] if "votes" in mine and voters else ["no test discriminated the candidates"]
    parts += [mine[name].why for name in ("guard", "plausibility", "size") if name in mine]
    return f"{winner} won: " + "; ".join(parts)
