"""The select stage: candidates from the trajectories, their tests voted in the sandbox, the panel's evidence.

The evidence is kept as JSON (rendered tables and the few facts publishing needs), so it is a stage checkpoint.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.llm.protocol import ChatModel
from bot.patching.proving import is_test_file
from bot.patching.trajectory import CandidateStatus, Trajectory
from bot.patching.workspace import diff_paths, read_texts, tracked_files
from reviewers.base import ORIGINAL, Candidate, Decision, Evidence, PoolContext, SuiteRunner, TestStatus
from reviewers.evidence import matrix_table, render_comment, render_markdown, scores_table

if TYPE_CHECKING:
    from bot.pipeline.engine import FixTask, Run

__all__ = ["CombinedRunner", "candidate_id", "candidates_of", "select", "summarise"]

LOCATION = re.compile(r"^([\w./-]+\.py):(\d+):", re.M)
USABLE = (CandidateStatus.PROVEN, CandidateStatus.UNPROVEN)


def candidate_id(index: int) -> str:
    return f"candidate-{index}"


def _explanation(reply: str) -> str:
    """The model's own words before its edits: its account of the root cause."""
    head = reply.split("<edits>", 1)[0].strip()
    return head[:1500]


def summarise(trajectory: Trajectory) -> dict[str, Any]:
    """What later stages need from one candidate (JSON)."""
    last = trajectory.turns[-1] if trajectory.turns else None
    edited = [t for t in trajectory.turns if t.diff]
    runs = [
        {
            "label": r.label,
            "verdict": r.verdict,
            "tests": [[t.node_id, t.outcome, t.message] for t in r.tests],
            "output": r.output_tail,
        }
        for r in (last.runs if last else [])
    ]
    return {
        "candidate": trajectory.candidate,
        "status": trajectory.status.value,
        "diff": trajectory.diff,
        "test_path": trajectory.test_path,
        "test_code": trajectory.test_code,
        "turns": len(trajectory.turns),
        "spent_tokens": trajectory.spent_tokens,
        "spent_usd": trajectory.spent_usd,
        "prompt_tokens": [t.prompt_tokens for t in trajectory.turns],
        "error": trajectory.error or (last.feedback[:500] if last and trajectory.status != "proven" else None),
        "explanation": _explanation(edited[0].reply) if edited else "",
        "runs": runs,
    }


def candidates_of(summaries: list[dict[str, Any]], task: FixTask) -> tuple[list[Candidate], list[str]]:
    """Candidates with an applicable diff that stays clear of forbidden paths; notes on the ones left out."""
    pool: list[Candidate] = []
    notes: list[str] = []
    for s in summaries:
        cid = candidate_id(int(s["candidate"]))
        if s["status"] not in USABLE or not s["diff"].strip():
            notes.append(f"{cid} produced no usable edit ({s['status']}): {s.get('error') or 'no diff'}")
            continue
        forbidden = [p for p in diff_paths(s["diff"]) if task.config.is_forbidden(p)]
        if forbidden:
            notes.append(f"{cid} was left out: it edits forbidden paths ({', '.join(forbidden)})")
            continue
        test_path = s["test_path"] or ""
        if test_path and task.config.is_forbidden(test_path):
            test_path = ""
        pool.append(Candidate(cid, s["diff"], test_source=s["test_code"] or "", test_path=test_path))
    return pool, notes


async def select(
    task: FixTask, run: Run, model: ChatModel, summaries: list[dict[str, Any]], recalled: dict[str, Any]
) -> dict[str, Any]:
    """Vote, guard, rank and (with a judge configured) judge; the evidence as JSON."""
    pool, notes = candidates_of(summaries, task)
    if not pool:
        return {"winner": None, "decision": Decision.COMMENT.value, "confidence": 0.0, "notes": notes, "pool": 0}
    evidence = await _panel(task, run, model, pool, recalled)
    evidence.notes += notes
    return _to_json(evidence, pool)


