"""Benchmark: codemods on the mechanical breaks of real release pairs (issue 8, benchmark 3).

Usage: .venv/bin/python -m tests.benchmarks.bench_codemods [--pairs flask,click] [--budget-s 1500] [--style module]
       [--cache var/migrations-cache] [--env-cache var/codemod-bench-envs] [--trusted-network 203.0.113.80/32]

Per pair: diff the releases (cached), keep the mechanical breaks (renamed/moved paths, renamed keywords,
removed optional arguments, deprecations whose replacement the new version has), and write one site per
break that is valid on the OLD version (`codemod_sites`). One sandbox run in the old version's venv keeps
the sites that really run there (the others are counted apart as invalid). The codemods rewrite the valid
sites; one sandbox run in the NEW version's venv runs both the rewritten sites and the original ones
(the no-codemod baseline, same run). A deprecated API still runs on the new version, so its site counts as
fixed only when the codemod rewrote it to the replacement and that runs without a deprecation warning.
Venvs are built by `sandbox.envs` with uv inside bubblewrap and cached under --env-cache.

Columns:
- cross: renamed/moved/deprecated records whose target is a member of ANOTHER class (e.g. `AnyUrl.max_length`
  -> `PaymentCardNumber.max_length`): the diff's kind is doubtful and no codemod may follow it, so they are
  listed and counted apart, not in mech;
- mech: mechanical breaks; valid / invalid: sites that do / do not run on the old version;
- unverif: sites whose rewrite (and original) cannot be bound on the new version because the callee is compiled
  and has no signature (`inspect.signature` fails): counted apart, out of valid;
- after/valid: sites that run after the codemod, of the valid ones; after/mech: the same over all of mech;
- baseline/valid: sites that run unchanged on the new version (no codemod);
- fixed/needed: sites that fail unchanged on the new version and run after the codemod;
- reclassified (after "|"): issue 8 calls a break mechanical when a codemod can fix every valid call site of
  it. An argument break (renamed keyword, removed optional argument) on a callee that ALSO has a non-mechanical
  binding break in the same diff (a removed required parameter, a parameter made required, added as required,
  moved or changed in kind, or the object changed in kind) is not mechanical as a whole: no keyword rewrite can
  make those calls bind, so the patch engine gets the callee. `patch` counts such breaks; mech', valid' and
  after/valid' are the figures without them. The columns before "|" are the strict figures over every break.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrations.codemods import apply_codemods
from migrations.diff import Change, diff_releases
from migrations.errors import CodemodError
from migrations.loader import release_surface
from migrations.rules import Rules, build_rules
from migrations.surface import ApiSurface
from tests.benchmarks.codemod_sites import (
    HARNESS,
    Site,
    crosses_classes,
    entangling,
    make_site,
    mechanical_breaks,
)

MYPY = "mypy<1.11"  # the mypy plugins of pydantic and sqlalchemy import mypy: their sites need it to run
# name -> (package, old, new, extra pins for the old venv, extra pins for the new venv); pure-Python first.
PAIRS: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "flask": ("flask", "2.2.2", "3.0.0", ("werkzeug<2.3",), ("werkzeug<3.1",)),
    "click": ("click", "7.1.2", "8.1.7", (), ()),
    "requests": ("requests", "2.25.1", "2.32.3", (), ()),
    "attrs": ("attrs", "21.4.0", "24.2.0", (), ()),
    "pydantic": ("pydantic", "1.10.19", "2.10.6", (MYPY,), ("mypy==1.13.0",)),  # 1.10 cannot load pydantic 2's plugin
    "sqlalchemy": ("sqlalchemy", "1.4.52", "2.0.36", (MYPY,), (MYPY,)),
    "numpy": ("numpy", "1.24.4", "2.1.3", (), ()),
    "pandas": ("pandas", "2.0.3", "2.1.4", ("numpy<2",), ("numpy<2",)),
}
DIFF_CHILD = "import sys; from pathlib import Path; from migrations.diff import diff_releases as d; " + (
    "d(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))"
)


@dataclass
class Outcome:
    """One mechanical break's fate: whether its site was valid, ran before and after the codemod, and why not."""

    change: Change
    valid: bool = False
    before: bool = False
    after: bool = False
    reason: str = ""
    entangled_by: Change | None = None
    unverifiable: bool = False
    site: Site | None = None
    rewritten: str | None = None


