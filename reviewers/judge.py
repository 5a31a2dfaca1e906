"""The LLM judge: a short selection trajectory among the top candidates, with optional discriminating tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewers.base import ORIGINAL, Candidate, ChatModel, Message, Score, SuiteRunner, TestMatrix, TestStatus
from reviewers.errors import ReviewerError

__all__ = ["FALLBACK", "Judge", "JudgeResult", "fence", "parse_action"]

PROMPTS = Path(__file__).with_name("prompts")
PURPOSE = "judge.select"
FALLBACK = "the judge's answer was unusable ({reason}); the LLM-free ranking stands"
MAX_DIFF_CHARS = 6000


@dataclass
class JudgeResult:
    """The judge's winner (None on fallback), its reason, and the extra tests it ran."""

    winner: str | None
    why: str
    extra: TestMatrix = field(default_factory=TestMatrix)
    turns: int = 0


def fence(name: str, text: str) -> str:
    """Quote untrusted text as a labelled data block that it cannot close early."""
    return f'<data name="{name}">\n{text.replace("</data", "</ data")}\n</data>'


def parse_action(text: str, ids: Sequence[str]) -> dict[str, str]:
    """The judge's JSON action, strictly checked; ReviewerError says what is wrong."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        action = json.loads(body)
    except ValueError as exc:
        raise ReviewerError("not a JSON object") from exc
    if not isinstance(action, dict) or not all(isinstance(v, str) for v in action.values()):
        raise ReviewerError("not a JSON object of strings")
    if action.get("action") == "choose":
        if action.get("winner") not in ids:
            raise ReviewerError(f"winner {action.get('winner')!r} is not one of {', '.join(ids)}")
        if not action.get("why", "").strip():
            raise ReviewerError("no reason given")
        return action
    if action.get("action") == "test":
        path = PurePosixPath(action.get("path", ""))
        if path.is_absolute() or ".." in path.parts or path.suffix != ".py" or not path.name.startswith("test"):
            raise ReviewerError(f"test path {str(path)!r} must be a relative test_*.py path")
        if not action.get("source", "").strip():
            raise ReviewerError("empty test source")
        return action
    raise ReviewerError(f"unknown action {action.get('action')!r}")


@dataclass
class Judge:
    """Asks a model to pick among the top candidates; it may run discriminating tests first.

    Usage:
        judge = Judge(model, runner, max_tests=1)
        result = await judge.choose(issue, top_candidates, matrix, scores)
    """

    model: ChatModel
    runner: SuiteRunner | None = None
    k: int = 3
    max_tests: int = 1
    max_tokens: int = 1500

    async def choose(
        self,
        issue: str,
        candidates: Sequence[Candidate],
        matrix: TestMatrix,
        scores: Mapping[str, Sequence[Score]],
    ) -> JudgeResult:
        """The winner among `candidates` (already the top k), or a fallback result saying why not."""
        ids = [c.id for c in candidates]
        result = JudgeResult(None, "")
        system = (PROMPTS / "judge_system.txt").read_text().replace("{max_tests}", str(self.max_tests))
        for turn in range(self.max_tests + 1):
            result.turns = turn + 1
            prompt = self._prompt(turn, issue, candidates, matrix, scores, result.extra)
            messages: list[Message] = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
            try:
                reply = await self.model.chat(messages, purpose=PURPOSE, max_tokens=self.max_tokens)
                action = parse_action(reply.text, ids)
            except Exception as exc:  # any model or parse failure: the LLM-free ranking stands
                result.why = FALLBACK.format(reason=str(exc) or type(exc).__name__)
                return result
            if action["action"] == "choose":
                result.winner, result.why = action["winner"], action["why"].strip()
                return result
            if turn == self.max_tests or self.runner is None:
                break
            await self._run_extra(action["path"], action["source"], candidates, result.extra)
        result.why = FALLBACK.format(reason="no winner named within the allowed turns")
        return result

    async def _run_extra(self, path: str, source: str, candidates: Sequence[Candidate], extra: TestMatrix) -> None:
        runner = self.runner
        assert runner is not None  # noqa: S101 - choose() only asks for tests when a runner exists
        versions = [(ORIGINAL, ""), *((c.id, c.diff) for c in candidates)]
        outcomes = await asyncio.gather(
            *(asyncio.to_thread(runner.run, diff, {path: source}, [path]) for _, diff in versions)
        )
        for (code, _), outcome in zip(versions, outcomes, strict=True):
            bad = [s for s in outcome.values() if s in (TestStatus.FAILED, TestStatus.ERROR)]
            status = TestStatus.MISSING if not outcome else (bad[0] if bad else TestStatus.PASSED)
            extra.set(f"judge:{path}", code, status)

    def _prompt(
        self,
        turn: int,
        issue: str,
        candidates: Sequence[Candidate],
        matrix: TestMatrix,
        scores: Mapping[str, Sequence[Score]],
        extra: TestMatrix,
    ) -> str:
        diffs = "\n\n".join(fence(f"diff of candidate {c.id}", c.diff[:MAX_DIFF_CHARS]) for c in candidates)
        score_lines = [f"{cid}: {s.name}={s.value:.2f} ({s.why})" for cid, items in scores.items() for s in items]
        extra_text = fence("results of your extra tests", _matrix_text(extra)) if extra.cells else ""
        return (
            (PROMPTS / "judge_turn.txt")
            .read_text()
            .format(
                turn=turn,
                ids=", ".join(c.id for c in candidates),
                issue=issue.replace("</data", "</ data"),
                candidates=diffs,
                matrix=_matrix_text(matrix).replace("</data", "</ data"),
                scores="\n".join(score_lines).replace("</data", "</ data"),
                extra=extra_text,
            )
        )


def _matrix_text(matrix: TestMatrix) -> str:
    columns = matrix.columns()
    lines = ["test | " + " | ".join(columns)]
    lines += [f"{t} | " + " | ".join(matrix.get(t, c).value for c in columns) for t in matrix.tests()]
    return "\n".join(lines)
