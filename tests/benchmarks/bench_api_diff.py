"""Benchmark: API diff precision by execution oracle (issue 8, benchmark 1), and recall (benchmark 2).

Usage: .venv/bin/python -m tests.benchmarks.bench_api_diff [--pairs flask:2.2.2:3.0.0,...] [--sample 200]
           [--cache var/migrations-cache] [--env-cache var/api-diff-bench-envs] [--budget-s 3600]
           [--diff-timeout-s 300] [--trusted-network 203.0.113.80/32] [--python-dir /usr/bin] [--serial-too]
       .venv/bin/python -m tests.benchmarks.bench_api_diff --recall [--cache var/migrations-cache] [--budget-s 900]

Precision (default): see tests/benchmarks/api_diff_precision.py. Per pair it prints precision (confirmed /
(confirmed + refuted); unverifiable breaks counted apart: static = records the diff itself marks
unverifiable, exec = checks the oracle cannot decide, mostly because the old path or call shape does not
work on the OLD version either), coverage of the public API, crashes (analysis crash, members griffe
cannot model, oracle crashes), download seconds apart from the cold analysis seconds (wall and CPU, fresh
unpack directory, archives cached; the two releases load in two processes as in `diff_releases`, and
--serial-too also times them loaded one after the other: serial_s, par/serial), and the baseline
griffe.find_breaking_changes in the same run: its time, its number of breakages and its precision through the
same oracle.

--recall: recall and kind accuracy against tests/migrations_data/documented_breaks.jsonl (breaks quoted from
the libraries' changelogs and migration guides). A documented break counts as reported when the diff has a
record for its API or for a removed parent; its kind is accurate when the kinds are equal. Breaks whose API
sits under a compiled module (or an unverifiable record) are counted apart. Baseline in the same run:
griffe.find_breaking_changes on the same releases, matched the same way.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from migrations.diff import Change, Severity
from migrations.pypi import fetch_release
from migrations.surface import ApiSurface
from tests.benchmarks.api_diff_precision import PairReport, Settings, run_pair

PAIRS = (
    "flask:2.2.2:3.0.0,click:7.1.2:8.1.7,sqlalchemy:1.4.52:2.0.36,pydantic:1.10.19:2.10.6,numpy:1.24.4:2.1.3,"
    "pandas:2.0.3:2.1.4,requests:2.25.1:2.32.3,attrs:21.4.0:24.2.0"
)
HEADER = (
    f"{'pair':<28} {'breaking':>8} {'checked':>7} {'conf':>5} {'refut':>5} {'unv.static':>10} {'unv.exec':>8} "
    f"{'unobs':>5} {'precision':>9} | {'public':>6} {'decided':>7} {'sigs':>6} | {'crash':>5} "
    f"{'dl_s':>6} {'diff_s':>6} {'cpu_s':>6} {'load':>5} | {'griffe_n':>8} {'griffe_s':>8} {'griffe_prec':>17} "
    f"{'ours/griffe_t':>13} {'serial_s':>8} {'par/serial':>10}"
)


def row(r: PairReport) -> str:
    """One table row; NaN where a figure could not be measured."""
    v = r.verdicts
    unverifiable_exec = v["precondition"] + v["unverifiable"]
    griffe_n = "-" if r.griffe_count is None else str(r.griffe_count)
    cov = r.coverage
    return (
        f"{r.name:<28} {r.breaking:>8} {r.checked:>7} {v['confirmed']:>5} {v['refuted']:>5} "
        f"{r.static_unverifiable:>10} {unverifiable_exec:>8} {v['unobservable']:>5} {r.precision:>9.1%} | "
        f"{cov.get('public', 0):>6.0f} {cov.get('decided', 0):>7.1%} {cov.get('signatures', 0):>6.1%} | "
        f"{r.crashes:>5} {r.download_s:>6.1f} {r.wall_s:>6.2f} {r.cpu_s:>6.2f} {r.load_1m:>5.1f} | "
        f"{griffe_n:>8} {r.griffe_s:>8.2f} "
        f"{r.griffe_precision:>8.1%} of {r.griffe_checked:>4} {r.wall_s / r.griffe_s:>13.2f} "
        f"{r.serial_wall_s:>8.2f} {r.wall_s / r.serial_wall_s:>10.2f}"
    )


def run_precision(pairs: list[str], settings: Settings, budget_s: float) -> None:
    """Run each pair (no pair starts once `budget_s` is spent), then print the table and the refuted checks."""
    deadline = time.monotonic() + budget_s
    reports: list[PairReport] = []
    for pair in pairs:
        package, old, new = pair.split(":")
        if time.monotonic() > deadline:
            print(f"{package} {old}->{new}: skipped, the time budget of {budget_s:.0f}s is spent", flush=True)
            continue
        try:
            reports.append(run_pair(package, old, new, settings))
        except Exception as exc:  # a benchmark goes on with the next pair; the crash is a figure
            reports.append(PairReport(f"{package} {old}->{new}", crashes=1, error=f"{type(exc).__name__}: {exc}"))
        print(row(reports[-1]), flush=True)
    print(HEADER)
    for report in reports:
        print(row(report))
    for report in reports:
        for line in ([f"error: {report.error}"] if report.error else []) + report.refuted[:8]:
            print(f"    {report.name}: {line}")


DATASET = Path(__file__).parents[1] / "migrations_data" / "documented_breaks.jsonl"


def match(entry: dict[str, str], changes: list[Change], old: ApiSurface) -> Change | None:
    """The record reporting `entry`: same API or its canonical path (same kind first), else a removed parent.

    The canonical path is where the re-exported object is defined (`click.get_os_args` is
    `click.utils.get_os_args`): a record there breaks every name that re-exports it.
    """
    found = old.resolve(entry["api"])
    names = {entry["api"]}
    if found.obj is not None:
        names |= {found.obj.path} | ({found.obj.alias_of} if found.obj.alias_of else set())
    same = [c for c in changes if c.api in names]
    if same:
        return next((c for c in same if c.kind.value == entry["kind"]), same[0])
    parents = [
        c for c in changes if any(n.startswith(c.api + ".") for n in names) and c.kind.value in ("removed", "moved")
    ]
    return parents[0] if parents else None


def griffe_paths(package: str, old: str, new: str, cache: Path) -> set[str]:
    import griffe

    old_rel, new_rel = fetch_release(package, old, cache), fetch_release(package, new, cache)
    paths: set[str] = set()
    for top in old_rel.top_level:
        try:
            old_mod = griffe.load(top, search_paths=[old_rel.root], allow_inspection=False)
            new_mod = griffe.load(top, search_paths=[new_rel.root], allow_inspection=False)
            paths.update(b.obj.path for b in griffe.find_breaking_changes(old_mod, new_mod))
        except Exception:  # noqa: S112 - the baseline may crash where ours does not; that is a figure too
            continue
    return paths


def run_recall(cache: Path, budget_s: float) -> None:
    from migrations.diff import diff_releases
    from migrations.followed import followed_surface

    entries = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    pairs = sorted({(e["package"], e["old"], e["new"]) for e in entries})
    totals = {"documented": 0, "reported": 0, "kind_ok": 0, "unverifiable": 0, "griffe": 0}
    started = time.perf_counter()
    for package, old, new in pairs:
        mine = [e for e in entries if (e["package"], e["old"], e["new"]) == (package, old, new)]
        if time.perf_counter() - started > budget_s:
            print(f"{package} {old}->{new}: skipped, time budget of {budget_s:.0f}s spent")
            continue
        t0 = time.perf_counter()
        try:
            changes = diff_releases(package, old, new, cache)
        except Exception as exc:  # a crash is a figure of this benchmark
            print(f"{package} {old}->{new}: CRASH {type(exc).__name__}: {exc}")
            continue
        seconds = time.perf_counter() - t0
        baseline = griffe_paths(package, old, new, cache)
        old_surface = followed_surface(package, old, cache)
        found = {e["api"]: match(e, changes, old_surface) for e in mine}
        reported = [a for a, c in found.items() if c is not None and c.severity != Severity.UNVERIFIABLE]
        unverifiable = [a for a, c in found.items() if c is not None and c.severity == Severity.UNVERIFIABLE]
        kind_ok = [e["api"] for e in mine if (c := found[e["api"]]) is not None and c.kind.value == e["kind"]]
        by_griffe = [e["api"] for e in mine if any(e["api"] == p or e["api"].startswith(p + ".") for p in baseline)]
        missed = [a for a, c in found.items() if c is None]
        print(
            f"{package} {old}->{new}: documented={len(mine)} reported={len(reported)} "
            f"unverifiable={len(unverifiable)} recall={len(reported) / len(mine):.1%} "
            f"recall_counting_unverifiable={(len(reported) + len(unverifiable)) / len(mine):.1%} "
            f"kind_accuracy={len(kind_ok) / max(1, len(reported) + len(unverifiable)):.1%} "
            f"seconds={seconds:.2f} | baseline griffe recall={len(by_griffe) / len(mine):.1%}"
        )
        for api in missed[:6]:
            print(f"    missed: {api}")
        for e in mine:
            hit = found[e["api"]]
            if hit is not None and e["api"] not in kind_ok:
                print(f"    kind: {e['api']} documented {e['kind']}, reported {hit.kind} ({hit.severity})")
        figures = (len(mine), len(reported), len(kind_ok), len(unverifiable), len(by_griffe))
        for key, value in zip(totals, figures, strict=True):
            totals[key] += value
    counted = totals["documented"]
    print(
        f"TOTAL pairs={len(pairs)} dataset={len(entries)} documented={counted} reported={totals['reported']} "
        f"unverifiable={totals['unverifiable']} "
        f"recall={totals['reported'] / max(1, counted):.1%} "
        f"recall_counting_unverifiable={(totals['reported'] + totals['unverifiable']) / max(1, counted):.1%} "
        f"kind_accuracy={totals['kind_ok'] / max(1, totals['reported'] + totals['unverifiable']):.1%} "
        f"| baseline griffe recall={totals['griffe'] / max(1, counted):.1%} "
        f"(ours/griffe = {totals['reported'] / max(1, totals['griffe']):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", default=PAIRS)
    parser.add_argument("--sample", type=int, default=200, help="checks per pair (random, seed 0) when more")
    parser.add_argument("--recall", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path("var/migrations-cache"))
    parser.add_argument("--env-cache", type=Path, default=Path("var/api-diff-bench-envs"))
    parser.add_argument("--budget-s", type=float, default=None, help="no pair starts after this (900 recall, 3600)")
    parser.add_argument("--diff-timeout-s", type=float, default=300.0, help="bounds each cold diff and griffe run")
    parser.add_argument("--trusted-network", action="append", default=None, help="CIDR the index may resolve into")
    parser.add_argument("--python-dir", type=Path, default=Path("/usr/bin"), help="where the CPython 3.11 lives")
    parser.add_argument("--serial-too", action="store_true", help="also time a one-process load (A/B of diff_s)")
    args = parser.parse_args()
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    if args.recall:
        run_recall(args.cache, args.budget_s or 900.0)
        return
    trusted = tuple(args.trusted_network if args.trusted_network is not None else ["203.0.113.80/32"])
    settings = Settings(
        args.cache.resolve(),
        args.env_cache.resolve(),
        trusted,
        args.python_dir,
        args.sample,
        args.diff_timeout_s,
        args.serial_too,
    )
    run_precision(args.pairs.split(","), settings, args.budget_s or 3600.0)


if __name__ == "__main__":
    main()
