"""Selection benchmark on real commits: real fix + automatic mutants, hidden oracle tests, votes-only baseline.

.venv/bin/python -m tests.benchmarks.bench_selection /tmp/repos/click [more repos] --max-units 8 --budget-s 900 --fit

The panel runs LLM-free (no judge): votes, regression guard, organicity, equivalence, confidence.
Environments are built from PyPI (the sandbox's default index; network during the install step only) unless
--index names another; one environment per dependency set (see selection_runs), reused across units and runs.
Each unit has a time limit; a row is printed and appended to the results file (JSON lines) as soon as a unit
finishes, and the summary is printed even when the budget runs out or the run is interrupted (SIGTERM/SIGINT).
`--from-results FILE...` prints the summary (and fits, with --fit) from earlier results without running anything.
"""

from __future__ import annotations

import argparse
import datetime
import json
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from memory.builder import build
from memory.engine import Memory
from reviewers.confidence import DEFAULT_PATH, Calibration, load_calibration
from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder
from sandbox.errors import SandboxError
from sandbox.index import IndexSettings
from sandbox.limits import GIB, Limits
from sandbox.pythons import find_interpreters, pyenv_dirs
from tests.benchmarks.selection_report import Tally, fit_and_store, report
from tests.benchmarks.selection_runs import Deadline, EnvReuse, ResultsLog, UnitTimeout
from tests.benchmarks.selection_setup import BrokenEnvironment, evaluate, prepare
from tests.benchmarks.selection_units import Unit, find_units

RESULTS_DIR = Path("var/bench-selection")


