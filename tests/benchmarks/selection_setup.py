"""Selection benchmark units made ready to judge: checkout, environment, pool, profile, guard, oracle, and the row
each unit reports (the panel's ranking with every score's one-line reason, for the per-unit analysis)."""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory.engine import Memory
from reviewers.base import ORIGINAL, Candidate, Evidence, PoolContext, RepoProfile, SuiteRunner, TestStatus
from reviewers.confidence import Calibration
from reviewers.diffs import parse_diff
from reviewers.equivalence import signature
from reviewers.memory_profile import profile_from_memory
from reviewers.organicity import organicity_scores, total
from reviewers.panel import Panel
from reviewers.regression import broken_tests, nearest_tests
from reviewers.sandbox_runner import SandboxSuiteRunner
from reviewers.voting import OutcomeCache, guard_matrix, vote_matrix
from sandbox.limits import Limits
from sandbox.runner import TestRunner
from tests.benchmarks.selection_mutants import WITHOUT_FIX, pool_of
from tests.benchmarks.selection_runs import CachedRunner, Deadline, EnvReuse
from tests.benchmarks.selection_units import Unit, checkout, git, is_test, show, unchanged_tests, without

__all__ = ["BrokenEnvironment", "Setup", "evaluate", "prepare"]

DEV_TOOLS = {"tox", "tox-uv", "pre-commit", "pre-commit-uv", "mypy", "pyright", "nox", "sphinx"}
GUARD_FILES = 2
RUN_WALL_S = 180.0  # one test run (a version of the code) at most


def drop_dev_tools(pyproject: Path) -> None:
    """Drop requirement lines naming dev tooling (tox, pre-commit, mypy, sphinx): the tests never import them."""
    if not pyproject.is_file():
        return
    keep = []
    for line in pyproject.read_text().splitlines(keepends=True):
        match = re.match(r'^\s*"([A-Za-z0-9_.-]+)[^"]*",?\s*$', line)
        if match and re.sub(r"[-_.]+", "-", match.group(1)).lower() in DEV_TOOLS:
            continue
        keep.append(line)
    pyproject.write_text("".join(keep))


class BrokenEnvironment(Exception):
    """The unit's environment cannot run its existing tests: the unit is skipped, not judged."""


@dataclass
class Setup:
    """One unit ready to judge: its pool, texts, profile, runner, the guard's tests and the hidden oracle."""

    unit: Unit
    pool: dict[str, Candidate]
    originals: dict[str, str | None]
    profile: RepoProfile
    runner: SuiteRunner
    guard: list[str]
    oracle_ids: list[str]
    env_key: str
    cache: OutcomeCache = field(default_factory=OutcomeCache)
    oracle: dict[str, bool] = field(default_factory=dict)

    def judge(self, kinds: list[str], calibration: Calibration) -> Evidence:
        chosen = sorted((self.pool[k] for k in kinds if k in self.pool), key=lambda c: c.id)
        context = PoolContext(self.unit.message, chosen, self.originals, self.profile)
        context.matrix = vote_matrix(self.runner, chosen, cache=self.cache, flaky_runs=1)
        context.regression = guard_matrix(self.runner, chosen, self.guard, cache=self.cache)
        return Panel(calibration=calibration).select(context)

    def right(self, evidence: Evidence, cid: str | None) -> bool:
        """Equivalent to the real fix, the existing tests still green, and the hidden oracle passing."""
        if cid is None:
            return False
        cand = next(c for c in evidence.candidates if c.id == cid)
        fix = self.pool["fix"]
        if signature(self.originals, cand.diff) != signature(self.originals, fix.diff):
            return False
        if broken_tests(evidence.regression, cid):
            return False
        if cid not in self.oracle:
            files = {self.unit.test_path: self.unit.test_after}
            outcome = self.runner.run(cand.diff, files, self.oracle_ids)
            self.oracle[cid] = all(oracle_passed(outcome, t) for t in self.oracle_ids)
        return self.oracle[cid]


def oracle_passed(outcome: dict[str, TestStatus], test: str) -> bool:
    """Every result of `test` (each parametrization) passed, and there was at least one."""
    found = [status for node, status in outcome.items() if node == test or node.startswith(test + "[")]
    return bool(found) and all(status is TestStatus.PASSED for status in found)


def guard_selectors(repo: Path, unit: Unit) -> list[str]:
    """The existing tests nearest the touched files, minus those the unit's commit rewrote or adds."""
    listing = git(repo, "ls-tree", "-r", "--name-only", unit.parent).splitlines()
    tests = {p: show(repo, unit.parent, p) or "" for p in listing if is_test(p) and Path(p).name.startswith("test")}
    selectors: list[str] = []
    for path in nearest_tests(list(unit.sources), tests, k=GUARD_FILES):
        selectors += unchanged_tests(path, tests[path], show(repo, unit.sha, path))
    return selectors


