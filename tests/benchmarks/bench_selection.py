"""Selection benchmark on real commits: real fix + automatic mutants, hidden oracle tests, votes-only baseline.

.venv/bin/python -m tests.benchmarks.bench_selection /tmp/repos/click [more repos] --max-units 6 --budget-s 900
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from memory.builder import build
from memory.engine import Memory
from reviewers.base import Candidate, Evidence, PoolContext, RepoProfile, TestStatus
from reviewers.confidence import DEFAULT_PATH, fit, load_calibration
from reviewers.diffs import make_diff, parse_diff
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

WITHOUT_FIX = ["drop_hunk", "operator", "leaves_bug"]
DEV_TOOLS = {"tox", "tox-uv", "pre-commit", "pre-commit-uv", "mypy", "pyright", "nox", "sphinx"}
FLIPS = [("==", "!="), ("!=", "=="), ("<=", ">"), (">=", "<"), (" < ", " >= "), (" > ", " <= "), (" not in ", " in ")]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def is_test(path: str) -> bool:
    return path.endswith(".py") and (path.startswith("tests/") or "/test_" in path or path.startswith("test_"))


def is_source(path: str) -> bool:
    return path.endswith(".py") and not is_test(path) and not path.startswith(("docs/", "examples/", "scripts/"))


def test_names(text: str | None) -> dict[str, tuple[int, int]]:
    """Node-id suffix ("test_x" or "TestA::test_x") -> (first line, last line) of each test function."""
    try:
        tree = ast.parse(text or "")
    except SyntaxError:
        return {}
    found: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        funcs = [(node, "")] if not isinstance(node, ast.ClassDef) else [(n, node.name + "::") for n in node.body]
        for func, prefix in funcs:
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name.startswith("test"):
                start = min([func.lineno, *(d.lineno for d in func.decorator_list)])
                found[prefix + func.name] = (start, func.end_lineno or func.lineno)
    return found


@dataclass
class Unit:
    sha: str
    parent: str
    message: str
    sources: dict[str, tuple[str, str]]  # path -> (before, after)
    test_path: str
    test_after: str
    added: list[str]


def find_units(repo: Path, limit: int, scan: int = 600) -> list[Unit]:
    """Recent commits that change 1-2 source files (<= 40 lines) and add test functions to one test file."""
    units: list[Unit] = []
    for line in git(repo, "log", "--no-merges", "--first-parent", f"-n{scan}", "--format=%H %P").splitlines():
        sha, *parents = line.split()
        if len(parents) != 1 or len(units) >= limit:
            continue
        unit = _unit(repo, sha, parents[0])
        if unit is not None:
            units.append(unit)
    return units


def _unit(repo: Path, sha: str, parent: str) -> Unit | None:
    stat = [row.split("\t") for row in git(repo, "diff", "--numstat", parent, sha).splitlines()]
    if any(a == "-" for a, _, _ in stat):
        return None
    sources = [p for _, _, p in stat if is_source(p)]
    tests = [p for _, _, p in stat if is_test(p)]
    changed = sum(int(a) + int(d) for a, d, p in stat if p in sources)
    if not 1 <= len(sources) <= 2 or len(tests) != 1 or changed > 40:
        return None
    before = {p: _show(repo, parent, p) for p in [*sources, *tests]}
    if any(before[p] is None for p in sources):
        return None
    test_after = _show(repo, sha, tests[0]) or ""
    added = [n for n in test_names(test_after) if n not in test_names(before[tests[0]])]
    if not added:
        return None
    message = git(repo, "log", "-1", "--format=%B", sha).strip()
    return Unit(
        sha,
        parent,
        message,
        {p: (before[p] or "", _show(repo, sha, p) or "") for p in sources},
        tests[0],
        test_after,
        added,
    )


def _show(repo: Path, rev: str, path: str) -> str | None:
    done = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def without(text: str, names: list[str]) -> str:
    """The test file with the named test functions removed (the oracle stays hidden)."""
    spans = test_names(text)
    drop = {i for n in names for i in range(spans[n][0], spans[n][1] + 1)}
    return "".join(line for i, line in enumerate(text.splitlines(keepends=True), 1) if i not in drop)


# -- mutants -----------------------------------------------------------------------------------------------------
def fix_diff(unit: Unit, extra: dict[str, tuple[str | None, str]] | None = None) -> str:
    files = {p: (b, a) for p, (b, a) in unit.sources.items()} | (extra or {})
    return "".join(make_diff(p, b, a) for p, (b, a) in sorted(files.items()))


def drop_hunk(unit: Unit) -> str | None:
    files = parse_diff(fix_diff(unit))
    hunks = [(f, h) for f in files for h in f.hunks]
    if len(hunks) < 2:
        return None
    from reviewers.diffs import render_diff

    biggest = max(hunks, key=lambda fh: len(fh[1].added) + len(fh[1].removed))
    biggest[0].hunks.remove(biggest[1])
    return render_diff(files)


def _valid(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def operator_mutant(unit: Unit) -> str | None:
    """Comparison flipped, else off-by-one, else condition removed, on an added line of the fix."""
    for path, (before, after) in unit.sources.items():
        added = {line for h in parse_diff(make_diff(path, before, after))[0].hunks for line in h.added}
        lines = after.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.rstrip("\n") not in added or line.strip().startswith("#"):
                continue
            for new in _mutations(line):
                text = "".join(lines[:i] + [new] + lines[i + 1 :])
                if _valid(text) and text != after:
                    return fix_diff(unit, {path: (before, text)})
    return None


def _mutations(line: str) -> list[str]:
    out = [line.replace(a, b, 1) for a, b in FLIPS if a in line]
    out += (
        [re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 1), line, count=1)] if re.search(r"\b\d+\b", line) else []
    )
    cond = re.match(r"^(\s*)(if|elif|while) (.+):\s*$", line)
    out += [f"{cond.group(1)}{cond.group(2)} True:\n"] if cond else []
    return out


def unrelated_edit(unit: Unit, repo: Path) -> str | None:
    others = [p for p in git(repo, "ls-tree", "-r", "--name-only", unit.parent).splitlines() if is_source(p)]
    others = sorted(p for p in others if p not in unit.sources and not p.endswith("__init__.py"))
    if not others:
        return None
    path = others[int(unit.sha[:6], 16) % len(others)]
    text = _show(repo, unit.parent, path) or ""
    return fix_diff(unit, {path: (text, text + "\n\ndef _spare_helper(value):\n    return value\n")})


def reformat_mutant(unit: Unit) -> str | None:
    """The fix plus spacing changes inside the brackets of an untouched line far from the hunks."""
    path, (before, after) = next(iter(unit.sources.items()))
    touched = {line for h in parse_diff(make_diff(path, before, after))[0].hunks for line in h.added + h.removed}
    lines = after.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line in touched or "(" not in line or '"' in line or "'" in line or line.strip().startswith("#"):
            continue
        text = "".join(lines[:i] + [line.replace("(", "( ", 1)] + lines[i + 1 :])
        if _valid(text) and abs(i - _first_change(before, after)) > 8:
            return fix_diff(unit, {path: (before, text)})
    return None


def _first_change(before: str, after: str) -> int:
    for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False)):
        if a != b:
            return i
    return 0


def leaves_bug(unit: Unit) -> str | None:
    """An edit of the right place that leaves the bug: a redundant statement before the first changed line."""
    path, (before, after) = next(iter(unit.sources.items()))
    lines = before.splitlines(keepends=True)
    start = _first_change(before, after)
    for i in range(start, min(start + 6, len(lines))):
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        text = "".join(lines[:i] + [f"{indent}_unused = None\n"] + lines[i:])
        if lines[i].strip() and _valid(text):
            return make_diff(path, before, text)
    return None


# -- evaluation --------------------------------------------------------------------------------------------------
@dataclass
class Tally:
    units: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    pool_sizes: list[int] = field(default_factory=list)
    correct: int = 0
    votes_only: int = 0
    no_voter_units: int = 0
    abstain_pools: int = 0
    abstained: int = 0
    pairs: int = 0
    organic_first: int = 0
    rows: list[dict[str, float]] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    abstain_rows: list[dict[str, float]] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def checkout(repo: Path, rev: str, target: Path) -> Path:
    data = subprocess.run(["git", "-C", str(repo), "archive", rev], capture_output=True, check=True).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target


def drop_unavailable(pyproject: Path, index: Path) -> None:
    """Drop requirement lines naming packages the local index lacks (dev tooling such as tox-uv)."""
    if not pyproject.is_file():
        return
    index = Path(str(index).removeprefix("file://"))
    known = {p.name.lower() for p in index.iterdir()}
    keep = []
    for line in pyproject.read_text().splitlines(keepends=True):
        match = re.match(r'^\s*"([A-Za-z0-9_.-]+)[^"]*",?\s*$', line)
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""
        if match and (name not in known or name in DEV_TOOLS):
            continue
        keep.append(line)
    pyproject.write_text("".join(keep))


def pool_of(unit: Unit, repo: Path, voters: str, voter_ids: tuple[str, ...]) -> dict[str, Candidate]:
    """Kind -> candidate; ids are hashed so pool order says nothing about which is the fix."""
    diffs = {
        "fix": fix_diff(unit),
        "drop_hunk": drop_hunk(unit),
        "operator": operator_mutant(unit),
        "unrelated": unrelated_edit(unit, repo),
        "reformat": reformat_mutant(unit),
        "leaves_bug": leaves_bug(unit),
    }
    pool = {}
    for kind, diff in diffs.items():
        if diff:
            cid = "c" + hashlib.sha256((unit.sha + kind).encode()).hexdigest()[:6]
            pool[kind] = Candidate(cid, diff, voters, unit.test_path, voter_ids)
    return pool


@dataclass
class Setup:
    """One unit ready to judge: its pool, texts, profile, runner and the hidden oracle."""

    unit: Unit
    pool: dict[str, Candidate]
    originals: dict[str, str | None]
    profile: RepoProfile
    runner: SandboxSuiteRunner
    guard: list[str]
    oracle_ids: list[str]
    cache: OutcomeCache = field(default_factory=OutcomeCache)

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
        if signature(self.originals, cand.diff) != signature(self.originals, self.pool["fix"].diff):
            return False
        if broken_tests(evidence.regression, cid):
            return False
        outcome = self.runner.run(cand.diff, {self.unit.test_path: self.unit.test_after}, self.oracle_ids)
        return all(outcome.get(t) is TestStatus.PASSED for t in self.oracle_ids)


def prepare(unit: Unit, repo: Path, builder: EnvBuilder, memory: Memory, work: Path) -> Setup:
    base = checkout(repo, unit.parent, work / unit.sha[:10])
    # uv.lock pins every group (docs too) to PyPI URLs, unreachable from the sandbox: install from the manifest.
    (base / "uv.lock").unlink(missing_ok=True)
    drop_unavailable(base / "pyproject.toml", Path((builder.index.index_url or "").removeprefix("file://")))
    env = builder.ensure(base)
    runner = SandboxSuiteRunner(TestRunner(backend=builder.backend, max_parallel=2, work_dir=work), env, base, work)
    cut = len(unit.added) // 2
    voter_names, oracle = unit.added[:cut], unit.added[cut:]
    voters = without(unit.test_after, oracle) if voter_names else ""
    pool = pool_of(unit, repo, voters, tuple(f"{unit.test_path}::{n}" for n in voter_names))
    originals: dict[str, str | None] = {p: b for p, (b, _) in unit.sources.items()}
    for change in (c for cand in pool.values() for c in parse_diff(cand.diff)):
        originals.setdefault(change.path, _show(repo, unit.parent, change.path))
    listing = git(repo, "ls-tree", "-r", "--name-only", unit.parent).splitlines()
    tests = {p: _show(repo, unit.parent, p) or "" for p in listing if is_test(p) and Path(p).name.startswith("test")}
    sources = {p: t or "" for p, t in originals.items()}
    profile = profile_from_memory(memory, unit.message, paths=list(unit.sources), sources=sources)
    oracle_ids = [f"{unit.test_path}::{n}" for n in oracle]
    return Setup(unit, pool, originals, profile, runner, nearest_tests(list(unit.sources), tests, k=3), oracle_ids)


def evaluate(setup: Setup, tally: Tally) -> None:
    evidence = setup.judge(list(setup.pool))
    winner = evidence.ranking.winner
    chosen_ok = setup.right(evidence, winner.id if winner else None)
    votes = {
        c.id: sum(evidence.matrix.get(t, c.id) is TestStatus.PASSED for t in evidence.voting_tests)
        for c in evidence.candidates
    }
    by_votes = max(evidence.candidates, key=lambda c: (votes[c.id], -evidence.candidates.index(c)))
    tally.units += 1
    tally.pool_sizes.append(len(evidence.candidates))
    tally.no_voter_units += not evidence.voting_tests
    tally.correct += chosen_ok
    tally.votes_only += setup.right(evidence, by_votes.id) if winner is None or by_votes.id != winner.id else chosen_ok
    tally.rows.append(evidence.signals)
    tally.labels.append(chosen_ok)
    fix_total = total(organicity_scores(setup.originals, setup.pool["fix"].diff, setup.profile))
    for kind in ("unrelated", "reformat"):
        if kind in setup.pool:
            tally.pairs += 1
            tally.organic_first += fix_total > total(
                organicity_scores(setup.originals, setup.pool[kind].diff, setup.profile)
            )
    if any(k in setup.pool for k in WITHOUT_FIX):
        abstain = setup.judge(WITHOUT_FIX)
        tally.abstain_pools += 1
        tally.abstained += abstain.confidence < load_calibration().draft
        tally.abstain_rows.append(abstain.signals)


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100.0 * a / b:.1f}%" if b else "n/a (0 pools)"


def report(tally: Tally, elapsed: float) -> None:
    print(f"units evaluated: {tally.units}; skipped: {tally.skipped or 'none'}; elapsed {elapsed:.0f}s")
    print(
        f"pools: {tally.units} full (sizes {tally.pool_sizes}), {tally.abstain_pools} without the fix; "
        f"{tally.no_voter_units} units with no voters (one added test: oracle only)"
    )
    print(f"selection accuracy (panel, LLM-free):  {pct(tally.correct, tally.units)}")
    print(f"baseline, test votes alone:            {pct(tally.votes_only, tally.units)}")
    if tally.votes_only:
        print(f"ratio panel / votes-only:              {tally.correct / tally.votes_only:.2f}")
    print(f"abstention (fix removed from pool):    {pct(tally.abstained, tally.abstain_pools)}")
    print(f"organicity alone, fix vs fix+noise:    {pct(tally.organic_first, tally.pairs)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--max-units", type=int, default=6, help="units per repository")
    parser.add_argument("--budget-s", type=float, default=900.0, help="no new unit starts after this")
    parser.add_argument("--index", default="/opt/pypi/simple", help="local package index for environments")
    parser.add_argument(
        "--fit", action="store_true", help=f"fit the calibration on these pools and write {DEFAULT_PATH.name}"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bench-selection-", dir="/tmp") as tmp:
        work = Path(tmp)
        interpreters = find_interpreters([*pyenv_dirs(Path("/root/.pyenv")), Path("/usr/bin")])
        builder = EnvBuilder(
            BubblewrapBackend(),
            Path("/tmp/bench-selection-envs"),
            interpreters,
            index=IndexSettings(index_url=Path(args.index).as_uri()),
        )
        for repo in args.repos:
            units = find_units(repo, args.max_units)
            if not units:
                continue
            memory = build(repo, None, until=units[-1].parent)
            for unit in units:
                if time.monotonic() - started > args.budget_s:
                    tally.skip("time budget")
                    continue
                print(f"{repo.name} {unit.sha[:10]} {unit.message.splitlines()[0][:60]!r}", file=sys.stderr, flush=True)
                try:
                    evaluate(prepare(unit, repo, builder, memory, work), tally)
                except SandboxError as exc:
                    tally.skip(f"environment: {type(exc).__name__}")
                    print(f"  environment: {exc} {getattr(exc, 'output', '')[-400:]}", file=sys.stderr)
                except Exception as exc:  # a benchmark keeps going; the reason is counted and printed
                    tally.skip(f"error: {type(exc).__name__}")
                    print(f"  skipped: {exc}", file=sys.stderr)
    if args.fit and tally.rows:
        calibration = fit(tally.rows + tally.abstain_rows, tally.labels + [False] * len(tally.abstain_rows))
        import json

        DEFAULT_PATH.write_text(json.dumps(calibration.to_json(), indent=1) + "\n")
        print(f"calibration fitted on {calibration.fitted_on} pools, written to {DEFAULT_PATH}")
    report(tally, time.monotonic() - started)


if __name__ == "__main__":
    main()
