"""Selection benchmark on real commits: real fix + automatic mutants, hidden oracle tests, votes-only baseline.

.venv/bin/python -m tests.benchmarks.bench_selection /tmp/repos/click [more repos] --max-units 6 --budget-s 900 --fit

Environments are built from PyPI (the sandbox's default index; network during the install step only) unless
--index names another; they are cached by manifest hash under --env-cache, so later runs reuse them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from memory.builder import build
from memory.engine import Memory
from reviewers.base import Candidate, Evidence, PoolContext, RepoProfile, TestStatus
from reviewers.confidence import DEFAULT_PATH, load_calibration
from reviewers.diffs import parse_diff
from reviewers.equivalence import signature
from reviewers.memory_profile import profile_from_memory
from reviewers.organicity import organicity_scores, total
from reviewers.panel import Panel
from reviewers.regression import broken_tests, nearest_tests
from reviewers.sandbox_runner import SandboxSuiteRunner
from reviewers.voting import OutcomeCache, guard_matrix, vote_matrix
from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder
from sandbox.errors import SandboxError
from sandbox.index import IndexSettings
from sandbox.pythons import find_interpreters, pyenv_dirs
from sandbox.runner import TestRunner
from tests.benchmarks.selection_mutants import WITHOUT_FIX, pool_of
from tests.benchmarks.selection_report import Tally, fit_and_store, report
from tests.benchmarks.selection_units import Unit, checkout, find_units, git, is_test, show, unchanged_tests, without

DEV_TOOLS = {"tox", "tox-uv", "pre-commit", "pre-commit-uv", "mypy", "pyright", "nox", "sphinx"}
GUARD_FILES = 2


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


@dataclass
class Setup:
    """One unit ready to judge: its pool, texts, profile, runner, the guard's tests and the hidden oracle."""

    unit: Unit
    pool: dict[str, Candidate]
    originals: dict[str, str | None]
    profile: RepoProfile
    runner: SandboxSuiteRunner
    guard: list[str]
    oracle_ids: list[str]
    cache: OutcomeCache = field(default_factory=OutcomeCache)
    oracle: dict[str, bool] = field(default_factory=dict)

    def judge(self, kinds: list[str]) -> Evidence:
        chosen = sorted((self.pool[k] for k in kinds if k in self.pool), key=lambda c: c.id)
        context = PoolContext(self.unit.message, chosen, self.originals, self.profile)
        context.matrix = vote_matrix(self.runner, chosen, cache=self.cache, flaky_runs=1)
        context.regression = guard_matrix(self.runner, chosen, self.guard, cache=self.cache)
        return Panel(calibration=load_calibration()).select(context)

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


def prepare(unit: Unit, repo: Path, builder: EnvBuilder, memory: Memory, work: Path) -> Setup:
    base = checkout(repo, unit.parent, work / unit.sha[:10])
    # uv.lock pins every group (docs too): install the manifest's test dependencies instead, from the index.
    (base / "uv.lock").unlink(missing_ok=True)
    drop_dev_tools(base / "pyproject.toml")
    env = builder.ensure(base)
    runner = SandboxSuiteRunner(TestRunner(backend=builder.backend, max_parallel=2, work_dir=work), env, base, work)
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
    guard = guard_selectors(repo, unit)
    return Setup(unit, pool, originals, profile, runner, guard, oracle_ids)


def memory_conventions(repo: Path, rev: str) -> dict[str, object]:
    """The formatter settings of the repo at `rev` (line length), as memory's conventions profile names them."""
    from memory.conventions import mine_conventions

    configs = {name: text for name in ("pyproject.toml",) if (text := show(repo, rev, name)) is not None}
    return {"formatters": mine_conventions({}, configs, [])["formatters"]}