async def _panel(
    task: FixTask, run: Run, model: ChatModel, pool: list[Candidate], recalled: dict[str, Any]
) -> Evidence:
    from bot.pipeline.engine import prepare
    from reviewers.judge import Judge
    from reviewers.panel import Panel
    from reviewers.sandbox_runner import SandboxSuiteRunner
    from reviewers.voting import OutcomeCache, guard_matrix, vote_matrix

    env = await prepare(task, run)
    settings = run.services.settings
    sandbox = SandboxSuiteRunner(run.services.runner(task.scratch), env, task.base, work_dir=task.scratch)
    cache = OutcomeCache()
    parallel = settings.sandbox_max_parallel
    touched = sorted({p for c in pool for p in diff_paths(c.diff)})
    tests = [p for p in await asyncio.to_thread(tracked_files, task.base) if is_test_file(p)]
    suite: SuiteRunner = CombinedRunner(sandbox, pool, tests) if run.combined_select else sandbox
    matrix = await asyncio.to_thread(vote_matrix, suite, pool, cache=cache, max_parallel=parallel, flaky_runs=1)
    guard = await asyncio.to_thread(guard_matrix, suite, pool, tests, cache=cache, max_parallel=parallel)
    originals: dict[str, str | None] = dict(await asyncio.to_thread(read_texts, task.base, touched))
    context = PoolContext(f"{task.issue.title}\n\n{task.issue.body}", pool, originals, matrix=matrix, regression=guard)
    judge = Judge(model, sandbox) if settings.llm_judge_model else None
    return await Panel(judge=judge).aselect(context)


def _to_json(evidence: Evidence, pool: list[Candidate]) -> dict[str, Any]:
    winner = evidence.ranking.winner
    wid = winner.id if winner is not None and not winner.rejected else None
    column = wid or ORIGINAL
    guard = {test: evidence.regression.get(test, column).value for test in evidence.regression.tests()}
    return {
        "winner": wid,
        "decision": evidence.decision.value if wid else Decision.COMMENT.value,
        "confidence": round(evidence.confidence, 3),
        "why": evidence.why,
        "notes": list(evidence.notes),
        "pool": len(pool),
        "evidence_md": render_markdown(evidence),
        "comment_md": render_comment(evidence),
        "scores_table": scores_table(evidence),
        "repro_table": matrix_table(evidence.matrix, evidence.voting_tests),
        "guard_table": matrix_table(evidence.regression),
        "guard": guard,
        "repro": {
            t: {c: evidence.matrix.get(t, c).value for c in evidence.matrix.columns()} for t in evidence.matrix.tests()
        },
        "failed_statuses": [TestStatus.FAILED.value, TestStatus.ERROR.value],
    }


def failing_locations(output: str) -> list[tuple[str, int]]:
    """`path.py:line:` locations in pytest output, in order, without repeats."""
    seen: dict[tuple[str, int], None] = {}
    for path, line in LOCATION.findall(output):
        seen[(path, int(line))] = None
    return list(seen)


class CombinedRunner:
    """One sandbox run per code version for both matrices: every reproduction test and every existing test run
    together, and each matrix reads its own selectors from that run (halves the select stage's runs)."""

    def __init__(self, inner: SuiteRunner, pool: Sequence[Candidate], tests: Sequence[str]) -> None:
        from reviewers.voting import voter_files

        self.inner = inner
        voters = voter_files(pool)
        self.files = {v.path: v.source for v in voters}
        self.selectors = [s for v in voters for s in v.selectors] + list(tests)
        self.results: dict[str, dict[str, TestStatus]] = {}
        self.lock = threading.Lock()
        self.runs = 0

    def run(self, diff: str, files: Mapping[str, str], selectors: Sequence[str]) -> dict[str, TestStatus]:
        if any(self.files.get(path) != text for path, text in files.items()):
            return self.inner.run(diff, files, selectors)  # files this runner was not built for
        with self.lock:
            if diff not in self.results:
                self.results[diff] = self.inner.run(diff, self.files, self.selectors)
                self.runs += 1
            everything = self.results[diff]
        wanted = {s.split("::", 1)[0] for s in selectors}
        return {node: status for node, status in everything.items() if node.split("::", 1)[0] in wanted}