def prepare(unit: Unit, repo: Path, envs: EnvReuse, memory: Memory, work: Path, deadline: Deadline) -> Setup:
    """Check out the parent, get its environment (reused per dependency set), build the pool and the profile."""
    base = checkout(repo, unit.parent, work / unit.sha[:10])
    # uv.lock pins every group (docs too): install the manifest's test dependencies instead, from the index.
    (base / "uv.lock").unlink(missing_ok=True)
    drop_dev_tools(base / "pyproject.toml")
    date = datetime.date.fromisoformat(git(repo, "log", "-1", "--format=%as", unit.sha).strip())
    env, env_key = envs.ensure(base, date)
    limits = Limits(wall_s=max(30.0, min(RUN_WALL_S, deadline.remaining())), cpu_s=int(RUN_WALL_S))
    tests = TestRunner(backend=envs.builder.backend, limits=limits, max_parallel=2, work_dir=work)
    outcomes = Path("var/bench-selection/outcomes") / f"{repo.name}-{unit.sha[:12]}.json"
    runner = CachedRunner(SandboxSuiteRunner(tests, env, base, work), outcomes, env_key, deadline)
    cut = len(unit.added) // 2
    voter_names, oracle = unit.added[:cut], unit.added[cut:]
    voters = without(unit.test_after, oracle) if voter_names else ""
    pool = pool_of(unit, repo, voters, tuple(f"{unit.test_path}::{n}" for n in voter_names))
    originals: dict[str, str | None] = {p: b for p, (b, _) in unit.sources.items()}
    for change in (c for cand in pool.values() for c in parse_diff(cand.diff)):
        originals.setdefault(change.path, show(repo, unit.parent, change.path))
    sources = {p: t or "" for p, t in originals.items()}
    profile = profile_from_memory(memory, unit.message, paths=list(unit.sources), sources=sources)
    profile.conventions = dict(memory_conventions(repo, unit.parent))
    oracle_ids = [f"{unit.test_path}::{n}" for n in oracle]
    return Setup(unit, pool, originals, profile, runner, guard_selectors(repo, unit), oracle_ids, env_key)


def memory_conventions(repo: Path, rev: str) -> dict[str, object]:
    """The formatter settings of the repo at `rev` (line length), as memory's conventions profile names them."""
    from memory.conventions import mine_conventions

    configs = {name: text for name in ("pyproject.toml",) if (text := show(repo, rev, name)) is not None}
    return {"formatters": mine_conventions({}, configs, [])["formatters"]}


def evaluate(setup: Setup, repo: str, calibration: Calibration) -> dict[str, Any]:
    """The unit's row: the full pool judged, the votes-only pick, the organicity pairs, the pool without the fix."""
    started = time.monotonic()
    evidence = setup.judge(list(setup.pool), calibration)
    guard = evidence.regression
    if guard.tests() and not any(guard.get(t, ORIGINAL) is TestStatus.PASSED for t in guard.tests()):
        raise BrokenEnvironment(f"the original code passes none of the {len(guard.tests())} guard tests")
    winner = evidence.ranking.winner
    kinds = {c.id: kind for kind, c in setup.pool.items()}
    votes = {
        c.id: sum(evidence.matrix.get(t, c.id) is TestStatus.PASSED for t in evidence.voting_tests)
        for c in evidence.candidates
    }
    by_votes = max(evidence.candidates, key=lambda c: (votes[c.id], -evidence.candidates.index(c)))
    fix_total = total(organicity_scores(setup.originals, setup.pool["fix"].diff, setup.profile))
    pairs = {
        kind: fix_total > total(organicity_scores(setup.originals, setup.pool[kind].diff, setup.profile))
        for kind in ("unrelated", "reformat")
        if kind in setup.pool
    }
    without_fix = setup.judge(WITHOUT_FIX, calibration) if any(k in setup.pool for k in WITHOUT_FIX) else None
    return {
        "status": "ok",
        "repo": repo,
        "sha": setup.unit.sha,
        "title": setup.unit.message.splitlines()[0][:80],
        "env": setup.env_key,
        "voters": len(evidence.voting_tests),
        "guard_tests": len(evidence.regression.tests()),
        "winner_kind": kinds[winner.id] if winner else None,
        "right": setup.right(evidence, winner.id if winner else None),
        "votes_kind": kinds[by_votes.id],
        "votes_right": setup.right(evidence, by_votes.id),
        "confidence": evidence.confidence,
        "signals": evidence.signals,
        "pairs": pairs,
        "ranking": _ranking(evidence, kinds),
        "abstain_signals": without_fix.signals if without_fix else None,
        "abstain_confidence": without_fix.confidence if without_fix else None,
        "abstain_ranking": _ranking(without_fix, kinds) if without_fix else None,
        "judge_s": round(time.monotonic() - started, 1),
    }


def _ranking(evidence: Evidence, kinds: dict[str, str]) -> list[dict[str, Any]]:
    scores = {
        c.id: {s.name: [round(s.value, 3), s.why] for v in evidence.verdicts if v.candidate == c.id for s in v.scores}
        for c in evidence.candidates
    }
    return [
        {
            "kind": kinds[e.id],
            "votes": e.votes,
            "organicity": round(e.organicity, 4),
            "cluster": e.cluster,
            "cluster_size": e.cluster_size,
            "rejected": e.rejected,
            "scores": scores[e.id],
        }
        for e in evidence.ranking.order
    ]