def evaluate(setup: Setup, tally: Tally, repo: str) -> None:
    evidence = setup.judge(list(setup.pool))
    winner = evidence.ranking.winner
    chosen_ok = setup.right(evidence, winner.id if winner else None)
    votes = {
        c.id: sum(evidence.matrix.get(t, c.id) is TestStatus.PASSED for t in evidence.voting_tests)
        for c in evidence.candidates
    }
    by_votes = max(evidence.candidates, key=lambda c: (votes[c.id], -evidence.candidates.index(c)))
    kinds = {c.id: kind for kind, c in setup.pool.items()}
    tally.add_full(repo, evidence, chosen_ok, setup.right(evidence, by_votes.id), kinds)
    fix_total = total(organicity_scores(setup.originals, setup.pool["fix"].diff, setup.profile))
    for kind in ("unrelated", "reformat"):
        if kind in setup.pool:
            other = total(organicity_scores(setup.originals, setup.pool[kind].diff, setup.profile))
            tally.add_pair(fix_total > other)
    if any(k in setup.pool for k in WITHOUT_FIX):
        tally.add_abstain(repo, setup.judge(WITHOUT_FIX).signals)


def run_units(repos: list[Path], args: argparse.Namespace, builder: EnvBuilder, work: Path, tally: Tally) -> None:
    """Units taken round-robin across the repositories, so a time budget still samples every one of them."""
    started = time.monotonic()
    queues = [(repo, find_units(repo, args.max_units)) for repo in repos]
    memories = {repo: build(repo, None, until=units[-1].parent) for repo, units in queues if units}
    for round_ in range(args.max_units):
        for repo, units in queues:
            if round_ >= len(units):
                continue
            unit = units[round_]
            if time.monotonic() - started > args.budget_s:
                tally.skip(repo.name, unit, "time budget")
                continue
            print(f"{repo.name} {unit.sha[:10]} {unit.message.splitlines()[0][:60]!r}", file=sys.stderr, flush=True)
            run_one(unit, repo, builder, memories[repo], work, tally)


def run_one(unit: Unit, repo: Path, builder: EnvBuilder, memory: Memory, work: Path, tally: Tally) -> None:
    try:
        evaluate(prepare(unit, repo, builder, memory, work), tally, repo.name)
    except SandboxError as exc:
        tally.skip(repo.name, unit, f"environment: {type(exc).__name__}: {str(exc)[:80]}")
        print(f"  environment: {exc} {getattr(exc, 'output', '')[-400:]}", file=sys.stderr)
    except Exception as exc:  # a benchmark keeps going; the reason is counted and printed
        tally.skip(repo.name, unit, f"error: {type(exc).__name__}: {str(exc)[:80]}")
        print(f"  skipped: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--max-units", type=int, default=6, help="units per repository")
    parser.add_argument("--budget-s", type=float, default=900.0, help="no new unit starts after this")
    parser.add_argument("--index", default=None, help="package index URL or path (default: PyPI)")
    parser.add_argument("--find-links", action="append", default=[], help="extra local wheel directories")
    parser.add_argument(
        "--trusted-network", action="append", default=[], help="CIDR the index host may resolve into (a mirror)"
    )
    parser.add_argument("--env-cache", type=Path, default=Path("/tmp/bench-selection-envs"))
    parser.add_argument("--fit", action="store_true", help=f"fit the calibration and write {DEFAULT_PATH.name}")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = Tally()
    index_url = Path(args.index).as_uri() if args.index and args.index.startswith("/") else args.index
    index = IndexSettings(index_url, find_links=tuple(args.find_links), trusted_networks=tuple(args.trusted_network))
    with tempfile.TemporaryDirectory(prefix="bench-selection-", dir="/tmp") as tmp:
        interpreters = find_interpreters([*pyenv_dirs(Path("/root/.pyenv")), Path("/usr/bin")])
        builder = EnvBuilder(BubblewrapBackend(), args.env_cache, interpreters, index=index)
        run_units(args.repos, args, builder, Path(tmp), tally)
    calibration = load_calibration()
    if args.fit:
        calibration = fit_and_store(tally, DEFAULT_PATH)
        print(json.dumps(calibration.to_json()))
    report(tally, calibration, time.monotonic() - started)


if __name__ == "__main__":
    main()