@dataclass
class PairReport:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    crossing: list[Change] = field(default_factory=list)

    def count(self, what: str) -> int:
        return sum(bool(getattr(o, what)) and o.valid for o in self.outcomes)


@dataclass(frozen=True)
class SiteRunner:
    """Builds the venv of one pinned requirement set and runs a batch of sites in it, in one sandbox run."""

    env_cache: Path
    trusted_networks: tuple[str, ...]
    python_dirs: tuple[Path, ...]
    wall_s: float

    def run(self, pins: list[str], sites: list[dict[str, str]], top_level: tuple[str, ...]) -> dict[str, Any]:
        from sandbox.backends import Mount, SandboxSpec, make_backend
        from sandbox.envs import EnvBuilder
        from sandbox.index import IndexSettings
        from sandbox.limits import Limits
        from sandbox.pythons import find_interpreters

        backend = make_backend("bubblewrap")
        index = IndexSettings(trusted_networks=self.trusted_networks)
        builder = EnvBuilder(
            backend, self.env_cache, find_interpreters(self.python_dirs), index=index, extra_packages=()
        )
        with tempfile.TemporaryDirectory(prefix="bench-codemods-") as tmp:
            work = Path(tmp)
            (work / "requirements.txt").write_text("\n".join(pins) + "\n")
            env = builder.ensure(work)
            (work / "requirements.txt").unlink()
            (work / "harness.py").write_text(HARNESS)
            (work / "sites.json").write_text(json.dumps(sites))
            argv = (str(env.python), "harness.py", "sites.json", "results.json", *top_level)
            limits = Limits(wall_s=self.wall_s, cpu_s=int(self.wall_s))
            spec = SandboxSpec(argv, work, (*env.mounts(), Mount(work, writable=True)), env.env(), limits)
            result = backend.run(spec)
            if not (work / "results.json").is_file():
                raise RuntimeError(f"site run failed ({result.verdict.value}): {result.stderr[-600:]}")
            return {r["key"]: r for r in json.loads((work / "results.json").read_text())}