class Interrupted(BaseException):
    """SIGTERM or SIGINT: stop starting units, print what was measured."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


@dataclass
class Run:
    """One benchmark run: its settings, the environments, the results log, the tally, the global deadline."""

    args: argparse.Namespace
    envs: EnvReuse
    log: ResultsLog
    tally: Tally
    calibration: Calibration
    deadline: Deadline
    work: Path

    def record(self, row: dict[str, Any]) -> None:
        self.log.write(row)
        self.tally.add(row)
        print(_row_line(row), flush=True)

    def unit(self, repo: Path, unit: Unit, memory: Memory) -> None:
        started = time.monotonic()
        limit = Deadline(min(self.deadline.at, started + self.args.unit_timeout_s))
        base = {"repo": repo.name, "sha": unit.sha, "title": unit.message.splitlines()[0][:80]}
        try:
            setup = prepare(unit, repo, self.envs, memory, self.work / unit.sha[:10], limit)
            row = evaluate(setup, repo.name, self.calibration)
            row["runs"], row["cached_runs"] = setup.runner.runs, setup.runner.hits  # type: ignore[attr-defined]
        except UnitTimeout as exc:
            row = {**base, "status": "skipped", "reason": f"time limit {self.args.unit_timeout_s:.0f}s: {exc}"}
        except BrokenEnvironment as exc:
            row = {**base, "status": "skipped", "reason": f"environment: {exc}"}
        except SandboxError as exc:
            row = {**base, "status": "skipped", "reason": f"environment: {type(exc).__name__}: {str(exc)[:100]}"}
            print(f"  environment: {exc} {getattr(exc, 'output', '')[-600:]}", file=sys.stderr)
        except Exception as exc:  # a benchmark keeps going; the reason is counted and printed
            row = {**base, "status": "skipped", "reason": f"error: {type(exc).__name__}: {str(exc)[:100]}"}
        row["elapsed_s"] = round(time.monotonic() - started, 1)
        self.record(row)


def _row_line(row: dict[str, Any]) -> str:
    head = f"{row['repo']:<10} {row['sha'][:10]} {row['elapsed_s']:>6.0f}s"
    if row["status"] != "ok":
        return f"{head} SKIPPED {row['reason']}"
    order = " > ".join(f"{e['kind']}{'(x)' if e['rejected'] else ''}:{e['organicity']:.2f}" for e in row["ranking"])
    return (
        f"{head} winner={row['winner_kind']} right={row['right']} votes-only={row['votes_kind']}/{row['votes_right']} "
        f"voters={row['voters']} conf={row['confidence']:.2f} no-fix-conf={row['abstain_confidence'] or 0:.2f} "
        f"pairs={row['pairs']} | {order}"
    )


def run_units(repos: list[Path], run: Run) -> None:
    """Units taken round-robin across the repositories, so a time budget still samples every one of them."""
    queues = [(repo, find_units(repo, run.args.max_units)) for repo in repos]
    memories = {repo: build(repo, None, until=units[-1].parent) for repo, units in queues if units}
    print(f"memory built for {len(memories)} repositories", file=sys.stderr, flush=True)
    for round_ in range(run.args.max_units):
        for repo, units in queues:
            if round_ >= len(units):
                continue
            if run.deadline.remaining() <= 0:
                base = {"repo": repo.name, "sha": units[round_].sha, "elapsed_s": 0.0}
                run.record({**base, "status": "skipped", "reason": "run budget spent before it started"})
                continue
            run.unit(repo, units[round_], memories[repo])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--max-units", type=int, default=8, help="units per repository")
    parser.add_argument("--budget-s", type=float, default=900.0, help="no test run starts after this")
    parser.add_argument("--unit-timeout-s", type=float, default=300.0, help="no test run of a unit starts after this")
    parser.add_argument("--index", default=None, help="package index URL or path (default: PyPI)")
    parser.add_argument("--find-links", action="append", default=[], help="extra local wheel directories")
    parser.add_argument(
        "--trusted-network", action="append", default=[], help="CIDR the index host may resolve into (a mirror)"
    )
    parser.add_argument("--env-cache", type=Path, default=Path("/tmp/bench-selection-envs-dated"))
    parser.add_argument("--results", type=Path, default=None, help="JSON lines file (default under var/)")
    parser.add_argument("--from-results", type=Path, nargs="+", default=[], help="summarize earlier results only")
    parser.add_argument("--fit", action="store_true", help=f"fit the calibration and write {DEFAULT_PATH.name}")
    return parser


def _measure(args: argparse.Namespace, tally: Tally, results: Path) -> None:
    index_url = Path(args.index).as_uri() if args.index and args.index.startswith("/") else args.index
    index = IndexSettings(index_url, find_links=tuple(args.find_links), trusted_networks=tuple(args.trusted_network))
    interpreters = find_interpreters([*pyenv_dirs(Path("/root/.pyenv")), Path("/usr/bin")])
    build_limits = Limits(wall_s=600, cpu_s=600, memory_bytes=4 * GIB, max_procs=512, output_bytes=1024 * 1024)
    builder = EnvBuilder(BubblewrapBackend(), args.env_cache, interpreters, index=index, limits=build_limits)
    envs = EnvReuse(builder, args.env_cache / "by-dependency-set.json")
    with tempfile.TemporaryDirectory(prefix="bench-selection-", dir="/tmp") as tmp:
        run = Run(args, envs, ResultsLog(results), tally, load_calibration(), Deadline.after(args.budget_s), Path(tmp))
        try:
            run_units(args.repos, run)
        except Interrupted as exc:
            print(f"interrupted by {exc}: reporting what was measured", flush=True)
    print(f"environments: {envs.built} built, {envs.reused} reused; results in {results}")


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    tally = Tally()
    sources = [str(p) for p in args.from_results]
    if args.from_results:
        for row in ResultsLog.read(args.from_results):
            tally.add(row)
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        results = args.results or RESULTS_DIR / f"results-{stamp}.jsonl"
        sources = [str(results)]
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        _measure(args, tally, results)
    calibration = fit_and_store(tally, DEFAULT_PATH, sources) if args.fit else load_calibration()
    if args.fit:
        print(json.dumps(calibration.to_json()))
    report(tally, calibration, time.monotonic() - started)


if __name__ == "__main__":
    main()