def diff_bounded(package: str, old: str, new: str, cache: Path, timeout_s: float) -> list[Change]:
    """The diff (cached); a cold diff runs in a child process so the time budget bounds it."""
    argv = [sys.executable, "-c", DIFF_CHILD, package, old, new, str(cache)]
    done = subprocess.run(argv, check=False, timeout=max(1.0, timeout_s), capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise RuntimeError(f"the diff failed: {lines[-1] if lines else done.returncode}")
    return diff_releases(package, old, new, cache)


def rewrite(site: Site, rules: Rules) -> tuple[str | None, str]:
    """(rewritten source or None, reason when the codemod did nothing)."""
    try:
        result = apply_codemods(site.source, rules)
    except CodemodError as exc:
        return None, f"codemod error: {exc}"
    if result.changed:
        return result.source, ""
    skipped = "; ".join(s.reason for s in result.skipped)
    return None, f"no rewrite ({skipped})" if skipped else "no rewrite (no rule matched)"


def ran(result: dict[str, Any] | None, mode: str) -> bool:
    if result is None or result["error"] is not None:
        return False
    return mode != "deprecated" or not result["deprecations"]


def unsigned(result: dict[str, Any] | None) -> bool:
    """Whether binding failed because the callee (compiled) has no signature: the oracle cannot check it."""
    return result is not None and str(result["error"]).startswith("ValueError: no signature found")


def why_not(result: dict[str, Any] | None) -> str:
    if result is None:
        return "no result"
    return str(result["error"] or f"still warns: {result['deprecations'][0]}")


def run_pair(name: str, args: argparse.Namespace, runner: SiteRunner, deadline: float) -> PairReport:
    """Diff, write the sites, run them on the old version, rewrite them, run both forms on the new version."""
    package, old, new, old_pins, new_pins = PAIRS[name]
    started = time.monotonic()
    changes = diff_bounded(package, old, new, args.cache, deadline - started)
    old_surface, new_surface = release_surface(package, old, args.cache), release_surface(package, new, args.cache)
    report = classify(f"{package} {old}->{new}", changes, old_surface, new_surface, args.style)
    rules = build_rules(changes, old_surface.top_level, new_surface)
    top = old_surface.top_level
    rows = [_row(o.site, o.site.source) for o in report.outcomes if o.site is not None]
    old_results = runner.run([f"{package}=={old}", *old_pins], rows, preloaded(top, old_pins))
    batch = [row for o in report.outcomes for row in keep_valid(o, old_results, rules, old)]
    new_results = runner.run([f"{package}=={new}", *new_pins], batch, preloaded(top, new_pins)) if batch else {}
    for outcome in report.outcomes:
        judge(outcome, new_results, new)
    report.seconds = time.monotonic() - started
    return report


def preloaded(top_level: tuple[str, ...], pins: tuple[str, ...]) -> tuple[str, ...]:
    """Modules the harness imports before the sites: the package, and mypy's types when mypy is pinned (a mypy
    plugin such as `pydantic.mypy` 2.x is loaded by mypy after its core; imported first it hits mypy's own
    import cycle, and the half-initialised compiled modules then fail every later site in the run)."""
    return (*top_level, "mypy.types") if any(p.startswith("mypy") for p in pins) else top_level


def classify(name: str, changes: list[Change], old: ApiSurface, new: ApiSurface, style: str) -> PairReport:
    """The mechanical breaks (cross-class ones apart), each with its site or the reason it has none."""
    mechanical = mechanical_breaks(changes, old.top_level, new)
    crossing = [c for c in mechanical if crosses_classes(c, old.top_level, new)]
    mechanical = [c for c in mechanical if c not in crossing]
    outcomes = [Outcome(c, entangled_by=entangling(c, changes, old.top_level, new)) for c in mechanical]
    report = PairReport(name, outcomes, crossing=crossing)
    for index, outcome in enumerate(report.outcomes):
        made = make_site(index, outcome.change, old, style)
        if isinstance(made, str):
            outcome.reason = f"no site: {made}"
        else:
            outcome.site = made
    return report


def keep_valid(outcome: Outcome, results: dict[str, Any], rules: Rules, old: str) -> list[dict[str, str]]:
    """Rows for the new version's run: the original site (baseline) and its rewrite, if the site ran on `old`."""
    site = outcome.site
    if site is None:
        return []
    if not ran(results.get(site.key), "path"):
        outcome.reason = f"invalid on {old}: {why_not(results.get(site.key))}"
        return []
    outcome.valid = True
    outcome.rewritten, outcome.reason = rewrite(site, rules)
    rows = [_row(site, site.source, "b")]
    return rows if outcome.rewritten is None else [*rows, _row(site, outcome.rewritten, "c")]


def judge(outcome: Outcome, results: dict[str, Any], new: str) -> None:
    """Whether the site ran on `new` before and after the codemod, and why not."""
    site = outcome.site
    if site is None or not outcome.valid:
        return
    outcome.before = ran(results.get("b" + site.key), site.mode)
    if outcome.rewritten is not None and unsigned(results.get("c" + site.key)):
        outcome.valid, outcome.unverifiable = False, True
        outcome.reason = f"unverifiable on {new}: {why_not(results.get('c' + site.key))}"
    elif outcome.rewritten is not None:
        outcome.after = ran(results.get("c" + site.key), site.mode)
        outcome.reason = (
            "" if outcome.after else f"rewritten site fails on {new}: {why_not(results.get('c' + site.key))}"
        )
    elif outcome.before and site.mode != "deprecated":
        outcome.after, outcome.reason = True, ""  # nothing to rewrite and nothing broken: it runs


def _row(site: Site, source: str, prefix: str = "") -> dict[str, str]:
    return {"key": prefix + site.key, "mode": site.mode, "source": source}


HEADER = (
    f"{'pair':<30} {'cross':>5} {'mech':>5} {'valid':>5} {'invalid':>7} {'unverif':>7} {'after/valid':>12} "
    f"{'after/mech':>11} {'baseline/valid':>15} {'fixed/needed':>20} | "
    f"{'patch':>5} {'mech':>5} {'valid':>5} {'after/valid':>12} {'sec':>6}"
)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def table_row(label: str, reports: list[PairReport]) -> str:
    """Strict figures over every mechanical break, then "|" and the reclassified ones (entangled breaks apart)."""
    outcomes = [o for r in reports for o in r.outcomes]
    strict = _figures(outcomes)
    sole = [o for o in outcomes if o.entangled_by is None]
    mech, valid, after = len(sole), sum(o.valid for o in sole), sum(o.after for o in sole if o.valid)
    seconds = sum(r.seconds for r in reports)
    crossing = sum(len(r.crossing) for r in reports)
    return (
        f"{label:<30} {crossing:>5} {strict} | {len(outcomes) - mech:>5} {mech:>5} {valid:>5} "
        f"{_share(after, valid):>12} {seconds:>6.1f}"
    )


def _figures(outcomes: list[Outcome]) -> str:
    mech, valid = len(outcomes), sum(o.valid for o in outcomes)
    unverifiable = sum(o.unverifiable for o in outcomes)
    after = sum(o.after for o in outcomes if o.valid)
    before = sum(o.before for o in outcomes if o.valid)
    needed = [o for o in outcomes if o.valid and not o.before]
    fixed = sum(o.after for o in needed)
    return (
        f"{mech:>5} {valid:>5} {mech - valid - unverifiable:>7} {unverifiable:>7} {_share(after, valid):>12} "
        f"{_share(after, mech):>11} "
        f"{_share(before, valid):>15} {fixed:>5}/{len(needed):<5} ({_share(fixed, len(needed)):>6})"
    )


def print_failures(report: PairReport, limit: int) -> None:
    failed = [o for o in report.outcomes if o.valid and not o.after]
    invalid = [o for o in report.outcomes if not o.valid]  # unverifiable ones included, with their reason
    for change in report.crossing[:limit]:
        print(f"  {report.name}: cross-class [{change.kind.value}] {change.api} -> {change.replacement}")
    for title, rows in (("codemod failures", failed), ("invalid sites", invalid)):
        if not rows:
            continue
        print(f"  {report.name}: {title} ({len(rows)}); by kind {dict(Counter(o.change.kind.value for o in rows))}")
        for outcome in rows[:limit]:
            change = outcome.change
            extra = f" {change.parameter}->{change.replacement}" if change.parameter else f" -> {change.replacement}"
            by = outcome.entangled_by
            also = f" (patch engine: also [{by.kind.value} {by.parameter or ''}])" if by is not None else ""
            print(f"    {change.api} [{change.kind.value}{extra}]{also}: {outcome.reason[:220]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", default=",".join(PAIRS), help=f"subset of {', '.join(PAIRS)}")
    parser.add_argument("--budget-s", type=float, default=1800.0, help="no pair starts after this; bounds diffs")
    parser.add_argument("--cache", type=Path, default=Path("var/migrations-cache"))
    parser.add_argument("--env-cache", type=Path, default=Path("var/codemod-bench-envs"))
    parser.add_argument("--trusted-network", action="append", default=None, help="CIDR the index may resolve into")
    parser.add_argument("--python-dir", type=Path, default=Path("/usr/bin"), help="where the CPython 3.11 lives")
    parser.add_argument("--style", choices=("from", "module"), default="from", help="how sites import the API")
    parser.add_argument("--show", type=int, default=12, help="failures listed per pair")
    args = parser.parse_args(argv)
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    trusted = tuple(args.trusted_network if args.trusted_network is not None else ["203.0.113.80/32"])
    runner = SiteRunner(args.env_cache.resolve(), trusted, (args.python_dir,), wall_s=600)
    deadline = time.monotonic() + args.budget_s
    reports: list[PairReport] = []
    for name in args.pairs.split(","):
        if time.monotonic() > deadline:
            print(f"{name}: skipped, the time budget of {args.budget_s:.0f}s is spent")
            continue
        try:
            reports.append(run_pair(name, args, runner, deadline))
        except Exception as exc:  # a benchmark goes on with the next pair; the reason is printed
            print(f"{name}: CRASH {type(exc).__name__}: {str(exc)[:300]}")
    print(HEADER)
    for report in reports:
        print(table_row(report.name, [report]))
    print(table_row("TOTAL", reports))
    for report in reports:
        print_failures(report, args.show)


if __name__ == "__main__":
    main()
